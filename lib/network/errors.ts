/**
 * The test networks' typed errors: the in-memory network's and the BTP network's.
 *
 * @example
 * ```ts
 * await plugin.sendData(bytes).catch((e) => isMemoryNetworkError(e, 'NOT_CONNECTED') && plugin.connect());
 * ```
 */

/**
 * Every `code` a {@link MemoryNetworkError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of MEMORY_NETWORK_ERROR_CODES) console.log(code);
 * ```
 */
export const MEMORY_NETWORK_ERROR_CODES = ['INVALID_OPTION', 'INVALID_ARGUMENT', 'NOT_CONNECTED', 'DISCONNECTED', 'HANDLER_ALREADY_REGISTERED'] as const;

/**
 * What went wrong:
 * - `INVALID_OPTION`: `createMemoryNetwork` or a setter got an unusable option (the message names it);
 * - `INVALID_ARGUMENT`: a plugin method got an unusable argument;
 * - `NOT_CONNECTED`: `sendData` on a plugin that is not connected;
 * - `DISCONNECTED`: the plugin disconnected while a `sendData` was waiting for its reply;
 * - `HANDLER_ALREADY_REGISTERED`: `registerDataHandler` while a handler is registered, as
 *   ilp-plugin-btp refuses it.
 */
export type MemoryNetworkErrorCode = (typeof MEMORY_NETWORK_ERROR_CODES)[number];

/**
 * An error from the in-memory network or one of its plugins.
 *
 * @example
 * ```ts
 * createMemoryNetwork({ latency: -1 }) // throws MemoryNetworkError INVALID_OPTION
 * ```
 */
export class MemoryNetworkError extends Error {
  override readonly name = 'MemoryNetworkError';
  constructor(
    readonly code: MemoryNetworkErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is a {@link MemoryNetworkError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isMemoryNetworkError(err, 'DISCONNECTED')) reconnect();
 * ```
 */
export function isMemoryNetworkError(value: unknown, code?: MemoryNetworkErrorCode): value is MemoryNetworkError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'MemoryNetworkError' &&
    typeof candidate.code === 'string' &&
    (code === undefined ? (MEMORY_NETWORK_ERROR_CODES as readonly string[]).includes(candidate.code) : candidate.code === code)
  );
}

/**
 * Every `code` a {@link BtpNetworkError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of BTP_NETWORK_ERROR_CODES) console.log(code);
 * ```
 */
export const BTP_NETWORK_ERROR_CODES = ['INVALID_OPTION', 'LISTEN_FAILED'] as const;

/**
 * What went wrong in the BTP network:
 * - `INVALID_OPTION`: `createBtpNetwork` or a setter got an unusable option (the message names it);
 * - `LISTEN_FAILED`: a BTP listener could not listen on 127.0.0.1 (the port is taken, say).
 */
export type BtpNetworkErrorCode = (typeof BTP_NETWORK_ERROR_CODES)[number];

/**
 * An error from `createBtpNetwork` or its setters.
 *
 * @example
 * ```ts
 * await createBtpNetwork({ clientPort: 70000 }) // rejects with BtpNetworkError INVALID_OPTION
 * ```
 */
export class BtpNetworkError extends Error {
  override readonly name = 'BtpNetworkError';
  constructor(
    readonly code: BtpNetworkErrorCode,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/**
 * True if `value` is a {@link BtpNetworkError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isBtpNetworkError(err, 'LISTEN_FAILED')) retryOnAnotherPort();
 * ```
 */
export function isBtpNetworkError(value: unknown, code?: BtpNetworkErrorCode): value is BtpNetworkError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'BtpNetworkError' &&
    typeof candidate.code === 'string' &&
    (code === undefined ? (BTP_NETWORK_ERROR_CODES as readonly string[]).includes(candidate.code) : candidate.code === code)
  );
}
