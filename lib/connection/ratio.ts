/**
 * Exact non-negative rationals over bigint, for exchange rates and slippage. Amounts never touch
 * floating point: a rate of 0.5 is 1/2, and `floor(amount × rate)` is computed exactly.
 *
 * @example
 * ```ts
 * const rate = ratioFrom('0.5');          // { numerator: 5n, denominator: 10n }
 * multiplyFloor(1001n, rate);             // 500n
 * ```
 */

/**
 * numerator / denominator, with denominator > 0.
 *
 * @example
 * ```ts
 * const half: Ratio = { numerator: 1n, denominator: 2n };
 * multiplyFloor(999n, half);              // 499n
 * compareRatios(ratioFrom('0.50'), half); // 0: ratioFrom does not reduce, and 50/100 compares equal to 1/2
 * ```
 */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Parses a non-negative decimal (number or string, e.g. 0.01, '1.37', '1e-3') into an exact ratio.
 * Throws a RangeError naming `field` for anything else.
 *
 * @example
 * ```ts
 * ratioFrom(0.01, 'slippage') // 1/100
 * ```
 */
export function ratioFrom(value: number | string | Ratio, field = 'value'): Ratio {
  if (typeof value === 'object') {
    if (typeof value.numerator !== 'bigint' || typeof value.denominator !== 'bigint' || value.numerator < 0n || value.denominator <= 0n) {
      throw new RangeError(`${field} must be a ratio with numerator >= 0 and denominator > 0`);
    }
    return value;
  }
  if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
    throw new RangeError(`${field} must be a finite number >= 0, got ${String(value)}`);
  }
  const text = typeof value === 'number' ? value.toString() : value.trim();
  const match = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new RangeError(`${field} must be a non-negative decimal, got ${JSON.stringify(value)}`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0') - fraction.length;
  if (Math.abs(exponent) > 60) throw new RangeError(`${field} is out of range: ${JSON.stringify(value)}`);
  const digits = BigInt(whole + fraction);
  return exponent >= 0
    ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n }
    : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

/**
 * floor(amount × ratio).
 *
 * @example
 * ```ts
 * multiplyFloor(3n, { numerator: 1n, denominator: 2n }) // 1n
 * ```
 */
export function multiplyFloor(amount: bigint, ratio: Ratio): bigint {
  return (amount * ratio.numerator) / ratio.denominator;
}

/**
 * ceil(amount × ratio).
 *
 * @example
 * ```ts
 * multiplyCeil(3n, { numerator: 1n, denominator: 2n }) // 2n
 * ```
 */
export function multiplyCeil(amount: bigint, ratio: Ratio): bigint {
  return (amount * ratio.numerator + ratio.denominator - 1n) / ratio.denominator;
}

/**
 * The ratio as a float, for display only.
 *
 * @example
 * ```ts
 * ratioToNumber({ numerator: 1n, denominator: 4n }) // 0.25
 * ```
 */
export function ratioToNumber(ratio: Ratio): number {
  return Number(ratio.numerator) / Number(ratio.denominator);
}

/**
 * Compares two ratios exactly: negative if a < b, zero if equal, positive if a > b.
 *
 * @example
 * ```ts
 * compareRatios({ numerator: 1n, denominator: 2n }, { numerator: 2n, denominator: 4n }) // 0
 * ```
 */
export function compareRatios(a: Ratio, b: Ratio): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}
