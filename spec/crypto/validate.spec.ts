import { runInNewContext } from 'node:vm';
import { isCryptoInputError } from '../../lib/crypto/errors';
import { describe as describeValue, isBytes, requireBytes } from '../../lib/crypto/validate';

describe('isBytes', () => {
  it('accepts Buffer and Uint8Array', () => {
    expect(isBytes(Buffer.alloc(2))).toBe(true);
    expect(isBytes(new Uint8Array(2))).toBe(true);
  });

  it('accepts a Uint8Array from another realm, where instanceof fails', () => {
    const foreign: unknown = runInNewContext('new Uint8Array([1, 2, 3])');
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(isBytes(foreign)).toBe(true);
  });

  it('rejects other views, arrays, strings and nullish values', () => {
    for (const value of [new Uint16Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(2)), [1, 2], 'ab', null, undefined, new ArrayBuffer(2)]) {
      expect(isBytes(value)).toBe(false);
    }
  });
});

describe('requireBytes', () => {
  it('returns the value when it satisfies the rule', () => {
    const value = Buffer.alloc(32);
    expect(requireBytes('key', value, { length: 32 })).toBe(value);
    expect(requireBytes('key', value, { minLength: 1 })).toBe(value);
  });

  it('names the argument and the problem: type', () => {
    expect(() => requireBytes('serverSecret', 'secret')).toThrow('INVALID_TYPE: serverSecret must be a Uint8Array or Buffer, got string');
  });

  it('names the argument and the problem: exact length', () => {
    let thrown: unknown;
    try {
      requireBytes('serverSecret', Buffer.alloc(31), { length: 32 });
    } catch (error) {
      thrown = error;
    }
    expect(isCryptoInputError(thrown, 'INVALID_LENGTH')).toBe(true);
    expect((thrown as Error).message).toBe('INVALID_LENGTH: serverSecret must be 32 bytes, got 31');
  });

  it('names the argument and the problem: minimum length', () => {
    expect(() => requireBytes('sharedSecret', Buffer.alloc(0), { minLength: 1 })).toThrow(
      'INVALID_LENGTH: sharedSecret must be at least 1 byte, got 0',
    );
  });
});

describe('describe (type names for messages)', () => {
  it('describes without revealing the value', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('array');
    expect(describeValue(new Uint16Array(1))).toBe('Uint16Array');
    expect(describeValue('secret')).toBe('string');
    expect(describeValue(5n)).toBe('bigint');
  });
});
