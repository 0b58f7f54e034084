import { countVarUIntSize, lengthPrefixSize, unsignedByteLength, varOctetStringSize, varUIntMagnitudeLength, varUIntSize } from '../../lib/wire/oer-sizes';

/** Independent oracle: bytes of the minimal big-endian form, from the hex digits. */
function hexBytes(value: bigint): number {
  return Math.max(1, Math.ceil(value.toString(16).length / 2));
}

const boundaries: bigint[] = [0n];
for (let bits = 8n; bits <= 64n; bits += 8n) boundaries.push((1n << bits) - 1n, ...(bits < 64n ? [1n << bits] : []));

describe('oer-sizes (RFC 30, checklist I-1)', () => {
  it.each(boundaries.map((value) => [value]))('varUIntMagnitudeLength(%p) is the minimal byte count', (value) => {
    expect(varUIntMagnitudeLength(value)).toBe(hexBytes(value));
    expect(varUIntSize(value)).toBe(1 + hexBytes(value));
  });

  it('I-1 zero takes one magnitude byte (`01 00`), not zero', () => {
    expect(varUIntSize(0n)).toBe(2);
  });

  it.each([
    [0, 1],
    [127, 1],
    [128, 2],
    [255, 2],
    [256, 3],
    [65_535, 3],
    [65_536, 4],
    [2 ** 24, 5],
    [2 ** 32, 6],
  ])('lengthPrefixSize(%i) is %i (short form below 128, else 0x80|n and n bytes)', (length, size) => {
    expect(lengthPrefixSize(length)).toBe(size);
    expect(varOctetStringSize(length)).toBe(size + length);
  });

  it.each([
    [0, 2],
    [255, 2],
    [256, 3],
    [65_535, 3],
    [65_536, 4],
    [2 ** 32, 6],
    [Number.MAX_SAFE_INTEGER, 8],
  ])('countVarUIntSize(%i) is %i', (count, size) => {
    expect(countVarUIntSize(count)).toBe(size);
    expect(countVarUIntSize(count)).toBe(1 + hexBytes(BigInt(count)));
  });

  it('unsignedByteLength agrees with the hex oracle across 2^0..2^53', () => {
    for (let bits = 0; bits <= 53; bits++) {
      const value = 2 ** bits;
      expect(unsignedByteLength(value)).toBe(hexBytes(BigInt(value)));
      expect(unsignedByteLength(value - 1)).toBe(hexBytes(BigInt(value - 1)));
    }
  });
});
