/**
 * ilp-stream-rx: Interledger STREAM (IL-RFC 29) on RxJS 7. Re-exports only.
 *
 * @example
 * ```ts
 * import { createServer, createConnection, createPluginPair } from 'ilp-stream-rx';
 * ```
 */
export * from './wire';
export * from './crypto';
export * from './ilp';
export * from './network';
export * from './errors';
export { type Amount, toU64 } from './stream/amount';
export { DataAndMoneyStream } from './stream/stream';
export type { MoneyProgress, StreamTotals, StreamState } from './stream/types';
export type { DataProgress } from './stream/outgoing-data';
export { toDuplex, type DuplexOptions } from './stream/duplex';
export { Connection } from './connection/connection';
export type { ConnectionState, ConnectionTotals, ExchangeRate } from './connection/types';
export type { Quote } from './connection/controllers/quote';
export { retryDelay, type RetryPolicy } from './operators/retry-policy';
export { type Ratio, ratioFrom } from './connection/ratio';
export { CONNECTION_DEFAULTS, type ConnectionTuning } from './connection/options';
export { createServer, listen, DEFAULT_MAX_CONNECTIONS, type Server, type ServerOptions, type ServerStats, type AddressAndSecret } from './server';
export { createConnection, connect, type ConnectionOptions } from './client';
export * from './spsp';
export { BtpWebSocketPlugin, BTP_DEFAULT_RESPONSE_TIMEOUT_MS, type BtpWebSocketPluginOptions } from './ilp/btp-websocket-plugin';
export { BTP_RECONNECT_DEFAULTS, type BtpReconnectOptions } from './ilp/btp-reconnect';
export { BTP_PLUGIN_ERROR_CODES, BtpPluginError, isBtpPluginError, type BtpPluginErrorCode } from './ilp/btp-errors';
export type { WebSocketConstructor, WebSocketLike } from './ilp/btp-websocket';
