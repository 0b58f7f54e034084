/**
 * Scenario 1, codec: STREAM packet encode+decode per second, unencrypted, ours (`lib/wire`) vs
 * the reference's `Packet#_serialize` / `Packet._deserializeUnencrypted`, on a money packet and
 * a 16 KiB data packet. Both sides start from a packet object already built, as a sender holds
 * one, and end with the decoded object.
 *
 * bench/wire-codec-choice.ts measures the same thing (plus an oer-utils variant) but exports
 * nothing and runs on import, so this re-measures with the shared harness instead.
 *
 * @example
 * ```ts
 * const rows = await codecScenario.run({ quick: true });
 * ```
 */
import * as refPacket from 'ilp-protocol-stream/dist/src/packet';
import { decodePacket, encodePacket } from '../../lib/wire';
import { type Row, type Scenario, interleave, progress, rateRun } from '../harness';
import { codecPackets, type PacketPair } from './packets';

// Defeats dead-code elimination: every operation's result feeds it.
let sink = 0;

async function measurePacket(name: string, packet: PacketPair, quick: boolean): Promise<Row> {
  progress(`codec: ${name}`);
  const sampleMs = quick ? 100 : 200;
  const { ours, ref } = await interleave(
    {
      ours: rateRun(() => (sink += decodePacket(encodePacket(packet.ours)).frames.length), sampleMs),
      ref: rateRun(() => (sink += refPacket.Packet._deserializeUnencrypted(packet.ref._serialize()).frames.length), sampleMs),
    },
    { warmupMs: quick ? 200 : 600, runs: quick ? 3 : 7 },
  );
  return { scenario: `codec: ${name} encode+decode`, unit: 'ops/s', ours, ref, better: 'higher', notes: `${packet.bytes} B, no crypto` };
}

/**
 * The codec scenario.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=codec npm run bench
 * ```
 */
export const codecScenario: Scenario = {
  name: 'codec',
  async run({ quick }) {
    const packets = codecPackets();
    const rows = [await measurePacket('money packet', packets.money, quick), await measurePacket('16 KiB data packet', packets.data, quick)];
    if (sink === 0) progress('codec: (sink is zero)');
    return rows;
  },
};
