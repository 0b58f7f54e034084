/**
 * Scenario 3, money: one stream sends a total over the in-memory network (rate 1, max packet
 * amount 1000, so total/1000 money packets), ours vs the reference, both ends in this process.
 * Every run builds a fresh network, server and connection; set-up (IL-DCP, handshake, rate probe)
 * is outside the timed region, which covers only `sendTotal`. "pps" counts the Fulfills of the
 * timed region, read from the network's counters, so both implementations are counted alike.
 *
 * Variants (perf-anchor.md anchors (a)): 1e7 at 0 ms, 1e6 at 1 ms one-way latency and 2e5 at
 * 10 ms, the latency on rxjs' asyncScheduler (a real 1 ms timer takes ~1.2 ms). The reference
 * keeps one packet in flight, so with latency it is bound to one packet per RTT (~398 pps at
 * 1 ms, ~48 at 10 ms); ours keeps a window of packets in flight.
 *
 * @example
 * ```ts
 * const rows = await moneyScenario.run({ quick: true });
 * ```
 */
import { performance } from 'node:perf_hooks';
import { createMemoryNetwork } from '../../lib/network';
import { type LatencyVariant, type RunDetail, describeRuns } from './money-runs';
import { type BenchSettings, type Row, type Run, type Scenario, formatNumber, interleave, progress, summarize } from '../harness';
import { cryptoFloor } from './crypto';
import { type Implementation, implementations } from './drivers';

const MAX_PACKET_AMOUNT = 1000;

function variants(quick: boolean): LatencyVariant[] {
  return quick
    ? [
        { label: 'money 2e6, 0 ms', amount: 2e6, warmupAmount: 2e6, latency: 0, warmupMs: 300, runs: 3, note: 'anchor ref 1e6: 6,083' },
        { label: 'money 2e5, 1 ms', amount: 2e5, warmupAmount: 2e4, latency: 1, warmupMs: 0, runs: 3, note: 'anchor ref 398' },
        { label: 'money 5e4, 10 ms', amount: 5e4, warmupAmount: 1e4, latency: 10, warmupMs: 0, runs: 2, note: 'anchor ref 48.0' },
      ]
    : [
        { label: 'money 1e7, 0 ms', amount: 1e7, warmupAmount: 1e7, latency: 0, warmupMs: 1500, runs: 5, note: 'anchor ref 5,969' },
        { label: 'money 1e6, 1 ms', amount: 1e6, warmupAmount: 1e5, latency: 1, warmupMs: 0, runs: 5, note: 'anchor ref 398' },
        { label: 'money 2e5, 10 ms', amount: 2e5, warmupAmount: 2e4, latency: 10, warmupMs: 0, runs: 3, note: 'anchor ref 48.0' },
      ];
}


/**
 * One run: fresh network, server and connection; sends `amount` on one stream; returns packets/s.
 * Throws if the wrong amount arrived, so a broken implementation cannot post a fast figure.
 */
async function sendOnce(impl: Implementation, amount: number, latency: number, details?: RunDetail[]): Promise<number> {
  const network = createMemoryNetwork({ maxPacketAmount: MAX_PACKET_AMOUNT, latency });
  const server = await impl.startServer(network.server);
  const client = await impl.connect(network.client, server.credentials());
  const stream = client.createStream();
  const stats = network.stats.clientToServer;
  const fulfilledBefore = stats.fulfilled;
  const deliveredBefore = stats.destinationAmountFulfilled;
  const start = performance.now();
  await stream.sendTotal(amount);
  const ms = performance.now() - start;
  const packets = stats.fulfilled - fulfilledBefore;
  const delivered = stats.destinationAmountFulfilled - deliveredBefore;
  await client.end();
  await server.close();
  if (delivered !== BigInt(amount)) throw new Error(`${impl.label} delivered ${delivered} of ${amount}`);
  details?.push({ packets, ms });
  return (packets * 1000) / ms;
}

function runOf(impl: Implementation, variant: LatencyVariant, details: RunDetail[]): Run {
  return (warmup) => sendOnce(impl, warmup ? variant.warmupAmount : variant.amount, variant.latency, warmup ? undefined : details);
}


/**
 * The money scenario; its first row is compared with the crypto floor (the send pipeline's target
 * is to stay within 2x of it).
 *
 * @example
 * ```ts
 * // BENCH_ONLY=money npm run bench
 * ```
 */
export const moneyScenario: Scenario = {
  name: 'money',
  async run(settings: BenchSettings) {
    const rows: Row[] = [];
    for (const variant of variants(settings.quick)) {
      progress(`${variant.label}: ${variant.runs} runs each, interleaved`);
      const oursDetails: RunDetail[] = [];
      const refDetails: RunDetail[] = [];
      const { ours, ref } = await interleave(
        { ours: runOf(implementations.ours, variant, oursDetails), ref: runOf(implementations.ref, variant, refDetails) },
        { warmupMs: variant.warmupMs, runs: variant.runs },
      );
      rows.push({
        scenario: variant.label,
        unit: 'pps',
        ours,
        ref,
        better: 'higher',
        notes: `ours ${describeRuns(oursDetails)}, ref ${describeRuns(refDetails)}; ${variant.note}`,
      });
      if (variant.latency === 0) {
        const floor = await cryptoFloor(settings);
        rows.push({
          scenario: `${variant.label}: pps / crypto floor`,
          unit: 'ratio',
          ours: summarize(ours.values.map((value) => value / floor.median)),
          ref: summarize(ref.values.map((value) => value / floor.median)),
          better: 'higher',
          notes: `floor ${formatNumber(floor.median)} rt/s; target: within 2x of the floor`,
          target: { of: 'ours', atLeast: 0.5 },
        });
      }
    }
    return rows;
  },
};
