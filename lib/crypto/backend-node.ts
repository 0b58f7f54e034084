/**
 * The default crypto backend: `node:crypto`. Keys are `KeyObject`s (the key bytes stay out of
 * mutable Buffers), SHA-256 uses the one-shot `crypto.hash` where the runtime has it.
 *
 * Measured on Node 20.20 (100-byte input, median of 5 x 200k calls): one-shot
 * `crypto.hash('sha256', data)` 0.75 us versus `createHash().update().digest()` 1.2 us. For HMAC,
 * `createHmac` (2.0-2.3 us) beat both hand-rolled alternatives: cloning pre-keyed inner and outer
 * hashes with `Hash#copy()` (2.5 us) and two one-shot hashes over concatenated pads (1.75 us at
 * 100 bytes but 4.6 us at 1200 bytes and slower at 32 KiB, because of the copy).
 *
 * @example
 * ```ts
 * import { nodeBackend } from './backend-node';
 * nodeBackend.sha256(Buffer.from('abc')).toString('hex') // 'ba7816bf...'
 * ```
 */
import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { CryptoBackend, SealedBytes, SecretKey } from './backend';

/** `crypto.hash` arrived in Node 20.12; older 20.x releases fall back to `createHash`. */
const hasOneShotHash = typeof (nodeCrypto as { hash?: unknown }).hash === 'function';

const ALGORITHM = 'aes-256-gcm';
const GCM_OPTIONS = { authTagLength: 16 } as const;

function sha256(data: Uint8Array): Buffer {
  if (hasOneShotHash) return nodeCrypto.hash('sha256', data, 'buffer');
  return nodeCrypto.createHash('sha256').update(data).digest();
}

function aesGcmSeal(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array): SealedBytes {
  const cipher = nodeCrypto.createCipheriv(ALGORITHM, key as KeyObject, iv, GCM_OPTIONS);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

function aesGcmOpen(key: SecretKey, iv: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array): Buffer {
  const decipher = nodeCrypto.createDecipheriv(ALGORITHM, key as KeyObject, iv, GCM_OPTIONS);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  // final() is where GCM checks the tag; it returns no bytes for GCM.
  decipher.final();
  return plaintext;
}

/**
 * `node:crypto` behind the {@link CryptoBackend} interface.
 *
 * @example
 * ```ts
 * const key = nodeBackend.importKey(raw32); // a KeyObject
 * ```
 */
export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  importKey: (raw: Uint8Array): SecretKey => nodeCrypto.createSecretKey(raw),
  hmacSha256: (key: SecretKey | Uint8Array, data: Uint8Array): Buffer =>
    nodeCrypto
      .createHmac('sha256', key as KeyObject | Uint8Array)
      .update(data)
      .digest(),
  sha256,
  aesGcmSeal,
  aesGcmOpen,
  randomFill: (target: Uint8Array, offset: number, length: number): void => {
    nodeCrypto.randomFillSync(target, offset, length);
  },
  timingSafeEqual: (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && nodeCrypto.timingSafeEqual(a, b),
});
