/**
 * The `shared_secret` of an SPSP response: 32 bytes in base64, or base64url which clients should
 * also accept (IL-RFC 9 §Response Body). Decoding is strict because Node's base64 decoder is not:
 * it skips characters it does not know and ignores stray trailing bits, so a corrupted secret
 * would decode to some other 32 bytes and the connection would fail later and obscurely.
 *
 * @example
 * ```ts
 * decodeSharedSecret('6jR5iNIVRvqeasJeCty6C+YB5X9FhSOUPCL/5nha5Vs='); // Buffer of 32 bytes
 * ```
 */
import { SpspError } from './errors';

/**
 * Bytes in an SPSP shared secret.
 *
 * @example
 * ```ts
 * const secret = randomBytes(SHARED_SECRET_LENGTH);
 * ```
 */
export const SHARED_SECRET_LENGTH = 32;

// 32 bytes are 43 characters (the last carrying 4 bits) and one "=" of padding.
const BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;
const BASE64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=?$/;

/**
 * Decodes a 32-byte secret from canonical base64 or base64url, padded or not. Throws
 * {@link SpspError} `INVALID_RESPONSE` naming `field` for anything else: another type, another
 * length, a mixed alphabet, whitespace, or non-zero padding bits.
 *
 * @example
 * ```ts
 * const secret = decodeSharedSecret(body.shared_secret, 'shared_secret');
 * ```
 */
export function decodeSharedSecret(value: unknown, field = 'shared_secret'): Buffer {
  if (typeof value !== 'string') {
    throw new SpspError('INVALID_RESPONSE', field, `must be a base64 string, got ${value === null ? 'null' : typeof value}`);
  }
  if (!BASE64.test(value) && !BASE64URL.test(value)) {
    throw new SpspError('INVALID_RESPONSE', field, `must be ${SHARED_SECRET_LENGTH} bytes in canonical base64 or base64url (44 characters with padding), got ${value.length} characters`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== SHARED_SECRET_LENGTH) {
    throw new SpspError('INVALID_RESPONSE', field, `must decode to ${SHARED_SECRET_LENGTH} bytes, got ${bytes.length}`);
  }
  return bytes;
}
