/**
 * A deterministic in-memory ILP network between two plugins, for tests, examples, demos and
 * benchmarks: a client end and a server end joined by a tiny connector (see `connector.ts` for what
 * it checks and when).
 *
 * @example
 * ```ts
 * const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: 0.5, maxPacketAmount: 1000n });
 * ```
 */
import { Connector } from './connector';
import { type NetworkControls, networkControls } from './controls';
import { MemoryEnd } from './memory-end';
import { MemoryPlugin } from './memory-plugin';
import { type MemoryNetworkOptions, resolveOptions } from './options';
import type { NetworkStats } from './stats';

/** A network and its two plugins, with its counters and setters. */
export interface MemoryNetwork extends NetworkControls {
  /** The client end's plugin. */
  readonly client: MemoryPlugin;
  /** The server end's plugin. */
  readonly server: MemoryPlugin;
}

/**
 * Creates an in-memory network. Options are validated (a bad one throws
 * {@link MemoryNetworkError} `INVALID_OPTION` naming it); defaults: rate 1, no max packet amount,
 * latency 0, `asyncScheduler`, client `test.memory.client` and server `test.memory.server`, both
 * XRP with scale 9, rejects triggered by `test.memory`.
 *
 * Both plugins start disconnected. A Prepare to `peer.config` is answered with the sending end's
 * IL-DCP config; a Prepare to the other end's address (or below it) is delivered to the other
 * end's data handler with its amount converted; anything else gets F02.
 *
 * @param options - see {@link MemoryNetworkOptions}
 * @returns the two plugins, the counters and the setters
 *
 * @example
 * ```ts
 * const network = createMemoryNetwork({ latency: 10, scheduler });
 * await network.client.connect();
 * // ... send packets ...
 * console.log(network.stats.clientToServer.fulfilled);
 * ```
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const resolved = resolveOptions(options);
  const connector = new Connector(resolved);
  const clientEnd = new MemoryEnd('client', 'clientToServer', resolved.client);
  const serverEnd = new MemoryEnd('server', 'serverToClient', resolved.server);
  const stats: NetworkStats = { clientToServer: clientEnd.stats, serverToClient: serverEnd.stats };
  return {
    client: new MemoryPlugin(connector, clientEnd, serverEnd),
    server: new MemoryPlugin(connector, serverEnd, clientEnd),
    ...networkControls(connector, stats),
  };
}

/**
 * Creates an in-memory network and returns just its plugins: `[client, server]`.
 *
 * @param options - see {@link MemoryNetworkOptions}
 *
 * @example
 * ```ts
 * const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: '1.37', latency: 1 });
 * ```
 */
export function createPluginPair(options: MemoryNetworkOptions = {}): [MemoryPlugin, MemoryPlugin] {
  const { client, server } = createMemoryNetwork(options);
  return [client, server];
}
