/**
 * The browser crypto backend: @noble/ciphers (AES-256-GCM) and @noble/hashes (SHA-256, HMAC),
 * with randomness from WebCrypto's synchronous `crypto.getRandomValues`.
 *
 * Why noble: both libraries are independently audited (Cure53: @noble/hashes in 2022,
 * @noble/ciphers 1.0.0 in 2024), have no dependencies, ship CommonJS and ESM, and are
 * synchronous, which the packet path needs (WebCrypto's `subtle` is Promise-only). They aim at
 * algorithmic constant time; their AES uses T-tables, as OpenSSL's and Go's portable AES do, whose
 * cache timing is a concern only for an attacker sharing the CPU with the page, and the keys at
 * stake are per-connection STREAM keys. Comparisons of secrets (fulfillments, receipt HMACs) use
 * noble's constant-time `equalBytes`.
 *
 * Cost: noble is pure JavaScript and several times slower than OpenSSL per packet (see the report
 * printed by spec/crypto/backends.spec.ts); that only matters for a browser sending thousands of
 * packets per second.
 *
 * @example
 * ```ts
 * import { nobleBackend } from './backend-noble';
 * nobleBackend.sha256(new Uint8Array([0x61, 0x62, 0x63])).toString('hex') // 'ba7816bf...'
 * ```
 */
import { gcm } from '@noble/ciphers/aes';
import { equalBytes } from '@noble/ciphers/utils';
import { hmac } from '@noble/hashes/hmac';
import { sha256 as nobleSha256 } from '@noble/hashes/sha256';
import type { CryptoBackend, SealedBytes, SecretKey } from './backend';

/** `getRandomValues` refuses more than 65,536 bytes per call. */
const MAX_RANDOM_CHUNK = 65_536;

type Hmac = ReturnType<typeof hmac.create>;

/** A key prepared once: its bytes for AES, and an HMAC whose inner and outer pads are already hashed. */
class NobleSecretKey {
  readonly raw: Uint8Array;
  readonly keyedHmac: Hmac;

  constructor(raw: Uint8Array) {
    this.raw = Uint8Array.from(raw);
    this.keyedHmac = hmac.create(nobleSha256, this.raw);
  }
}

/**
 * A plain `Uint8Array` view of the same memory. noble recognises bytes by `instanceof Uint8Array`
 * or a constructor named `Uint8Array`, which a `Buffer` from another realm (a Jest sandbox, a
 * polyfill) is not; the view costs no copy.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function keyOf(key: SecretKey): NobleSecretKey {
  if (key instanceof NobleSecretKey) return key;
  throw new TypeError('not a key of the noble backend');
}

function hmacSha256(key: SecretKey | Uint8Array, data: Uint8Array): Buffer {
  if (key instanceof NobleSecretKey) return asBuffer(key.keyedHmac.clone().update(plain(data)).digest());
  return asBuffer(hmac(nobleSha256, plain(key as Uint8Array), plain(data)));
}

function aesGcmSeal(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array): SealedBytes {
  // noble returns ciphertext ‖ tag in one array: hand out views, not copies.
  const sealed = gcm(keyOf(key).raw, plain(iv)).encrypt(plain(plaintext));
  const tagStart = sealed.length - 16;
  return { ciphertext: sealed.subarray(0, tagStart), tag: sealed.subarray(tagStart) };
}

function aesGcmOpen(key: SecretKey, iv: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array): Buffer {
  const joined = new Uint8Array(ciphertext.byteLength + tag.byteLength);
  joined.set(ciphertext, 0);
  joined.set(tag, ciphertext.byteLength);
  return asBuffer(gcm(keyOf(key).raw, plain(iv)).decrypt(joined));
}

function randomFill(target: Uint8Array, offset: number, length: number): void {
  const view = new Uint8Array(target.buffer, target.byteOffset + offset, length);
  for (let start = 0; start < length; start += MAX_RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(view.subarray(start, Math.min(length, start + MAX_RANDOM_CHUNK)));
  }
}

/**
 * @noble/ciphers + @noble/hashes behind the {@link CryptoBackend} interface.
 *
 * @example
 * ```ts
 * const key = nobleBackend.importKey(raw32);
 * const mac = nobleBackend.hmacSha256(key, data);
 * ```
 */
export const nobleBackend: CryptoBackend = Object.freeze({
  name: 'noble',
  importKey: (raw: Uint8Array): SecretKey => new NobleSecretKey(plain(raw)),
  hmacSha256,
  sha256: (data: Uint8Array): Buffer => asBuffer(nobleSha256(plain(data))),
  aesGcmSeal,
  aesGcmOpen,
  randomFill,
  timingSafeEqual: (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && equalBytes(plain(a), plain(b)),
});
