import { OerWriter } from '../../lib/wire/oer-writer';

/** Runs `write` on a writer with room to spare and returns the hex of what it wrote. */
function written(write: (writer: OerWriter) => void): string {
  const writer = new OerWriter(Buffer.alloc(70_000, 0xee));
  write(writer);
  return writer.bytes.subarray(0, writer.position).toString('hex');
}

/** Independent oracle: minimal big-endian hex of a u64. */
function minimalHex(value: bigint): string {
  const hex = value.toString(16);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

const u64Boundaries: bigint[] = [0n];
for (let bits = 8n; bits <= 64n; bits += 8n) u64Boundaries.push((1n << bits) - 1n, ...(bits < 64n ? [1n << bits] : []));
u64Boundaries.push(2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n);

describe('OerWriter (RFC 30, checklist I-1)', () => {
  it.each(u64Boundaries.map((value) => [value]))('writeVarUInt(%p) writes the length then the minimal magnitude', (value) => {
    const magnitude = minimalHex(value);
    const length = (magnitude.length / 2).toString(16).padStart(2, '0');
    expect(written((w) => w.writeVarUInt(value))).toBe(length + magnitude);
  });

  it('I-1 zero is `01 00` and 2^64-1 is `08 ff*8`', () => {
    expect(written((w) => w.writeVarUInt(0n))).toBe('0100');
    expect(written((w) => w.writeVarUInt(2n ** 64n - 1n))).toBe('08ffffffffffffffff');
  });

  it.each([
    [7, '07'],
    [127, '7f'],
    [128, '8180'],
    [130, '8182'],
    [255, '81ff'],
    [256, '820100'],
    [4_660, '821234'],
    [65_536, '83010000'],
  ])('RFC 30 length determinant of %i is %s', (length, hex) => {
    expect(written((w) => w.writeLength(length))).toBe(hex);
  });

  it.each([
    [0, '0100'],
    [255, '01ff'],
    [256, '020100'],
    [2 ** 32 - 1, '04ffffffff'],
    [2 ** 32, '050100000000'],
    [Number.MAX_SAFE_INTEGER, '071fffffffffffff'],
  ])('writeCount(%i) is the VarUInt %s', (count, hex) => {
    expect(written((w) => w.writeCount(count))).toBe(hex);
  });

  it('writeVarOctetString copies the bytes after their length, from any Uint8Array view', () => {
    const backing = new Uint8Array([9, 0x66, 0x6f, 0x6f, 9]);
    expect(written((w) => w.writeVarOctetString(backing.subarray(1, 4)))).toBe('03666f6f');
    expect(written((w) => w.writeVarOctetString(new Uint8Array(0)))).toBe('00');
    const large = written((w) => w.writeVarOctetString(Buffer.alloc(300, 0xab)));
    expect(large.slice(0, 6)).toBe('82012c');
    expect(large.length).toBe(2 * 303);
  });

  it('writeUtf8 writes multi-byte characters with their byte length', () => {
    expect(written((w) => w.writeUtf8('fail', 4))).toBe('046661696c');
    expect(written((w) => w.writeUtf8('€', 3))).toBe('03e282ac');
    expect(written((w) => w.writeUtf8('', 0))).toBe('00');
  });

  it('writeUInt8 writes one byte and advances', () => {
    const writer = new OerWriter(Buffer.alloc(2));
    writer.writeUInt8(1);
    writer.writeUInt8(0x0c);
    expect(writer.position).toBe(2);
    expect(writer.bytes.toString('hex')).toBe('010c');
  });
});
