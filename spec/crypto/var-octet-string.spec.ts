import { readVarOctetString, varOctetStringSize, writeVarOctetString } from '../../lib/crypto/var-octet-string';

function encode(length: number): Buffer {
  const out = Buffer.alloc(varOctetStringSize(length));
  writeVarOctetString(out, 0, Buffer.alloc(length, 0x61));
  return out;
}

describe('VarOctetString (RFC 30 length determinant, I-1)', () => {
  it('RFC 30 examples: 7 -> 07, 130 -> 81 82, 4660 -> 82 12 34', () => {
    expect(encode(7).subarray(0, 1).toString('hex')).toBe('07');
    expect(encode(130).subarray(0, 2).toString('hex')).toBe('8182');
    expect(encode(4660).subarray(0, 3).toString('hex')).toBe('821234');
  });

  it('empty string encodes as 00; 127 and 128 sit on either side of the long form', () => {
    expect(encode(0).toString('hex')).toBe('00');
    expect(varOctetStringSize(127)).toBe(128);
    expect(varOctetStringSize(128)).toBe(130);
    expect(varOctetStringSize(256)).toBe(259);
  });

  it('reads back what it wrote, returning a view and the next offset', () => {
    for (const length of [0, 1, 127, 128, 255, 256, 4660]) {
      const encoded = Buffer.concat([Buffer.from([0xee]), encode(length), Buffer.from([0xff])]);
      const read = readVarOctetString(encoded, 1);
      expect(read?.value.length).toBe(length);
      expect(read?.value.equals(Buffer.alloc(length, 0x61))).toBe(true);
      expect(read?.next).toBe(encoded.length - 1);
    }
  });

  it('refuses non-canonical prefixes as oer-utils does (E13)', () => {
    const cases = [
      '80', // long form with zero length bytes
      '8105' + '61'.repeat(5), // 5 fits the short form
      '820080' + '61'.repeat(128), // leading zero byte
      '85' + '0000000080', // more than four length bytes
    ];
    for (const hex of cases) expect(readVarOctetString(Buffer.from(hex, 'hex'), 0)).toBeUndefined();
  });

  it('refuses truncated input', () => {
    expect(readVarOctetString(Buffer.from('036162', 'hex'), 0)).toBeUndefined();
    expect(readVarOctetString(Buffer.from('8201', 'hex'), 0)).toBeUndefined();
    expect(readVarOctetString(Buffer.alloc(0), 0)).toBeUndefined();
    expect(readVarOctetString(Buffer.from('00', 'hex'), 1)).toBeUndefined();
  });
});
