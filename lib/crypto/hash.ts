/**
 * SHA-256 and HMAC-SHA256, the only hash functions STREAM uses (RFC 29 §5.1.2, §6), computed by
 * the build's crypto backend (backend-node.ts records why its calls are the fast ones).
 *
 * @example
 * ```ts
 * const condition = sha256(fulfillment);
 * ```
 */
import { backend } from './active-backend';
import type { SecretKey } from './backend';
import { requireBytes } from './validate';

/**
 * SHA-256 of `data`, without argument checks, for the packet path where the caller already
 * validated its input.
 *
 * @example
 * ```ts
 * const digest = sha256Unchecked(Buffer.from('abc'));
 * ```
 */
export function sha256Unchecked(data: Uint8Array): Buffer {
  return backend.sha256(data);
}

/**
 * HMAC-SHA256 keyed by a prepared key (from `backend.importKey`) or raw key bytes, without
 * argument checks.
 *
 * @example
 * ```ts
 * const mac = hmacUnchecked(backend.importKey(key), data);
 * ```
 */
export function hmacUnchecked(key: SecretKey | Uint8Array, data: Uint8Array): Buffer {
  return backend.hmacSha256(key, data);
}

/**
 * SHA-256 digest (32 bytes) of `data`.
 *
 * @example
 * ```ts
 * sha256(Buffer.alloc(32)).toString('base64') // 'Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU='
 * ```
 */
export function sha256(data: Uint8Array): Buffer {
  return sha256Unchecked(requireBytes('data', data));
}

/**
 * HMAC-SHA256 (32 bytes) of `data` under `key`. Any key length is accepted, as HMAC allows
 * (an empty key too); STREAM's own keys are 32 bytes.
 *
 * @example
 * ```ts
 * const encryptionKey = hmacSha256(sharedSecret, Buffer.from('ilp_stream_encryption'));
 * ```
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return hmacUnchecked(requireBytes('key', key), requireBytes('data', data));
}
