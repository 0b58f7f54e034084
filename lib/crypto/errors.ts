/**
 * Typed errors of the crypto layer. Each carries a string `code` that is repeated at the start of
 * `message`, and each has a guard that checks `name` and `code` rather than `instanceof`, so the
 * guards keep working when two copies of this package are loaded.
 *
 * @example
 * ```ts
 * try { keys.decrypt(data) } catch (e) { if (isStreamDecryptError(e)) return rejectF06() }
 * ```
 */

/** Why an envelope could not be opened. */
export type StreamDecryptErrorCode = 'NOT_BYTES' | 'TOO_SHORT' | 'AUTHENTICATION_FAILED';

/**
 * An AES-256-GCM envelope (RFC 29 §5.1.1) could not be decrypted: the input was not bytes, was
 * shorter than the 28-byte IV and tag, or failed authentication (wrong key or tampered data).
 * `StreamKeys.decrypt` throws nothing else, whatever it is given.
 *
 * @example
 * ```ts
 * throw new StreamDecryptError('TOO_SHORT', 'got 3 bytes, need at least 28');
 * ```
 */
export class StreamDecryptError extends Error {
  override readonly name = 'StreamDecryptError';
  constructor(
    readonly code: StreamDecryptErrorCode,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/**
 * True if `value` is a {@link StreamDecryptError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isStreamDecryptError(err, 'AUTHENTICATION_FAILED')) console.log('wrong key or tampered');
 * ```
 */
export function isStreamDecryptError(value: unknown, code?: StreamDecryptErrorCode): value is StreamDecryptError {
  return hasNameAndCode(value, 'StreamDecryptError', DECRYPT_CODES, code);
}

/** What was wrong with an argument given to a crypto function. */
export type CryptoInputErrorCode = 'INVALID_TYPE' | 'INVALID_LENGTH' | 'INVALID_VALUE' | 'OUT_OF_RANGE';

/**
 * A crypto function was called with a bad argument. `argument` names the parameter (or option)
 * that was wrong; the message says what was expected. This is a programming error on the caller's
 * side, never a reaction to bytes from the network.
 *
 * @example
 * ```ts
 * throw new CryptoInputError('INVALID_LENGTH', 'serverSecret', 'must be 32 bytes, got 16');
 * ```
 */
export class CryptoInputError extends Error {
  override readonly name = 'CryptoInputError';
  constructor(
    readonly code: CryptoInputErrorCode,
    readonly argument: string,
    detail: string,
  ) {
    super(`${code}: ${argument} ${detail}`);
  }
}

/**
 * True if `value` is a {@link CryptoInputError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isCryptoInputError(err, 'INVALID_LENGTH')) console.log(err.argument);
 * ```
 */
export function isCryptoInputError(value: unknown, code?: CryptoInputErrorCode): value is CryptoInputError {
  return hasNameAndCode(value, 'CryptoInputError', INPUT_CODES, code);
}

/** Why a STREAM receipt (RFC 39) was refused. */
export type ReceiptErrorCode = 'WRONG_LENGTH' | 'UNSUPPORTED_VERSION' | 'INVALID_HMAC';

/**
 * A STREAM receipt (deprecated RFC 39) is malformed or does not verify.
 *
 * @example
 * ```ts
 * throw new ReceiptError('WRONG_LENGTH', 'a receipt is 58 bytes, got 57');
 * ```
 */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(
    readonly code: ReceiptErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * True if `value` is a {@link ReceiptError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isReceiptError(err, 'INVALID_HMAC')) refuseCredit();
 * ```
 */
export function isReceiptError(value: unknown, code?: ReceiptErrorCode): value is ReceiptError {
  return hasNameAndCode(value, 'ReceiptError', RECEIPT_CODES, code);
}

const DECRYPT_CODES: ReadonlySet<string> = new Set<StreamDecryptErrorCode>([
  'NOT_BYTES',
  'TOO_SHORT',
  'AUTHENTICATION_FAILED',
]);
const INPUT_CODES: ReadonlySet<string> = new Set<CryptoInputErrorCode>([
  'INVALID_TYPE',
  'INVALID_LENGTH',
  'INVALID_VALUE',
  'OUT_OF_RANGE',
]);
const RECEIPT_CODES: ReadonlySet<string> = new Set<ReceiptErrorCode>([
  'WRONG_LENGTH',
  'UNSUPPORTED_VERSION',
  'INVALID_HMAC',
]);

function hasNameAndCode(value: unknown, name: string, codes: ReadonlySet<string>, code: string | undefined): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  if (candidate.name !== name || typeof candidate.code !== 'string' || !codes.has(candidate.code)) return false;
  return code === undefined || candidate.code === code;
}
