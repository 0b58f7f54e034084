/**
 * The crypto layer: per-connection keys and the AES-256-GCM envelope, conditions and
 * fulfillments, server address tokens, and STREAM receipts. Imports nothing of ours; the
 * primitives come from the build's crypto backend (`node:crypto` under Node, noble in the
 * browser bundle: see backend.ts).
 *
 * @example
 * ```ts
 * import { deriveKeys, fulfillmentMatches } from './crypto';
 * const keys = deriveKeys(sharedSecret);
 * ```
 */
export { deriveKeys, type StreamKeys } from './stream-keys';
export { ENCRYPTION_OVERHEAD } from './envelope';
export { cryptoBackendName } from './backend-name';
export type { CryptoBackendName } from './backend';
export { hmacSha256, sha256 } from './hash';
export { CONDITION_LENGTH, conditionOf, fulfillmentMatches, randomCondition } from './conditions';
export {
  createConnectionToken,
  deriveConnectionTokenKeys,
  openConnectionToken,
  sharedSecretFromToken,
  type ConnectionCredentials,
  type ConnectionTokenContents,
  type ConnectionTokenKeys,
  type ConnectionTokenOptions,
} from './connection-token';
export {
  CONNECTION_TAG_PATTERN,
  MAX_CONNECTION_TAG_LENGTH,
  MAX_TOKEN_SEGMENT_LENGTH,
  SERVER_SECRET_LENGTH,
} from './connection-token-limits';
export {
  createReceipt,
  decodeReceipt,
  verifyReceipt,
  MAX_RECEIPT_STREAM_ID,
  RECEIPT_LENGTH,
  RECEIPT_VERSION,
  type Receipt,
  type ReceiptOptions,
} from './receipt';
export {
  CryptoInputError,
  isCryptoInputError,
  isReceiptError,
  isStreamDecryptError,
  ReceiptError,
  StreamDecryptError,
  type CryptoInputErrorCode,
  type ReceiptErrorCode,
  type StreamDecryptErrorCode,
} from './errors';
