/**
 * The crypto backend seam: the few primitives STREAM needs (RFC 29 §5.1, §6), behind one small
 * interface so that the same key derivation, envelope, token and receipt code runs on
 * `node:crypto` in Node and on @noble/ciphers + @noble/hashes in browsers.
 *
 * Why a synchronous interface: the whole packet path (encrypt, decrypt, fulfillment, condition)
 * is synchronous, so that a connection can decide about an incoming Prepare in the same tick and
 * marble tests can drive it in virtual time. WebCrypto only offers Promises, which would force an
 * `await` into every packet and break both; noble is synchronous and keeps the same API.
 *
 * Which implementation a program gets is fixed when it is built, not at run time:
 * `active-backend.ts` names the node one, and the browser build replaces that file by
 * `active-backend.browser.ts` (see scripts/build-browser.ts), so Node never loads noble and a
 * browser bundle never contains `node:crypto`.
 *
 * @example
 * ```ts
 * import { backend } from './active-backend';
 * const key = backend.importKey(rawKey32);
 * const { ciphertext, tag } = backend.aesGcmSeal(key, iv12, plaintext);
 * ```
 */

/**
 * A prepared secret key. Opaque: a `KeyObject` in the node backend, a private object holding the
 * key bytes and a pre-keyed HMAC in the noble backend. Only the backend that made it may use it.
 *
 * @example
 * ```ts
 * const key: SecretKey = backend.importKey(raw);
 * ```
 */
export type SecretKey = object;

/**
 * Names of the two implementations.
 *
 * @example
 * ```ts
 * const name: CryptoBackendName = cryptoBackendName(); // 'node' under Node, 'noble' in the browser bundle
 * ```
 */
export type CryptoBackendName = 'node' | 'noble';

/**
 * AES-256-GCM output as the primitive gives it; the envelope (envelope.ts) arranges the bytes.
 *
 * @example
 * ```ts
 * const { ciphertext, tag }: SealedBytes = backend.aesGcmSeal(key, iv, plaintext);
 * ```
 */
export interface SealedBytes {
  /** Same length as the plaintext. */
  readonly ciphertext: Uint8Array;
  /** The 16-byte GCM authentication tag. */
  readonly tag: Uint8Array;
}

/**
 * The primitives. Callers validate their arguments first; a backend only computes. Every method
 * may be called detached.
 *
 * @example
 * ```ts
 * const mac = backend.hmacSha256(backend.importKey(secret), data);
 * ```
 */
export interface CryptoBackend {
  /** Which implementation this is. */
  readonly name: CryptoBackendName;
  /** Prepares a key from its raw bytes (copied: the caller may wipe them afterwards). */
  importKey(raw: Uint8Array): SecretKey;
  /** HMAC-SHA256 (32 bytes) keyed by a prepared key or by raw key bytes. */
  hmacSha256(key: SecretKey | Uint8Array, data: Uint8Array): Buffer;
  /** SHA-256 (32 bytes). */
  sha256(data: Uint8Array): Buffer;
  /** AES-256-GCM with a 12-byte IV, empty AAD and a 16-byte tag. */
  aesGcmSeal(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array): SealedBytes;
  /** Opens AES-256-GCM (12-byte IV, 16-byte tag, empty AAD); throws if the tag does not verify. */
  aesGcmOpen(key: SecretKey, iv: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array): Buffer;
  /** Fills `target[offset, offset + length)` with CSPRNG bytes. */
  randomFill(target: Uint8Array, offset: number, length: number): void;
  /** Compares in time that depends only on the length; `false` for different lengths. */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
