/**
 * Encoded sizes of the canonical OER primitives STREAM uses (RFC 30), computed without encoding.
 * The encoder allocates its output once from these, and the sender fills packets up to the
 * plaintext limit with them, so they must agree with the writer byte for byte.
 *
 * @example
 * ```ts
 * varUIntSize(0n);          // 2: `01 00`
 * varOctetStringSize(300);  // 303: `82 01 2c` + 300 bytes
 * ```
 */

/**
 * Bytes in the minimal big-endian magnitude of a u64 (1..8; zero still takes one byte).
 * The caller guarantees `0 <= value <= 2^64 - 1`.
 *
 * @example
 * ```ts
 * varUIntMagnitudeLength(255n); // 1
 * varUIntMagnitudeLength(256n); // 2
 * ```
 */
export function varUIntMagnitudeLength(value: bigint): number {
  // Comparing against bigint literals allocates nothing, unlike shifting or Number() conversion.
  if (value < 0x1_0000_0000n) {
    if (value < 0x100n) return 1;
    if (value < 0x1_0000n) return 2;
    return value < 0x100_0000n ? 3 : 4;
  }
  if (value < 0x100_0000_0000n) return 5;
  if (value < 0x1_0000_0000_0000n) return 6;
  return value < 0x100_0000_0000_0000n ? 7 : 8;
}

/**
 * Encoded size of a VarUInt: its one-byte length determinant plus the minimal magnitude.
 *
 * @example
 * ```ts
 * varUIntSize(2n ** 64n - 1n); // 9
 * ```
 */
export function varUIntSize(value: bigint): number {
  return 1 + varUIntMagnitudeLength(value);
}

/**
 * Encoded size of a VarUInt holding a JavaScript number (a frame count). The caller guarantees a
 * non-negative safe integer.
 *
 * @example
 * ```ts
 * countVarUIntSize(255); // 2
 * countVarUIntSize(256); // 3
 * ```
 */
export function countVarUIntSize(count: number): number {
  return 1 + unsignedByteLength(count);
}

/**
 * Size of the canonical length determinant for `length` content bytes: one byte below 128, else
 * `0x80 | n` followed by the n-byte minimal big-endian length.
 *
 * @example
 * ```ts
 * lengthPrefixSize(127); // 1
 * lengthPrefixSize(128); // 2
 * ```
 */
export function lengthPrefixSize(length: number): number {
  return length < 0x80 ? 1 : 1 + unsignedByteLength(length);
}

/**
 * Encoded size of a VarOctetString (length determinant plus contents).
 *
 * @example
 * ```ts
 * varOctetStringSize(16_384); // 16_387
 * ```
 */
export function varOctetStringSize(length: number): number {
  return lengthPrefixSize(length) + length;
}

/**
 * Bytes in the minimal big-endian form of a non-negative safe integer (at least one).
 *
 * @example
 * ```ts
 * unsignedByteLength(0x1_0000); // 3
 * ```
 */
export function unsignedByteLength(value: number): number {
  if (value < 0x100) return 1;
  if (value < 0x1_0000) return 2;
  let bytes = 3;
  // Division, not `>>>`, because lengths and counts may exceed 32 bits.
  for (let rest = Math.floor(value / 0x100_0000); rest > 0; rest = Math.floor(rest / 256)) bytes += 1;
  return bytes;
}
