import { IlpPacketType } from '../../lib/wire/types';
import { isIlpPacketError } from '../../lib/ilp';
import { asBuffer, describe as describeValue, lengthPrefixSize, OerReader, openEnvelope, writeLengthPrefix } from '../../lib/ilp/oer';

function prefix(length: number): string {
  const buf = Buffer.alloc(lengthPrefixSize(length));
  expect(writeLengthPrefix(buf, 0, length)).toBe(buf.length);
  return buf.toString('hex');
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('OER length determinants (RFC 30, I-1)', () => {
  it.each([
    [0, '00'],
    [7, '07'],
    [127, '7f'],
    [128, '8180'],
    [130, '8182'],
    [255, '81ff'],
    [256, '820100'],
    [4660, '821234'],
    [65536, '83010000'],
  ])('writes %i as %s (RFC 30 examples: 07, 8182, 821234)', (length, hex) => {
    expect(prefix(length)).toBe(hex);
  });

  it.each([
    ['07', 7],
    ['8182', 130],
    ['821234', 4660],
  ])('reads %s as %i', (hex, length) => {
    const reader = new OerReader(Buffer.from(hex, 'hex'), 0, hex.length / 2);
    expect(reader.lengthPrefix('field')).toBe(length);
    expect(reader.pos).toBe(hex.length / 2);
  });

  it.each([
    ['8105', 'a one-byte value in long form'],
    ['820080', 'a leading zero byte'],
    ['80', 'a zero length-of-length'],
    ['8500000000ff', 'a length-of-length above 4'],
    ['82ff', 'a truncated length'],
    ['', 'nothing at all'],
  ])('refuses %s (%s) with INVALID_PACKET', (hex) => {
    const buf = Buffer.from(hex, 'hex');
    expect(isIlpPacketError(thrown(() => new OerReader(buf, 0, buf.length).lengthPrefix('field')), 'INVALID_PACKET')).toBe(true);
  });

  it('never reads past its end bound, even when the buffer goes on', () => {
    const buf = Buffer.from('03aabbccdd', 'hex');
    const reader = new OerReader(buf, 0, 3);
    expect(isIlpPacketError(thrown(() => reader.varOctetString('data')))).toBe(true);
  });

  it('returns views, not copies', () => {
    const buf = Buffer.from('02aabb', 'hex');
    const view = new OerReader(buf, 0, 3).varOctetString('data');
    buf[1] = 0x11;
    expect(view[0]).toBe(0x11);
  });
});

describe('openEnvelope (RFC 27 §type-length wrapper, 27-Spec-b)', () => {
  it('bounds the reader to the declared contents and ignores trailing bytes', () => {
    const reader = openEnvelope(Buffer.from('0d02aabbcc', 'hex'), IlpPacketType.Fulfill, 'Fulfill');
    expect([reader.pos, reader.end]).toEqual([2, 4]);
  });

  it('tells a wrong type (WRONG_TYPE) from contents shorter than declared (INVALID_PACKET)', () => {
    expect(isIlpPacketError(thrown(() => openEnvelope(Buffer.from('0e00', 'hex'), IlpPacketType.Fulfill, 'Fulfill')), 'WRONG_TYPE')).toBe(true);
    expect(isIlpPacketError(thrown(() => openEnvelope(Buffer.from('0d05aa', 'hex'), IlpPacketType.Fulfill, 'Fulfill')), 'INVALID_PACKET')).toBe(true);
  });

  it('refuses values that are not bytes', () => {
    expect(isIlpPacketError(thrown(() => asBuffer('0d00')), 'INVALID_PACKET')).toBe(true);
    expect(isIlpPacketError(thrown(() => asBuffer(undefined)), 'INVALID_PACKET')).toBe(true);
  });

  it('wraps a Uint8Array without copying', () => {
    const bytes = new Uint8Array([1, 2, 3]).subarray(1);
    const buf = asBuffer(bytes);
    bytes[0] = 9;
    expect([...buf]).toEqual([9, 3]);
  });
});

describe('describe (argument text for error messages)', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [5n, '5n'],
    ['x'.repeat(50), JSON.stringify('x'.repeat(40) + '...')],
    [Buffer.alloc(3), 'a Buffer of 3 bytes'],
    [new Date(5), 'Date(5)'],
    [() => 1, 'a function'],
    [{}, 'an object ([object Object])'],
  ])('shows %p as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
