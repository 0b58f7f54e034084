/**
 * Typed errors of the ILP layer. Each class has a fixed `name`, a machine-readable `code` that is
 * repeated at the start of `message`, and an `isXxx()` guard that checks `name` and `code` (not
 * `instanceof`), so the guards keep working when two copies of the package are loaded.
 *
 * Only programming mistakes and protocol failures the caller asked about become errors. An ILP
 * Reject is an ordinary outcome and travels as a value (see `IlpReply`).
 *
 * @example
 * ```ts
 * try { deserializeIlpPrepare(bytes) } catch (e) { if (isIlpPacketError(e)) console.log(e.code) }
 * ```
 */

function hasNameAndCode(value: unknown, name: string, codes: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return candidate.name === name && typeof candidate.code === 'string' && codes.includes(candidate.code);
}

/**
 * Every `code` a {@link IlpPacketError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of ILP_PACKET_ERROR_CODES) console.log(code);
 * ```
 */
export const ILP_PACKET_ERROR_CODES = ['INVALID_PACKET', 'WRONG_TYPE'] as const;

/**
 * Why bytes could not be decoded as the requested ILP packet:
 * `INVALID_PACKET` (truncated, non-canonical length, bad field) or `WRONG_TYPE` (a well-formed
 * envelope of a different packet type, e.g. a Prepare where a reply was expected).
 */
export type IlpPacketErrorCode = (typeof ILP_PACKET_ERROR_CODES)[number];

/**
 * Bytes are not a valid ILP packet of the expected type (RFC 27 §packet format). The deserializers
 * throw this and nothing else, whatever the input.
 *
 * @example
 * ```ts
 * deserializeIlpFulfill(Buffer.from([13, 5])) // throws IlpPacketError INVALID_PACKET
 * ```
 */
export class IlpPacketError extends Error {
  override readonly name = 'IlpPacketError';
  constructor(
    readonly code: IlpPacketErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is an {@link IlpPacketError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isIlpPacketError(err, 'WRONG_TYPE')) return;
 * ```
 */
export function isIlpPacketError(value: unknown, code?: IlpPacketErrorCode): value is IlpPacketError {
  return hasNameAndCode(value, 'IlpPacketError', code === undefined ? ILP_PACKET_ERROR_CODES : [code]);
}

/**
 * A public function of the ILP layer was called with an unusable argument. The message names the
 * argument (for example `prepare.amount`) and says what was wrong with it.
 *
 * @example
 * ```ts
 * serializeIlpPrepare({ ...prepare, amount: -1n }) // throws IlpArgumentError INVALID_ARGUMENT
 * ```
 */
export class IlpArgumentError extends Error {
  override readonly name = 'IlpArgumentError';
  readonly code = 'INVALID_ARGUMENT' as const;
  constructor(
    /** The argument that was wrong, as a path such as `prepare.destination`. */
    readonly argument: string,
    detail: string,
  ) {
    super(`INVALID_ARGUMENT: ${argument} ${detail}`);
  }
}

/**
 * True if `value` is an {@link IlpArgumentError}.
 *
 * @example
 * ```ts
 * if (isIlpArgumentError(err)) console.log(err.argument);
 * ```
 */
export function isIlpArgumentError(value: unknown): value is IlpArgumentError {
  return hasNameAndCode(value, 'IlpArgumentError', ['INVALID_ARGUMENT']);
}

/**
 * Every `code` a {@link IlpPluginError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of ILP_PLUGIN_ERROR_CODES) console.log(code);
 * ```
 */
export const ILP_PLUGIN_ERROR_CODES = ['REGISTER_HANDLER_FAILED'] as const;

/** What went wrong when talking to a plugin. */
export type IlpPluginErrorCode = (typeof ILP_PLUGIN_ERROR_CODES)[number];

/**
 * The plugin refused an operation the ILP layer needs, such as registering a data handler while
 * another one is registered. `cause` holds what the plugin threw.
 *
 * @example
 * ```ts
 * incomingPrepares(plugin).subscribe({ error: (e) => isIlpPluginError(e) && console.log(e.cause) })
 * ```
 */
export class IlpPluginError extends Error {
  override readonly name = 'IlpPluginError';
  constructor(
    readonly code: IlpPluginErrorCode,
    detail: string,
    override readonly cause?: unknown,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is an {@link IlpPluginError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isIlpPluginError(err, 'REGISTER_HANDLER_FAILED')) plugin.deregisterDataHandler();
 * ```
 */
export function isIlpPluginError(value: unknown, code?: IlpPluginErrorCode): value is IlpPluginError {
  return hasNameAndCode(value, 'IlpPluginError', code === undefined ? ILP_PLUGIN_ERROR_CODES : [code]);
}

/**
 * Every `code` a {@link IldcpError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of ILDCP_ERROR_CODES) console.log(code);
 * ```
 */
export const ILDCP_ERROR_CODES = ['ILDCP_REJECTED', 'ILDCP_INVALID_RESPONSE'] as const;

/**
 * Why IL-DCP failed: the parent answered with a Reject (`ILDCP_REJECTED`, including rejects the
 * ILP layer synthesized for a timeout or a plugin failure) or with a Fulfill whose data is not a
 * valid configuration (`ILDCP_INVALID_RESPONSE`).
 */
export type IldcpErrorCode = (typeof ILDCP_ERROR_CODES)[number];

/**
 * IL-DCP (RFC 31) could not obtain this node's address and asset.
 *
 * @example
 * ```ts
 * fetchIldcp(plugin).subscribe({ error: (e) => isIldcpError(e) && console.log(e.ilpCode) })
 * ```
 */
export class IldcpError extends Error {
  override readonly name = 'IldcpError';
  constructor(
    readonly code: IldcpErrorCode,
    detail: string,
    /** The ILP error code of the Reject, for `ILDCP_REJECTED`. */
    readonly ilpCode?: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is an {@link IldcpError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isIldcpError(err, 'ILDCP_REJECTED')) retryLater();
 * ```
 */
export function isIldcpError(value: unknown, code?: IldcpErrorCode): value is IldcpError {
  return hasNameAndCode(value, 'IldcpError', code === undefined ? ILDCP_ERROR_CODES : [code]);
}
