/**
 * Typed errors of the SPSP module (IL-RFC 9, IL-RFC 26). Like the rest of the library, each class
 * repeats its `code` at the start of `message` and has a guard that checks `name` and `code`
 * rather than `instanceof`, so guards keep working when two copies of the package are loaded.
 *
 * @example
 * ```ts
 * querySpsp('$example.com').catch((e) => { if (isSpspError(e, 'TIMEOUT')) retryLater(); });
 * ```
 */

/**
 * Every `code` a {@link SpspError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of SPSP_ERROR_CODES) console.log(code);
 * ```
 */
export const SPSP_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_POINTER',
  'INSECURE_URL',
  'TIMEOUT',
  'ABORTED',
  'QUERY_FAILED',
  'HTTP_STATUS',
  'CONTENT_TYPE',
  'INVALID_RESPONSE',
] as const;

/**
 * What went wrong:
 * - `INVALID_ARGUMENT`: a function or option got an unusable value (a caller bug; `field` names it);
 * - `INVALID_POINTER`: not a payment pointer (IL-RFC 26 syntax) nor a usable endpoint URL;
 * - `INSECURE_URL`: the endpoint, or where it redirected to, is not `https:` (plain `http:` is
 *   allowed only with `allowHttp` and a loopback host);
 * - `TIMEOUT`: the query took longer than `timeoutMs`;
 * - `ABORTED`: the caller's `signal` aborted the query;
 * - `QUERY_FAILED`: the HTTP request itself failed (DNS, refused, reset, TLS);
 * - `HTTP_STATUS`: the endpoint answered with a status other than 200 (`status` has it);
 * - `CONTENT_TYPE`: the answer was not `application/spsp4+json`;
 * - `INVALID_RESPONSE`: the body was not JSON, or a field was missing or malformed (`field` names it).
 *
 * @example
 * ```ts
 * const retryable: SpspErrorCode[] = ['TIMEOUT', 'QUERY_FAILED'];
 * ```
 */
export type SpspErrorCode = (typeof SPSP_ERROR_CODES)[number];

/**
 * An SPSP query, payment pointer or SPSP option was unusable. `field` names the argument, option,
 * header or JSON field at fault; `status` is the HTTP status for `HTTP_STATUS`.
 *
 * @example
 * ```ts
 * throw new SpspError('INVALID_RESPONSE', 'shared_secret', 'must decode to 32 bytes, got 16');
 * ```
 */
export class SpspError extends Error {
  override readonly name = 'SpspError';
  readonly status: number | undefined;
  constructor(
    readonly code: SpspErrorCode,
    readonly field: string,
    detail: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(`${code}: ${field} ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

/**
 * True if `value` is an {@link SpspError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isSpspError(err, 'HTTP_STATUS') && err.status === 404) console.log('no such receiver');
 * ```
 */
export function isSpspError(value: unknown, code?: SpspErrorCode): value is SpspError {
  return hasNameAndCode(value, 'SpspError', SPSP_ERROR_CODES, code);
}

/**
 * Every `code` a {@link SpspPaymentError} can carry, for exhaustive handling or display.
 *
 * @example
 * ```ts
 * for (const code of SPSP_PAYMENT_ERROR_CODES) console.log(code);
 * ```
 */
export const SPSP_PAYMENT_ERROR_CODES = ['CONNECT_FAILED', 'SEND_FAILED'] as const;

/**
 * Where a payment to a payment pointer failed once the SPSP query had succeeded:
 * - `CONNECT_FAILED`: the STREAM connection did not open (nothing was sent);
 * - `SEND_FAILED`: the connection or stream failed while sending (some money may have arrived).
 *
 * @example
 * ```ts
 * const code: SpspPaymentErrorCode = 'SEND_FAILED';
 * ```
 */
export type SpspPaymentErrorCode = (typeof SPSP_PAYMENT_ERROR_CODES)[number];

/**
 * A payment to a payment pointer failed after the query. `sent` and `delivered` say how much had
 * moved when it failed, so a caller can settle up or retry just the rest; `cause` is the
 * underlying `ConnectionError` or `StreamError`.
 *
 * @example
 * ```ts
 * payPaymentPointer(options).catch((e) => {
 *   if (isSpspPaymentError(e)) console.log(`delivered ${e.delivered} before ${e.cause}`);
 * });
 * ```
 */
export class SpspPaymentError extends Error {
  override readonly name = 'SpspPaymentError';
  constructor(
    readonly code: SpspPaymentErrorCode,
    readonly sent: bigint,
    readonly delivered: bigint,
    cause: unknown,
  ) {
    super(`${code}: sent ${sent}, delivered ${delivered}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * True if `value` is an {@link SpspPaymentError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isSpspPaymentError(err, 'SEND_FAILED')) refund(err.sent - err.delivered);
 * ```
 */
export function isSpspPaymentError(value: unknown, code?: SpspPaymentErrorCode): value is SpspPaymentError {
  return hasNameAndCode(value, 'SpspPaymentError', SPSP_PAYMENT_ERROR_CODES, code);
}

function hasNameAndCode(value: unknown, name: string, codes: readonly string[], code: string | undefined): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === name &&
    typeof candidate.code === 'string' &&
    (code === undefined ? codes.includes(candidate.code) : candidate.code === code)
  );
}
