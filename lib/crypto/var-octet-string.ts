/**
 * The OER VarOctetString (RFC 30): a length determinant followed by that many bytes. The crypto
 * layer needs it only for the plaintext of server address tokens; the packet codec in lib/wire
 * has its own, because lib/crypto imports nothing else of ours.
 *
 * Reading is canonical like oer-utils: a long-form prefix (`0x80 | n`) must use n >= 1 bytes with
 * no shorter encoding possible, and a length below 128 must use the one-byte form.
 *
 * @example
 * ```ts
 * const out = Buffer.alloc(varOctetStringSize(3));
 * writeVarOctetString(out, 0, Buffer.from('abc'));     // 03 61 62 63
 * readVarOctetString(out, 0);                          // { value: <61 62 63>, next: 4 }
 * ```
 */

/** Longest length prefix accepted when reading (4 bytes: up to 4 GiB, far beyond any token). */
const MAX_PREFIX_BYTES = 4;

/**
 * Bytes the encoding of a `length`-byte string takes, prefix included.
 *
 * @example
 * ```ts
 * varOctetStringSize(200) // 202: 0x81 0xc8 then 200 bytes
 * ```
 */
export function varOctetStringSize(length: number): number {
  return prefixSize(length) + length;
}

/**
 * Writes `value` as a VarOctetString into `target` at `offset` and returns the offset after it.
 * The caller sizes `target` with {@link varOctetStringSize}.
 *
 * @example
 * ```ts
 * const next = writeVarOctetString(buffer, 18, tagBytes);
 * ```
 */
export function writeVarOctetString(target: Buffer, offset: number, value: Uint8Array): number {
  const length = value.byteLength;
  let cursor = offset;
  if (length < 0x80) {
    target[cursor++] = length;
  } else {
    const lengthBytes = prefixSize(length) - 1;
    target[cursor++] = 0x80 | lengthBytes;
    target.writeUIntBE(length, cursor, lengthBytes);
    cursor += lengthBytes;
  }
  target.set(value, cursor);
  return cursor + length;
}

/**
 * A value read from a buffer and the offset just past it.
 *
 * @example
 * ```ts
 * const { value, next }: ReadVarOctetString = readVarOctetString(buffer, 0) ?? fail();
 * ```
 */
export interface ReadVarOctetString {
  /** A view into the source buffer (not a copy). */
  readonly value: Buffer;
  /** Offset of the first byte after the string. */
  readonly next: number;
}

/**
 * Reads a VarOctetString from `source` at `offset`, or `undefined` if the prefix is not canonical
 * or the bytes run out.
 *
 * @example
 * ```ts
 * const tag = readVarOctetString(plaintext, 18);
 * if (tag === undefined) return undefined;
 * ```
 */
export function readVarOctetString(source: Buffer, offset: number): ReadVarOctetString | undefined {
  if (offset >= source.length) return undefined;
  const first = source[offset] as number;
  let cursor = offset + 1;
  let length = first;
  if (first & 0x80) {
    const lengthBytes = first & 0x7f;
    if (lengthBytes === 0 || lengthBytes > MAX_PREFIX_BYTES || cursor + lengthBytes > source.length) return undefined;
    length = source.readUIntBE(cursor, lengthBytes);
    cursor += lengthBytes;
    if (prefixSize(length) !== lengthBytes + 1) return undefined;
  }
  if (cursor + length > source.length) return undefined;
  return { value: source.subarray(cursor, cursor + length), next: cursor + length };
}

function prefixSize(length: number): number {
  if (length < 0x80) return 1;
  let bytes = 1;
  while (length >= 2 ** (8 * bytes)) bytes++;
  return 1 + bytes;
}
