/**
 * Scenario 2, crypto: one packet round trip's crypto (2 encrypt, 2 decrypt, 2 HMAC, 3 SHA-256,
 * 100-byte payloads) through ours (`StreamKeys`), through the reference's async helpers, and as
 * raw node:crypto calls — the floor — all three interleaved; then the codec+crypto round trip
 * (./round-trip.ts), ours vs the reference.
 *
 * The round-trip functions come from bench/crypto-floor.ts; only the measuring loop is the shared
 * harness's, so the three contenders alternate instead of running one after another.
 *
 * @example
 * ```ts
 * const rows = await cryptoScenario.run({ quick: false });
 * const floor = await cryptoFloor({ quick: false }); // reused by the money scenario
 * ```
 */
import { nodeFloorRoundTrip, referenceRoundTrip, streamKeysRoundTrip } from '../crypto-floor';
import { type BenchSettings, type Row, type Scenario, type Summary, formatNumber, interleave, progress, rateRun } from '../harness';
import { oursCodecCryptoRoundTrip, referenceCodecCryptoRoundTrip } from './round-trip';

const PAYLOAD_BYTES = 100;

let floor: Summary | undefined;

function timing(quick: boolean): { sampleMs: number; warmupMs: number; runs: number } {
  return quick ? { sampleMs: 100, warmupMs: 200, runs: 3 } : { sampleMs: 250, warmupMs: 600, runs: 7 };
}

/**
 * The crypto floor in round trips/s: measured by this scenario if it ran, else measured now (once).
 *
 * @example
 * ```ts
 * const { median } = await cryptoFloor({ quick: true });
 * ```
 */
export async function cryptoFloor(settings: BenchSettings): Promise<Summary> {
  if (!floor) {
    progress('crypto floor (for the ours/floor figure)');
    const { sampleMs, warmupMs, runs } = timing(settings.quick);
    floor = (await interleave({ floor: rateRun(nodeFloorRoundTrip(PAYLOAD_BYTES), sampleMs) }, { warmupMs, runs })).floor;
  }
  return floor;
}

/**
 * The crypto scenario.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=crypto npm run bench
 * ```
 */
export const cryptoScenario: Scenario = {
  name: 'crypto',
  async run({ quick }) {
    const { sampleMs, warmupMs, runs } = timing(quick);
    progress('crypto: round-trip crypto, floor / ours / reference');
    const crypto = await interleave(
      {
        floor: rateRun(nodeFloorRoundTrip(PAYLOAD_BYTES), sampleMs),
        ours: rateRun(streamKeysRoundTrip(PAYLOAD_BYTES), sampleMs),
        ref: rateRun(await referenceRoundTrip(PAYLOAD_BYTES), sampleMs),
      },
      { warmupMs, runs },
    );
    floor = crypto.floor;
    progress('crypto: codec+crypto round trip, ours / reference');
    const full = await interleave(
      { ours: rateRun(oursCodecCryptoRoundTrip(), sampleMs), ref: rateRun(await referenceCodecCryptoRoundTrip(), sampleMs) },
      { warmupMs, runs },
    );
    const perFloor = (summary: Summary): string => (summary.median / crypto.floor.median).toFixed(2);
    const rows: Row[] = [
      {
        scenario: 'crypto floor (raw node:crypto)',
        unit: 'rt/s',
        ours: crypto.floor,
        better: 'higher',
        notes: `${PAYLOAD_BYTES} B; both ends; ${(1e6 / crypto.floor.median).toFixed(1)} us/rt; anchor 30,468; not an implementation (shown in the ours column)`,
      },
      {
        scenario: 'crypto: packet round trip',
        unit: 'rt/s',
        ours: crypto.ours,
        ref: crypto.ref,
        better: 'higher',
        notes: `${PAYLOAD_BYTES} B; crypto only; ours/floor ${perFloor(crypto.ours)}, ref/floor ${perFloor(crypto.ref)}`,
      },
      {
        scenario: 'codec+crypto round trip',
        unit: 'rt/s',
        ours: full.ours,
        ref: full.ref,
        better: 'higher',
        notes: `money pkt + ILP Prepare/Fulfill codecs; anchor ref 10,799; ours ${formatNumber(1e6 / full.ours.median)} us/rt`,
        target: { of: 'ratio', atLeast: 2.3 },
      },
    ];
    return rows;
  },
};
