import { isIlpArgumentError } from '../../lib/ilp';
import { requireBytes, requireIlpAddress, requireObject, requireString, requireU64 } from '../../lib/ilp/validate';

function argumentOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isIlpArgumentError(error) ? error.argument : 'not an IlpArgumentError';
  }
  return undefined;
}

describe('argument checks', () => {
  it('requireU64 accepts 0..2^64-1 bigints and names anything else', () => {
    expect(requireU64(0n, 'a')).toBe(0n);
    expect(requireU64(2n ** 64n - 1n, 'a')).toBe(2n ** 64n - 1n);
    expect(argumentOf(() => requireU64(2n ** 64n, 'amount'))).toBe('amount');
    expect(argumentOf(() => requireU64(-1n, 'amount'))).toBe('amount');
    expect(argumentOf(() => requireU64(1, 'amount'))).toBe('amount');
  });

  it('requireBytes checks the type, the exact length and the maximum', () => {
    expect(argumentOf(() => requireBytes(Buffer.alloc(4), 'd', 4))).toBeUndefined();
    expect(argumentOf(() => requireBytes(new Uint8Array(2), 'd', 4, 2))).toBeUndefined();
    expect(argumentOf(() => requireBytes(Buffer.alloc(5), 'd', 4))).toBe('d');
    expect(argumentOf(() => requireBytes(Buffer.alloc(3), 'c', 32, 32))).toBe('c');
    expect(argumentOf(() => requireBytes([1, 2], 'd', 4))).toBe('d');
  });

  it('requireIlpAddress follows RFC 15 (15-Addr-a)', () => {
    expect(argumentOf(() => requireIlpAddress('test.a', 'x'))).toBeUndefined();
    expect(argumentOf(() => requireIlpAddress('test', 'x'))).toBe('x');
    expect(argumentOf(() => requireIlpAddress('test.a b', 'x'))).toBe('x');
    expect(argumentOf(() => requireIlpAddress(`test.${'a'.repeat(1018)}`, 'x'))).toBeUndefined();
    expect(argumentOf(() => requireIlpAddress(`test.${'a'.repeat(1019)}`, 'x'))).toBe('x');
  });

  it('requireString and requireObject name the argument', () => {
    expect(argumentOf(() => requireString(1, 's'))).toBe('s');
    expect(argumentOf(() => requireObject(null, 'o'))).toBe('o');
    expect(argumentOf(() => requireObject({}, 'o'))).toBeUndefined();
  });
});
