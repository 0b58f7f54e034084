import { isStreamDecodeError, type StreamDecodeErrorCode } from '../../lib/wire/errors';
import { OerReader } from '../../lib/wire/oer-reader';
import { MAX_U64 } from '../../lib/wire/types';

function reader(hex: string): OerReader {
  return new OerReader(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
}

/** Runs `read` and returns the decode error's code and offset, failing if anything else happens. */
function failure(read: () => unknown): { code: StreamDecodeErrorCode; offset: number } {
  try {
    read();
  } catch (error) {
    if (isStreamDecodeError(error)) return { code: error.code, offset: error.offset };
    throw error;
  }
  throw new Error('expected a StreamDecodeError');
}

const u64Boundaries: bigint[] = [0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 0x0123_4567_89ab_cdefn];
for (let bits = 8n; bits <= 64n; bits += 8n) u64Boundaries.push((1n << bits) - 1n, ...(bits < 64n ? [1n << bits] : []));

describe('OerReader (RFC 30, checklist I-1)', () => {
  it.each(u64Boundaries.map((value) => [value]))('readVarUInt decodes %p from its minimal encoding', (value) => {
    const hex = value.toString(16).padStart(2, '0');
    const magnitude = hex.length % 2 === 0 ? hex : `0${hex}`;
    const r = reader((magnitude.length / 2).toString(16).padStart(2, '0') + magnitude);
    expect(r.readVarUInt('v')).toBe(value);
    expect(r.position).toBe(1 + magnitude.length / 2);
  });

  it('E12 rejects a zero-length VarUInt (`00`)', () => {
    expect(failure(() => reader('00').readVarUInt('sequence'))).toEqual({ code: 'VARUINT_EMPTY', offset: 0 });
    expect(failure(() => reader('00').readSaturatingVarUInt('receiveMax'))).toEqual({ code: 'VARUINT_EMPTY', offset: 0 });
    expect(failure(() => reader('00').readCount('frame count'))).toEqual({ code: 'VARUINT_EMPTY', offset: 0 });
  });

  it('E12 accepts leading zeros within 8 bytes (`02 00 05`, `08 00..01`)', () => {
    expect(reader('020005').readVarUInt('v')).toBe(5n);
    expect(reader('08 00000000 00000001').readVarUInt('v')).toBe(1n);
    expect(reader('08 00ffffff ffffffff').readVarUInt('v')).toBe(2n ** 56n - 1n);
    expect(reader('0400000003').readCount('c')).toBe(3);
  });

  it('E10 rejects a VarUInt wider than 8 bytes, even when its value would fit', () => {
    expect(failure(() => reader('09 00 ffffffffffffffff').readVarUInt('offset'))).toEqual({ code: 'VARUINT_TOO_LARGE', offset: 0 });
    expect(failure(() => reader('09 01 0000000000000000').readCount('frame count'))).toEqual({ code: 'VARUINT_TOO_LARGE', offset: 0 });
  });

  it('29-5.1.4-b/c readSaturatingVarUInt turns anything wider than 8 bytes into 2^64-1 and moves past it', () => {
    const r = reader('09 010000000000000000 0201c8');
    expect(r.readSaturatingVarUInt('receiveMax')).toBe(MAX_U64);
    expect(r.readVarUInt('totalReceived')).toBe(456n);
    const wide = new OerReader(Buffer.concat([Buffer.from('81c8', 'hex'), Buffer.alloc(200, 0xff)]));
    expect(wide.readSaturatingVarUInt('sendMax')).toBe(MAX_U64);
    expect(wide.position).toBe(202);
    expect(reader('0203e8').readSaturatingVarUInt('receiveMax')).toBe(1000n);
  });

  it('29-5.1.4-b a saturating field still needs all its bytes and a canonical length', () => {
    expect(failure(() => reader('09 0100').readSaturatingVarUInt('receiveMax'))).toEqual({ code: 'TRUNCATED', offset: 0 });
    expect(failure(() => reader('8109 010000000000000000').readSaturatingVarUInt('receiveMax'))).toEqual({
      code: 'NON_CANONICAL_LENGTH',
      offset: 0,
    });
  });

  it.each([
    ['the indefinite form `80`', '80'],
    ['the long form for a length below 128 (`81 05`)', '8105 0000000000'],
    ['the long form for 127 (`81 7f`)', '817f' + '00'.repeat(127)],
    ['a leading zero byte in the length (`82 00 ff`)', '8200ff' + '00'.repeat(255)],
  ])('E13 rejects a non-canonical length determinant: %s', (_label, hex) => {
    expect(failure(() => reader(hex).readLength('data'))).toEqual({ code: 'NON_CANONICAL_LENGTH', offset: 0 });
  });

  it('E13 accepts canonical long forms (`81 80`, `82 01 00`)', () => {
    expect(new OerReader(Buffer.concat([Buffer.from('8180', 'hex'), Buffer.alloc(128)])).readLength('data')).toBe(128);
    expect(new OerReader(Buffer.concat([Buffer.from('820100', 'hex'), Buffer.alloc(256)])).readLength('data')).toBe(256);
  });

  it('reports a length longer than the remaining bytes as TRUNCATED at the determinant', () => {
    expect(failure(() => reader('05 01020304').readLength('data'))).toEqual({ code: 'TRUNCATED', offset: 0 });
    const r = reader('ff 820100 00');
    r.readUInt8('skip');
    expect(failure(() => r.readLength('data'))).toEqual({ code: 'TRUNCATED', offset: 1 });
    expect(failure(() => reader('82 01').readLength('data'))).toEqual({ code: 'TRUNCATED', offset: 0 });
  });

  it('reports reading past the end as TRUNCATED with the offset of the field', () => {
    expect(failure(() => reader('').readUInt8('version'))).toEqual({ code: 'TRUNCATED', offset: 0 });
    const r = reader('0100 03 0102');
    r.readVarUInt('sequence');
    expect(failure(() => r.readVarUInt('prepareAmount'))).toEqual({ code: 'TRUNCATED', offset: 2 });
  });

  it('inside a frame, overrunning the frame is FRAME_LENGTH_MISMATCH, not TRUNCATED', () => {
    const r = reader('0201c8 0100');
    r.enterFrame(2);
    expect(failure(() => r.readVarUInt('offset'))).toEqual({ code: 'FRAME_LENGTH_MISMATCH', offset: 0 });
    const s = reader('0201c8 0100');
    s.enterFrame(3);
    expect(s.readVarUInt('offset')).toBe(456n);
    s.leaveFrame();
    expect(s.readVarUInt('next')).toBe(0n);
  });

  it('readVarOctetString returns a view of the input, not a copy', () => {
    const input = Buffer.from('03616263ff', 'hex');
    const view = new OerReader(input).readVarOctetString('data');
    expect(view.toString()).toBe('abc');
    input[1] = 0x7a;
    expect(view.toString()).toBe('zbc');
    expect(view.buffer).toBe(input.buffer);
  });

  it('E37 readUtf8 decodes invalid UTF-8 lossily as U+FFFD instead of failing', () => {
    expect(reader('03 61ff62').readUtf8('errorMessage')).toBe('a\ufffdb');
    expect(reader('03 e282ac').readUtf8('errorMessage')).toBe('€');
    expect(reader('00').readUtf8('errorMessage')).toBe('');
  });

  it('readCount returns small counts exactly and huge ones as a number beyond any input', () => {
    expect(reader('0102').readCount('c')).toBe(2);
    expect(reader('08ffffffffffffffff').readCount('c')).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
  });
});
