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
import { parseExchangeRate } from './exchange-rate';
import { MemoryEnd } from './memory-end';
import { MemoryPlugin } from './memory-plugin';
import {
  type MemoryNetworkOptions,
  type PrepareHook,
  resolveMaxPacketAmount,
  resolveOptions,
} from './options';
import { type NetworkStats, resetDirectionStats } from './stats';
import { MemoryNetworkError } from './errors';

/** A network and its two plugins. */
export interface MemoryNetwork {
  /** The client end's plugin. */
  readonly client: MemoryPlugin;
  /** The server end's plugin. */
  readonly server: MemoryPlugin;
  /** Live traffic counters, per direction. */
  readonly stats: Readonly<NetworkStats>;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Changes the client-to-server rate (same forms as the option); applies to Prepares arriving from now on. */
  setExchangeRate(rate: number | string): void;
  /** Changes the max packet amount; `undefined` removes the limit. */
  setMaxPacketAmount(amount: bigint | number | string | undefined): void;
  /** Replaces the fault-injection hook; `undefined` removes it. */
  setOnPrepare(hook: PrepareHook | undefined): void;
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
    stats,
    resetStats: () => {
      resetDirectionStats(stats.clientToServer);
      resetDirectionStats(stats.serverToClient);
    },
    setExchangeRate: (rate) => connector.setRate(parseExchangeRate(rate, 'exchangeRate')),
    setMaxPacketAmount: (amount) => connector.setMaxPacketAmount(resolveMaxPacketAmount(amount, 'maxPacketAmount')),
    setOnPrepare: (hook) => {
      if (hook !== undefined && typeof hook !== 'function') throw new MemoryNetworkError('INVALID_OPTION', 'onPrepare must be a function');
      connector.setOnPrepare(hook);
    },
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
