import fc from 'fast-check';
import { isMemoryNetworkError } from '../../lib/network';
import { convertAmount, invertRate, maxConvertibleAmount, parseExchangeRate } from '../../lib/network/exchange-rate';

const MAX_U64 = 2n ** 64n - 1n;
const rate = (value: number | string) => parseExchangeRate(value, 'exchangeRate');

describe('exact exchange rates (RFC 27 §overview step 6: the connector applies its rate)', () => {
  it.each<[number | string, bigint, bigint]>([
    [0.5, 1n, 2n],
    ['1.37', 137n, 100n],
    [0.1, 1n, 10n],
    [1e-7, 1n, 10_000_000n],
    ['1e-7', 1n, 10_000_000n],
    ['1.5e3', 1500n, 1n],
    ['.5', 1n, 2n],
    ['2.', 2n, 1n],
    ['0.0625', 1n, 16n],
    ['1/3', 1n, 3n],
    ['6/4', 3n, 2n],
    [' 1.25 ', 5n, 4n],
    [1, 1n, 1n],
  ])('reads %p as %s/%s exactly, reduced', (value, numerator, denominator) => {
    expect(rate(value)).toEqual({ numerator, denominator });
  });

  it.each<unknown>([0, -1, NaN, Infinity, '0', '0.000', '-1', 'abc', '1/0', '0/5', '1e999', '1'.repeat(61), '', {}, null, 5n])(
    'refuses %p with INVALID_OPTION naming the option',
    (value) => {
      let caught: unknown;
      try {
        parseExchangeRate(value, 'exchangeRate');
      } catch (error) {
        caught = error;
      }
      expect(isMemoryNetworkError(caught, 'INVALID_OPTION')).toBe(true);
      expect((caught as Error).message).toContain('exchangeRate');
    },
  );

  it('converts with the floor: result * d <= amount * n < (result + 1) * d (property)', () => {
    const rates = fc.oneof(
      fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n })).map(([n, d]) => `${n}/${d}`),
      fc.double({ min: 1e-9, max: 1e9, noNaN: true }).filter((x) => x > 0),
    );
    fc.assert(
      fc.property(rates, fc.bigInt({ min: 0n, max: MAX_U64 }), (value, amount) => {
        const exact = rate(value);
        const result = convertAmount(amount, exact);
        expect(result * exact.denominator <= amount * exact.numerator).toBe(true);
        expect(amount * exact.numerator < (result + 1n) * exact.denominator).toBe(true);
      }),
    );
  });

  it('floors the examples the reference mock plugin uses (rate 0.5: 117 -> 58)', () => {
    expect(convertAmount(117n, rate(0.5))).toBe(58n);
    expect(convertAmount(1000n, rate('1.37'))).toBe(1370n);
    expect(convertAmount(10n, rate('1/3'))).toBe(3n);
  });

  it('inverts exactly for the server-to-client direction', () => {
    expect(invertRate(rate('1.37'))).toEqual({ numerator: 100n, denominator: 137n });
    expect(convertAmount(1370n, invertRate(rate('1.37')))).toBe(1000n);
  });

  it('knows the largest source amount whose conversion fits a u64 (property)', () => {
    expect(maxConvertibleAmount(rate(2))).toBe(2n ** 63n - 1n);
    expect(maxConvertibleAmount(rate(0.5))).toBe(MAX_U64);
    const rates = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 15n })).map(([n, d]) => rate(`${n}/${d}`));
    fc.assert(
      fc.property(rates, (exact) => {
        const max = maxConvertibleAmount(exact);
        expect(convertAmount(max, exact) <= MAX_U64).toBe(true);
        if (max < MAX_U64) expect(convertAmount(max + 1n, exact) > MAX_U64).toBe(true);
      }),
    );
  });
});
