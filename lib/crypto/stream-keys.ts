/**
 * Per-connection STREAM keys, derived once from the shared secret (RFC 29 §5.1.2, §6.2).
 *
 * Speed (bench/crypto-floor.ts, Node 20.20, 2-core box, 100-byte packets, one full round trip of
 * 2 encrypt + 2 decrypt + 2 HMAC + 3 SHA-256): plain node:crypto calls as perf-anchor.md wrote
 * them reach about 28k round trips/s, these keys about 40k (pooled IVs and one-shot SHA-256), and
 * ilp-protocol-stream 2.7.1's async helpers about 15.5k. At 1200 bytes: 22k, 25k and 11.7k.
 *
 * @example
 * ```ts
 * const keys = deriveKeys(sharedSecret);
 * const data = keys.encrypt(plaintext);
 * const condition = keys.condition(data);
 * ```
 */
import { backend } from './active-backend';
import { openEnvelope, sealEnvelope } from './envelope';
import { hmacUnchecked, sha256Unchecked } from './hash';
import { requireBytes } from './validate';

// HMAC messages of RFC 29 §5.1.2 and §6.2. Module-private so that nobody can mutate them.
const ENCRYPTION_KEY_STRING = Buffer.from('ilp_stream_encryption', 'ascii');
const FULFILLMENT_KEY_STRING = Buffer.from('ilp_stream_fulfillment', 'ascii');

/**
 * The crypto one STREAM connection needs, with its keys prepared once. Every method is safe to
 * call detached (`const { encrypt } = keys`).
 *
 * @example
 * ```ts
 * const keys = deriveKeys(sharedSecret);
 * keys.decrypt(keys.encrypt(Buffer.from('hi'))).toString() // 'hi'
 * ```
 */
export interface StreamKeys {
  /**
   * AES-256-GCM envelope `IV(12) ‖ tag(16) ‖ ciphertext` with a fresh CSPRNG IV on every call, so
   * a retransmission is re-encrypted under a new IV (RFC 29 §5.1.1). Throws `CryptoInputError`
   * if `plaintext` is not bytes.
   */
  encrypt(plaintext: Uint8Array): Buffer;
  /** Opens an envelope made by {@link StreamKeys.encrypt} on either end. Throws only `StreamDecryptError`, for any input. */
  decrypt(data: Uint8Array): Buffer;
  /** `HMAC(HMAC(secret, "ilp_stream_fulfillment"), data)`, where `data` is the whole encrypted ILP data field (RFC 29 §6.2). */
  fulfillment(data: Uint8Array): Buffer;
  /** `SHA-256(fulfillment(data))`: the execution condition of a fulfillable Prepare (RFC 29 §6.2). */
  condition(data: Uint8Array): Buffer;
}

/**
 * Derives a connection's keys from its shared secret. Call it once per connection and keep the
 * result: it prepares the AES and HMAC keys so that the packet path does no key setup.
 *
 * The secret may be any non-empty length: ilp-protocol-stream does not check it, while
 * `@interledger/pay` requires 32 bytes, which is what every server hands out. Throws
 * `CryptoInputError` if `sharedSecret` is not a non-empty `Uint8Array`.
 *
 * @example
 * ```ts
 * const keys = deriveKeys(Buffer.from(spsp.shared_secret, 'base64'));
 * ```
 */
export function deriveKeys(sharedSecret: Uint8Array): StreamKeys {
  requireBytes('sharedSecret', sharedSecret, { minLength: 1 });
  const rawEncryptionKey = hmacUnchecked(sharedSecret, ENCRYPTION_KEY_STRING);
  const rawFulfillmentKey = hmacUnchecked(sharedSecret, FULFILLMENT_KEY_STRING);
  const encryptionKey = backend.importKey(rawEncryptionKey);
  const fulfillmentKey = backend.importKey(rawFulfillmentKey);
  // The prepared keys hold their own copies; do not leave key bytes lying around in the heap.
  rawEncryptionKey.fill(0);
  rawFulfillmentKey.fill(0);

  const fulfillment = (data: Uint8Array): Buffer => hmacUnchecked(fulfillmentKey, requireBytes('data', data));
  return Object.freeze({
    encrypt: (plaintext: Uint8Array): Buffer => sealEnvelope(encryptionKey, requireBytes('plaintext', plaintext)),
    decrypt: (data: Uint8Array): Buffer => openEnvelope(encryptionKey, data),
    fulfillment,
    condition: (data: Uint8Array): Buffer => sha256Unchecked(fulfillment(data)),
  });
}

/**
 * The packet encryption key `HMAC(sharedSecret, "ilp_stream_encryption")` as bytes. For interop
 * tooling and test vectors; connections use {@link deriveKeys}, which never exposes it.
 *
 * @example
 * ```ts
 * deriveEncryptionKey(Buffer.from('foo')).toString('base64') // 'zfOGMU/uY+EOUCE6tN3WhE77bF/N6pS0wSOmMgEAMEA='
 * ```
 */
export function deriveEncryptionKey(sharedSecret: Uint8Array): Buffer {
  return hmacUnchecked(requireBytes('sharedSecret', sharedSecret, { minLength: 1 }), ENCRYPTION_KEY_STRING);
}

/**
 * The fulfillment key `HMAC(sharedSecret, "ilp_stream_fulfillment")` as bytes. For interop tooling
 * and test vectors.
 *
 * @example
 * ```ts
 * deriveFulfillmentKey(Buffer.from('foo')).toString('base64') // 'lh8nGJCJosvfUePaU0uxxXK3jNvV2Y+5ivt1GH1Muhs='
 * ```
 */
export function deriveFulfillmentKey(sharedSecret: Uint8Array): Buffer {
  return hmacUnchecked(requireBytes('sharedSecret', sharedSecret, { minLength: 1 }), FULFILLMENT_KEY_STRING);
}
