import * as IlpPacket from 'ilp-packet';
import { IlpErrorCode, isFinal, isRelative, isTemporary } from '../../lib/ilp';

describe('ILP error codes and classes (RFC 27 §error codes, 27-Err-F/T/R)', () => {
  it('defines the same 21 codes as ilp-packet, under the same names', () => {
    expect(Object.entries(IlpErrorCode)).toEqual(Object.entries(IlpPacket.IlpError));
  });

  it.each(Object.values(IlpErrorCode))('classifies %s by its first letter, exactly one class each', (code) => {
    const classes = [isFinal(code), isTemporary(code), isRelative(code)];
    expect(classes).toEqual([code.startsWith('F'), code.startsWith('T'), code.startsWith('R')]);
    expect(classes.filter(Boolean)).toHaveLength(1);
  });

  it('classifies application-specific codes too (F99 final, T99 temporary, R99 relative, T42 temporary)', () => {
    expect([isFinal('F99'), isTemporary('T99'), isRelative('R99'), isTemporary('T42')]).toEqual([true, true, true, true]);
  });

  it('gives false for anything that is not such a code', () => {
    for (const value of ['', 'f08', 'X00', undefined, null, 8]) {
      expect([isFinal(value as string), isTemporary(value as string), isRelative(value as string)]).toEqual([false, false, false]);
    }
  });
});
