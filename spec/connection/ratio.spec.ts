import { multiplyCeil, multiplyFloor, ratioFrom, ratioToNumber } from '../../lib/connection/ratio';

describe('ratio', () => {
  it.each([
    ['0.5', 1000n, 500n],
    ['1.37', 1000n, 1370n],
    [0.01, 12345n, 123n],
    ['1e-3', 1_000_000n, 1000n],
    ['2E2', 3n, 600n],
    [0, 999n, 0n],
  ])('ratioFrom(%p) × %p floors exactly to %p', (input, amount, expected) => {
    expect(multiplyFloor(amount, ratioFrom(input))).toBe(expected);
  });

  it('multiplyCeil rounds up only when there is a remainder', () => {
    const half = ratioFrom('0.5');
    expect(multiplyCeil(3n, half)).toBe(2n);
    expect(multiplyCeil(4n, half)).toBe(2n);
  });

  it('keeps precision beyond 2^53 (no floats on amounts)', () => {
    const amount = 2n ** 64n - 1n;
    expect(multiplyFloor(amount, ratioFrom('0.5'))).toBe((2n ** 64n - 1n) / 2n);
  });

  it.each([[-1], [Number.NaN], [Infinity], ['abc'], ['-0.5'], ['1e999']])('rejects %p', (input) => {
    expect(() => ratioFrom(input as number | string, 'rate')).toThrow(/rate/);
  });

  it('ratioToNumber is for display', () => {
    expect(ratioToNumber(ratioFrom('0.25'))).toBe(0.25);
  });
});
