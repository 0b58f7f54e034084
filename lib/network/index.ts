/**
 * The test networks: the in-memory ILP network (two plugins joined by a deterministic connector
 * with an exchange rate, a max packet amount, latency on a scheduler, IL-DCP and fault injection)
 * and the same connector between two BTP listeners on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { createPluginPair } from './network';
 * const [client, server] = createPluginPair({ exchangeRate: 0.5 });
 * ```
 */
export { type BtpNetwork, type BtpNetworkOptions, createBtpNetwork } from './btp-network';
export type { NetworkControls } from './controls';
export {
  BTP_NETWORK_ERROR_CODES,
  BtpNetworkError,
  type BtpNetworkErrorCode,
  isBtpNetworkError,
  isMemoryNetworkError,
  MEMORY_NETWORK_ERROR_CODES,
  MemoryNetworkError,
  type MemoryNetworkErrorCode,
} from './errors';
export { type ExactRate, parseExchangeRate } from './exchange-rate';
export { createMemoryNetwork, createPluginPair, type MemoryNetwork } from './memory-network';
export { MemoryPlugin } from './memory-plugin';
export {
  DEFAULT_CLIENT_END,
  DEFAULT_CONNECTOR_ADDRESS,
  DEFAULT_SERVER_END,
  type MemoryNetworkEnd,
  type MemoryNetworkOptions,
  type PrepareHook,
} from './options';
export type { DirectionStats, NetworkStats } from './stats';
export type { Direction } from './direction';
export * from './faults';
