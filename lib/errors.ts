/**
 * Typed errors for connections and streams. Each class carries a machine-readable `code`, repeats
 * it in `message`, and has an `isXxx()` guard that checks `name` and `code` rather than
 * `instanceof`, so the guards still work when two copies of the package are loaded.
 *
 * @example
 * ```ts
 * connection.state$.subscribe({ error: (e) => { if (isConnectionError(e)) console.log(e.code) } })
 * ```
 */
import { ErrorCode } from './wire/types';

/** Why a connection ended with an error. */
export type ConnectionErrorCode =
  | 'REMOTE_CLOSED'
  | 'PROTOCOL_VIOLATION'
  | 'IDLE_TIMEOUT'
  | 'DESTROYED'
  | 'PACKET_LIMIT'
  | 'SEND_FAILED'
  | 'CONNECT_FAILED'
  | 'EXCHANGE_RATE'
  | 'ASSET_MISMATCH';

/**
 * A connection closed with an error. `streamErrorCode` is the RFC 29 §5.4 code that was sent to or
 * received from the peer, when there was one.
 *
 * @example
 * ```ts
 * throw new ConnectionError('IDLE_TIMEOUT', 'no packets for 60000 ms');
 * ```
 */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly code: ConnectionErrorCode,
    detail: string,
    readonly streamErrorCode?: ErrorCode | number,
    readonly ilpCode?: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is a {@link ConnectionError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isConnectionError(err, 'REMOTE_CLOSED')) reconnect();
 * ```
 */
export function isConnectionError(value: unknown, code?: ConnectionErrorCode): value is ConnectionError {
  return (
    value instanceof Error &&
    value.name === 'ConnectionError' &&
    typeof (value as ConnectionError).code === 'string' &&
    (code === undefined || (value as ConnectionError).code === code)
  );
}

/** Why a stream operation failed. */
export type StreamErrorCode = 'STREAM_CLOSED' | 'REMOTE_CLOSED' | 'INVALID_ARGUMENT' | 'CONNECTION_CLOSED';

/**
 * A stream closed with an error, or a stream method was called with bad input.
 *
 * @example
 * ```ts
 * stream.sendMoney(-1) // errors with StreamError INVALID_ARGUMENT
 * ```
 */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  /**
   * `cause`: the error behind this one, e.g. the typed {@link ConnectionError} (with its code and
   * `ilpCode`) when a stream ends because its connection failed.
   */
  constructor(
    readonly code: StreamErrorCode,
    detail: string,
    readonly streamErrorCode?: ErrorCode | number,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/**
 * True if `value` is a {@link StreamError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isStreamError(err, 'STREAM_CLOSED')) return;
 * ```
 */
export function isStreamError(value: unknown, code?: StreamErrorCode): value is StreamError {
  return (
    value instanceof Error &&
    value.name === 'StreamError' &&
    typeof (value as StreamError).code === 'string' &&
    (code === undefined || (value as StreamError).code === code)
  );
}
