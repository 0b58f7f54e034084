/**
 * Scenario 4, connect: connections opened per second, one after another, ours vs the reference.
 * The timed region is the client's whole opening: IL-DCP, then the handshake and rate probe
 * (the reference sends ~5 STREAM packets per connect, perf-anchor.md (c): 1031 conn/s).
 *
 * A client connection owns its plugin's data handler, so each connection gets its own in-memory
 * network and server; those are started before the clock starts and closed after it stops.
 * The network has the same max packet amount (1000) as the money scenario, so the probe meets
 * an F08 as it would on a real path.
 *
 * @example
 * ```ts
 * const rows = await connectScenario.run({ quick: true });
 * ```
 */
import { performance } from 'node:perf_hooks';
import { createMemoryNetwork, type MemoryNetwork, type MemoryNetworkOptions } from '../../lib/network';
import { type Run, type Scenario, interleave, progress } from '../harness';
import { type BenchClient, type Implementation, implementations } from './drivers';

/**
 * Starts `count` networks with a server each, and returns them with their credentials. Every
 * network gets a max packet amount of 1000 unless `network` says otherwise; a network's faults
 * are its own (each `createMemoryNetwork` installs them afresh), so the fleets stay independent.
 *
 * @example
 * ```ts
 * const fleet = await startServers(ours, 100);
 * ```
 */
export async function startServers(impl: Implementation, count: number, network: (index: number) => MemoryNetworkOptions = () => ({})) {
  const networks: MemoryNetwork[] = [];
  for (let i = 0; i < count; i++) networks.push(createMemoryNetwork({ maxPacketAmount: 1000, ...network(i) }));
  const servers = await Promise.all(networks.map((network) => impl.startServer(network.server)));
  return { networks, servers, credentials: servers.map((server) => server.credentials()) };
}

/**
 * Closes clients, then servers; each group in parallel, since the reference's `server.close()`
 * waits a fixed 100 ms.
 *
 * @example
 * ```ts
 * await closeAll(clients, fleet.servers);
 * ```
 */
export async function closeAll(clients: readonly BenchClient[], servers: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(clients.map((client) => client.end()));
  await Promise.all(servers.map((server) => server.close()));
}

function connectRun(impl: Implementation, count: number): Run {
  return async () => {
    const fleet = await startServers(impl, count);
    const clients: BenchClient[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const network = fleet.networks[i];
      const credentials = fleet.credentials[i];
      if (!network || !credentials) throw new Error('fleet is short');
      clients.push(await impl.connect(network.client, credentials));
    }
    const ms = performance.now() - start;
    await closeAll(clients, fleet.servers);
    return (count * 1000) / ms;
  };
}

/**
 * The connect scenario.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=connect npm run bench
 * ```
 */
export const connectScenario: Scenario = {
  name: 'connect',
  async run({ quick }) {
    const count = quick ? 100 : 250;
    const runs = quick ? 3 : 7;
    progress(`connect: ${runs} runs of ${count} sequential connections each, interleaved`);
    const { ours, ref } = await interleave(
      { ours: connectRun(implementations.ours, count), ref: connectRun(implementations.ref, count) },
      { warmupMs: quick ? 300 : 1500, runs },
    );
    return [
      {
        scenario: 'connect (sequential)',
        unit: 'conn/s',
        ours,
        ref,
        better: 'higher',
        notes: `${count} per run; IL-DCP + handshake + rate probe; anchor ref 1,031`,
      },
    ];
  },
};
