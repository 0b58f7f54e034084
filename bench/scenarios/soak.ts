/**
 * Scenario soak: many connections at once, each streaming money and data through a misbehaving
 * network, ours vs the reference over the very same fault schedule. Every connection has its own
 * in-memory network and server (a client connection owns its plugin), and each network carries the
 * same faults, seeded by its index: T04 bursts, latency jitter that reorders packets, and a max
 * packet amount that drops mid-payment (F08). Nothing is dropped outright: the reference waits out
 * a whole 30 s expiry per lost packet, which would measure its timeout, not its throughput.
 *
 * Figures: packets/s over the whole fleet (fulfilled Prepares counted by the networks, divided by
 * the time from the first send to the last acknowledgement), heap per open connection after the
 * traffic (client + server side, forced GC), and heap left over once everything is closed,
 * per connection of the fleet (what closing failed to give back). Needs `global.gc`.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=soak npm run bench
 * const rows = await soakScenario.run({ quick: true });
 * ```
 */
import { performance } from 'node:perf_hooks';
import { jitter, maxPacketAmountSchedule, type MemoryNetwork, type MemoryNetworkOptions, rejectBurst } from '../../lib/network';
import { type Run, type Scenario, formatNumber, interleave, progress, summarize } from '../harness';
import { closeAll, startServers } from './connect';
import { type BenchClient, type Implementation, implementations } from './drivers';
import { settledHeap } from './memory';

const KIB = 1024;

/** What each connection moves: money in packets of at most 1000 (500 after the F08 step), and bytes. */
interface SoakLoad {
  readonly connections: number;
  readonly amount: number;
  readonly bytes: number;
}

/** The fault schedule of network `index`: the same for both implementations. */
function faultyNetwork(index: number): MemoryNetworkOptions {
  return {
    seed: index + 1,
    faults: [
      rejectBurst({ code: 'T04', probability: 0.005, length: 2 }),
      jitter({ min: 0, max: 2 }),
      maxPacketAmountSchedule([{ afterPackets: 10, max: 500 }]),
    ],
  };
}

function fulfilledPackets(networks: readonly MemoryNetwork[]): number {
  return networks.reduce((sum, network) => sum + network.stats.clientToServer.fulfilled, 0);
}

function soakRun(impl: Implementation, load: SoakLoad, heaps: { open: number[]; closed: number[] }): Run {
  return async (warmup) => {
    const count = warmup ? Math.min(load.connections, 50) : load.connections;
    const before = await settledHeap();
    const fleet = await startServers(impl, count, faultyNetwork);
    const clients: BenchClient[] = [];
    for (let i = 0; i < count; i++) {
      const network = fleet.networks[i];
      const credentials = fleet.credentials[i];
      if (!network || !credentials) throw new Error('fleet is short');
      clients.push(await impl.connect(network.client, credentials));
    }
    const packetsBefore = fulfilledPackets(fleet.networks);
    const payload = Buffer.alloc(load.bytes, 7);
    const start = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        const money = client.createStream().sendTotal(load.amount);
        const data = client.createStream().sendData(payload).done;
        await Promise.all([money, data]);
      }),
    );
    const ms = performance.now() - start;
    const packets = fulfilledPackets(fleet.networks) - packetsBefore;
    if (!warmup) heaps.open.push(((await settledHeap()).heapUsed - before.heapUsed) / count / KIB);
    await closeAll(clients, fleet.servers);
    fleet.networks.length = 0;
    fleet.servers.length = 0;
    clients.length = 0;
    if (!warmup) heaps.closed.push(((await settledHeap()).heapUsed - before.heapUsed) / count / KIB);
    return (packets * 1000) / ms;
  };
}

/**
 * The soak scenario.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=soak npm run bench
 * ```
 */
export const soakScenario: Scenario = {
  name: 'soak',
  async run({ quick }) {
    const load: SoakLoad = { connections: quick ? 200 : 1000, amount: 20_000, bytes: 16 * KIB };
    const runs = quick ? 1 : 3;
    progress(`soak: ${runs} runs of ${load.connections} concurrent connections, each ${load.amount} units + ${load.bytes / KIB} KiB under T04 bursts, jitter and an F08 drop`);
    const ours = { open: [] as number[], closed: [] as number[] };
    const ref = { open: [] as number[], closed: [] as number[] };
    const speed = await interleave(
      { ours: soakRun(implementations.ours, load, ours), ref: soakRun(implementations.ref, load, ref) },
      { warmupMs: 0, runs },
    );
    const label = `${load.connections} conns, money + data, faults`;
    return [
      { scenario: `soak: packets/s (${label})`, unit: 'pkt/s', ours: speed.ours, ref: speed.ref, better: 'higher', notes: 'fulfilled Prepares of the whole fleet per second' },
      { scenario: 'soak: heap per connection, open', unit: 'KiB', ours: summarize(ours.open), ref: summarize(ref.open), better: 'lower', notes: 'client + server side and network, after the traffic, forced GC' },
      { scenario: 'soak: heap left after close', unit: 'KiB/conn', ours: summarize(ours.closed), ref: summarize(ref.closed), better: 'lower', notes: `what closing did not give back; ours ${formatNumber(summarize(ours.closed).median)}` },
    ];
  },
};
