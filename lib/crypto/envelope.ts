/**
 * The AES-256-GCM envelope of RFC 29 §5.1.1: `IV(12) ‖ tag(16) ‖ ciphertext`, empty AAD. Node's
 * `getAuthTag()` comes after the ciphertext, so the tag is moved in front of it here. The same
 * envelope seals STREAM packets (under the derived encryption key) and server address tokens
 * (under the raw server secret).
 *
 * The AES itself is the build's crypto backend. Measured with the node backend on Node 20.20,
 * 100-byte plaintext: seal 3.6 us with a pooled IV versus 5.5 us with `randomBytes(12)` and
 * `Buffer.concat`; open 3.2-3.4 us. Keys are prepared backend keys (`KeyObject`s under Node, so
 * that the key bytes are not kept in a mutable Buffer).
 *
 * @example
 * ```ts
 * const data = sealEnvelope(key, plaintext);
 * const back = openEnvelope(key, data); // equals plaintext
 * ```
 */
import { backend } from './active-backend';
import type { SecretKey } from './backend';
import { StreamDecryptError } from './errors';
import { copyRandomBytes } from './random-pool';
import { isBytes } from './validate';

/** Bytes of the random IV at the start of an envelope. */
export const IV_LENGTH = 12;
/** Bytes of the GCM authentication tag that follows the IV. */
export const AUTH_TAG_LENGTH = 16;
/** Bytes an envelope adds to its plaintext (IV plus tag): 28. */
export const ENCRYPTION_OVERHEAD = IV_LENGTH + AUTH_TAG_LENGTH;

/**
 * Encrypts `plaintext` under `key` with a fresh pooled CSPRNG IV. The caller validates inputs.
 *
 * @example
 * ```ts
 * const data = sealEnvelope(backend.importKey(key32), Buffer.from('hi'));
 * ```
 */
export function sealEnvelope(key: SecretKey, plaintext: Uint8Array): Buffer {
  const iv = Buffer.allocUnsafe(IV_LENGTH);
  copyRandomBytes(iv, 0, IV_LENGTH);
  return sealEnvelopeWithIv(key, iv, plaintext);
}

/**
 * Encrypts `plaintext` under `key` with the given IV. Only for test vectors and internal use: an
 * IV must never be reused under the same key (RFC 29 §5.1.1).
 *
 * @example
 * ```ts
 * const data = sealEnvelopeWithIv(key, Buffer.from('77f8d5ea3fc8e08cd4de699f', 'hex'), plaintext);
 * ```
 */
export function sealEnvelopeWithIv(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const { ciphertext, tag } = backend.aesGcmSeal(key, iv, plaintext);
  const out = Buffer.allocUnsafe(ENCRYPTION_OVERHEAD + ciphertext.length);
  out.set(iv, 0);
  out.set(tag, IV_LENGTH);
  out.set(ciphertext, ENCRYPTION_OVERHEAD);
  return out;
}

/**
 * Decrypts an envelope. Throws only {@link StreamDecryptError}, for any input whatsoever.
 *
 * @example
 * ```ts
 * try { openEnvelope(key, data) } catch (e) { // e.code === 'AUTHENTICATION_FAILED' }
 * ```
 */
export function openEnvelope(key: SecretKey, data: unknown): Buffer {
  if (!isBytes(data)) {
    throw new StreamDecryptError('NOT_BYTES', 'data must be a Uint8Array or Buffer');
  }
  if (data.byteLength < ENCRYPTION_OVERHEAD) {
    throw new StreamDecryptError('TOO_SHORT', `got ${data.byteLength} bytes, need at least ${ENCRYPTION_OVERHEAD}`);
  }
  try {
    return backend.aesGcmOpen(key, data.subarray(0, IV_LENGTH), data.subarray(IV_LENGTH, ENCRYPTION_OVERHEAD), data.subarray(ENCRYPTION_OVERHEAD));
  } catch (cause) {
    throw new StreamDecryptError('AUTHENTICATION_FAILED', 'wrong key or tampered data', { cause });
  }
}
