/**
 * The browser entry of ilp-stream-rx: the client side of STREAM (connections, streams of money
 * and data, quotes, errors, the wire codec) plus {@link BtpWebSocketPlugin} to reach a connector
 * or server over BTP from the page. Nothing here imports a Node module: the crypto runs on the
 * noble backend (the build swaps it in; {@link cryptoBackendName} says `'noble'`) and `Buffer`
 * comes from the `buffer` package. The server side (`createServer`, SPSP hosting, the in-memory
 * and BTP test networks) and the Node `Duplex` adapter stay in the Node entry.
 *
 * Built by scripts/build-browser.ts into `dist/browser/ilp-stream-rx.js` (ESM).
 *
 * @example
 * ```ts
 * import { BtpWebSocketPlugin, createConnection } from './ilp-stream-rx.js';
 * const plugin = new BtpWebSocketPlugin({ server: 'btp+wss://:token@connector.example', reconnect: true });
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * await connection.createStream().sendTotal(1000);
 * ```
 */
export * from './wire';
export {
  cryptoBackendName,
  type CryptoBackendName,
  CryptoInputError,
  isCryptoInputError,
  isReceiptError,
  isStreamDecryptError,
  ReceiptError,
  StreamDecryptError,
  verifyReceipt,
  decodeReceipt,
  type Receipt,
} from './crypto';
export {
  IlpErrorCode,
  isFinal,
  isRelative,
  isTemporary,
  type DataHandler,
  type Plugin,
  IldcpError,
  isIldcpError,
  IlpPacketError,
  isIlpPacketError,
  IlpArgumentError,
  isIlpArgumentError,
  IlpPluginError,
  isIlpPluginError,
} from './ilp';
export { BtpWebSocketPlugin, BTP_DEFAULT_RESPONSE_TIMEOUT_MS, type BtpWebSocketPluginOptions } from './ilp/btp-websocket-plugin';
export { BTP_RECONNECT_DEFAULTS, type BtpReconnectOptions } from './ilp/btp-reconnect';
export { BtpPluginError, isBtpPluginError, type BtpPluginErrorCode } from './ilp/btp-errors';
export type { WebSocketConstructor, WebSocketLike } from './ilp/btp-websocket';
export * from './errors';
export { type Amount, toU64 } from './stream/amount';
export { DataAndMoneyStream } from './stream/stream';
export type { MoneyProgress, StreamTotals, StreamState } from './stream/types';
export type { DataProgress } from './stream/outgoing-data';
export { Connection } from './connection/connection';
export type { ConnectionState, ConnectionTotals, ExchangeRate } from './connection/types';
export type { Quote } from './connection/controllers/quote';
export { retryDelay, type RetryPolicy } from './operators/retry-policy';
export { type Ratio, ratioFrom } from './connection/ratio';
export { CONNECTION_DEFAULTS, type ConnectionTuning } from './connection/options';
export { createConnection, connect, type ConnectionOptions } from './client';
