import fc from 'fast-check';
import { isIlpArgumentError, isIlpPacketError } from '../../lib/ilp';
import { readTimestamp, requireTimestamp, TIMESTAMP_LENGTH, writeTimestamp } from '../../lib/ilp/timestamp';

function written(date: Date): string {
  const buf = Buffer.alloc(TIMESTAMP_LENGTH);
  writeTimestamp(buf, 0, date);
  return buf.toString('ascii');
}

describe('Interledger timestamp (RFC 27 §ILP Prepare expiresAt: YYYYMMDDHHmmSSfff UTC)', () => {
  it('writes the I-7 fixture time as 17 ASCII digits', () => {
    expect(written(new Date('2018-06-07T20:48:42.483Z'))).toBe('20180607204842483');
  });

  it('zero-pads every field, milliseconds included', () => {
    expect(written(new Date('2001-02-03T04:05:06.007Z'))).toBe('20010203040506007');
    expect(written(new Date('0007-01-01T00:00:00.000Z'))).toBe('00070101000000000');
  });

  it('reads the fixture time back as ms since the epoch', () => {
    expect(readTimestamp(Buffer.from('20180607204842483'), 0)).toBe(Date.parse('2018-06-07T20:48:42.483Z'));
  });

  it('reads at an offset, leaving the bytes around it alone', () => {
    expect(readTimestamp(Buffer.from('xx20180607204842483yy'), 2)).toBe(Date.parse('2018-06-07T20:48:42.483Z'));
  });

  it('round-trips every millisecond of years 0..9999 (property)', () => {
    const dates = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(
      fc.property(dates, (date) => {
        const buf = Buffer.alloc(TIMESTAMP_LENGTH);
        writeTimestamp(buf, 0, date);
        expect(readTimestamp(buf, 0)).toBe(date.getTime());
      }),
      { numRuns: 1000 },
    );
  });

  it('reads years below 100 as written, not as 19xx (Date.UTC would)', () => {
    expect(new Date(readTimestamp(Buffer.from('00480229120000000'), 0)).toISOString()).toBe('0048-02-29T12:00:00.000Z');
    expect(new Date(readTimestamp(Buffer.from('00000101000000000'), 0)).toISOString()).toBe('0000-01-01T00:00:00.000Z');
  });

  it.each(['20180230000000000', '20180000000000000', '20180100000000000', '20181232000000000', '20180101240000000', '20180101006000000', '2018010100000000a', '+0180101000000000'])(
    'refuses %s with IlpPacketError INVALID_PACKET',
    (text) => {
      let caught: unknown;
      try {
        readTimestamp(Buffer.from(text), 0);
      } catch (error) {
        caught = error;
      }
      expect(isIlpPacketError(caught, 'INVALID_PACKET')).toBe(true);
    },
  );

  it('accepts 29 February only in leap years (400-year rule included)', () => {
    expect(() => readTimestamp(Buffer.from('20000229000000000'), 0)).not.toThrow();
    expect(() => readTimestamp(Buffer.from('20240229000000000'), 0)).not.toThrow();
    expect(() => readTimestamp(Buffer.from('19000229000000000'), 0)).toThrow();
    expect(() => readTimestamp(Buffer.from('20230229000000000'), 0)).toThrow();
  });

  it.each([new Date(NaN), new Date('+010000-01-01T00:00:00Z'), new Date('-000001-12-31T00:00:00Z'), '2020-01-01', 0])(
    'requireTimestamp refuses %p, naming the argument',
    (value) => {
      let caught: unknown;
      try {
        requireTimestamp(value, 'prepare.expiresAt');
      } catch (error) {
        caught = error;
      }
      expect(isIlpArgumentError(caught) && caught.argument).toBe('prepare.expiresAt');
    },
  );
});
