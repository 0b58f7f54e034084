/**
 * SPSP (IL-RFC 9) and payment pointers (IL-RFC 26): resolve `$example.com/alice`, query it for
 * STREAM credentials, pay it, and serve an SPSP endpoint for a STREAM server. Re-exports only.
 *
 * @example
 * ```ts
 * import { createSpspHandler, payPaymentPointer, querySpsp, resolvePaymentPointer } from 'ilp-stream-rx';
 * ```
 */
export {
  SPSP_ERROR_CODES,
  SPSP_PAYMENT_ERROR_CODES,
  SpspError,
  type SpspErrorCode,
  isSpspError,
  SpspPaymentError,
  type SpspPaymentErrorCode,
  isSpspPaymentError,
} from './errors';
export { resolvePaymentPointer, type ResolvePaymentPointerOptions, MAX_PAYMENT_POINTER_LENGTH } from './payment-pointer';
export { SPSP_ACCEPT, SPSP_LEGACY_MEDIA_TYPE, SPSP_MEDIA_TYPE } from './media-types';
export { type SpspCredentials } from './response-body';
export {
  MAX_SPSP_RESPONSE_BYTES,
  querySpsp,
  type SpspFetch,
  type SpspFetchInit,
  type SpspFetchResponse,
  type SpspQueryOptions,
  type SpspQueryResult,
} from './query';
export type { BodyReader, LimitedBodySource } from './read-body';
export {
  connectToPaymentPointer,
  payPaymentPointer,
  type PaymentPointerConnectOptions,
  type PaymentPointerPayOptions,
  type PaymentTotals,
} from './pay';
export {
  createSpspHandler,
  createSpspMiddleware,
  type SpspCredentialSource,
  type SpspHandlerOptions,
  type SpspMiddleware,
  type SpspRequestHandler,
} from './handler';
