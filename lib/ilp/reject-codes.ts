/**
 * ILP error codes (IL-RFC 27 §error codes) and their three classes: Final (F), Temporary (T) and
 * Relative (R). The class is what a sender acts on: T is retried after a delay, R may be retried
 * with more margin, F only if something about the packet changes (STREAM retries F08 and F99).
 *
 * @example
 * ```ts
 * if (isTemporary(reject.code)) retryWithBackoff();
 * ```
 */

/** The ILP error codes RFC 27 defines. Other three-character codes are valid on the wire too. */
export enum IlpErrorCode {
  F00_BAD_REQUEST = 'F00',
  F01_INVALID_PACKET = 'F01',
  F02_UNREACHABLE = 'F02',
  F03_INVALID_AMOUNT = 'F03',
  F04_INSUFFICIENT_DESTINATION_AMOUNT = 'F04',
  F05_WRONG_CONDITION = 'F05',
  F06_UNEXPECTED_PAYMENT = 'F06',
  F07_CANNOT_RECEIVE = 'F07',
  F08_AMOUNT_TOO_LARGE = 'F08',
  F99_APPLICATION_ERROR = 'F99',
  T00_INTERNAL_ERROR = 'T00',
  T01_PEER_UNREACHABLE = 'T01',
  T02_PEER_BUSY = 'T02',
  T03_CONNECTOR_BUSY = 'T03',
  T04_INSUFFICIENT_LIQUIDITY = 'T04',
  T05_RATE_LIMITED = 'T05',
  T99_APPLICATION_ERROR = 'T99',
  R00_TRANSFER_TIMED_OUT = 'R00',
  R01_INSUFFICIENT_SOURCE_AMOUNT = 'R01',
  R02_INSUFFICIENT_TIMEOUT = 'R02',
  R99_APPLICATION_ERROR = 'R99',
}

/**
 * True for a Final error code (`F..`): do not retry unless the packet changes (RFC 27 §F__).
 * Anything that is not a string is not a code and gives false.
 *
 * @example
 * ```ts
 * isFinal('F08') // true
 * ```
 */
export function isFinal(code: string): boolean {
  return typeof code === 'string' && code.charCodeAt(0) === 0x46;
}

/**
 * True for a Temporary error code (`T..`): retry, possibly after a delay (RFC 27 §T__).
 *
 * @example
 * ```ts
 * isTemporary('T04') // true
 * ```
 */
export function isTemporary(code: string): boolean {
  return typeof code === 'string' && code.charCodeAt(0) === 0x54;
}

/**
 * True for a Relative error code (`R..`): not enough margin in money or time; a retry needs more
 * of it and should not go on forever (RFC 27 §R__).
 *
 * @example
 * ```ts
 * isRelative('R00') // true
 * ```
 */
export function isRelative(code: string): boolean {
  return typeof code === 'string' && code.charCodeAt(0) === 0x52;
}
