/**
 * Typed errors of the WebSocket BTP client plugin.
 *
 * @example
 * ```ts
 * plugin.sendData(prepare).catch((error) => {
 *   if (isBtpPluginError(error, 'NOT_CONNECTED')) reconnectLater();
 * });
 * ```
 */

/**
 * Every `code` a {@link BtpPluginError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of BTP_PLUGIN_ERROR_CODES) console.log(code);
 * ```
 */
export const BTP_PLUGIN_ERROR_CODES = [
  'INVALID_OPTION',
  'INVALID_ARGUMENT',
  'AUTH_REJECTED',
  'NOT_CONNECTED',
  'CONNECTION_CLOSED',
  'TIMEOUT',
  'PEER_ERROR',
  'HANDLER_ALREADY_REGISTERED',
] as const;

/**
 * Why a BTP plugin call failed: a bad option or argument, the server refused our credentials
 * (RFC 23 §Authentication), no open connection, the socket closed while waiting, no answer in
 * time, the peer answered a request with a BTP Error (RFC 23 §Error), or a second data handler.
 *
 * @example
 * ```ts
 * const code: BtpPluginErrorCode = 'TIMEOUT';
 * ```
 */
export type BtpPluginErrorCode = (typeof BTP_PLUGIN_ERROR_CODES)[number];

/**
 * An error of {@link BtpWebSocketPlugin}. `btpCode` carries the peer's BTP error code (`F00`,
 * `T00`, ...) for `AUTH_REJECTED` and `PEER_ERROR`.
 *
 * @example
 * ```ts
 * throw new BtpPluginError('NOT_CONNECTED', 'call connect() first');
 * ```
 */
export class BtpPluginError extends Error {
  override readonly name = 'BtpPluginError';
  constructor(
    readonly code: BtpPluginErrorCode,
    detail: string,
    /** The peer's BTP error code, when the peer sent a BTP Error. */
    readonly btpCode?: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True for a {@link BtpPluginError} (with `code`, if given), also across bundles and realms.
 *
 * @example
 * ```ts
 * if (isBtpPluginError(error, 'AUTH_REJECTED')) askForANewToken();
 * ```
 */
export function isBtpPluginError(value: unknown, code?: BtpPluginErrorCode): value is BtpPluginError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  if (candidate.name !== 'BtpPluginError' || typeof candidate.code !== 'string') return false;
  return code === undefined ? (BTP_PLUGIN_ERROR_CODES as readonly string[]).includes(candidate.code) : candidate.code === code;
}
