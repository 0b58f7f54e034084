/**
 * Exact exchange rates for the in-memory connector: a rate is a reduced fraction of bigints, so
 * `'1.37'` is exactly 137/100 and converting an amount is `floor(amount * numerator / denominator)`
 * with no floating point anywhere (RFC 27 §overview step 6: the connector applies its rate).
 *
 * @example
 * ```ts
 * convertAmount(1000n, parseExchangeRate('1.37', 'exchangeRate')) // 1370n
 * ```
 */
import { MAX_U64 } from '../wire/types';
import { MemoryNetworkError } from './errors';

/** A positive rate as a reduced fraction. */
export interface ExactRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^\.(\d+)(?:[eE]([+-]?\d+))?$/;
const FRACTION = /^(\d+)\/(\d+)$/;
const MAX_DIGITS = 60;
const MAX_EXPONENT = 60;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function reduce(numerator: bigint, denominator: bigint): ExactRate {
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

function invalid(argument: string, value: unknown, why: string): MemoryNetworkError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new MemoryNetworkError('INVALID_OPTION', `${argument} ${why}, got ${shown}`);
}

/**
 * Parses a rate given as a number (`0.5`), a decimal string (`'1.37'`, `'1e-7'`) or a fraction
 * string (`'1/3'`). Numbers are read through their shortest decimal form, so `0.1` means 1/10, not
 * the binary double nearest to it. The rate must be positive, with at most 60 digits and an
 * exponent within ±60; otherwise {@link MemoryNetworkError} `INVALID_OPTION` names `argument`.
 *
 * @example
 * ```ts
 * parseExchangeRate(0.5, 'exchangeRate')   // { numerator: 1n, denominator: 2n }
 * parseExchangeRate('1/3', 'exchangeRate') // { numerator: 1n, denominator: 3n }
 * ```
 */
export function parseExchangeRate(value: unknown, argument: string): ExactRate {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw invalid(argument, value, 'must be a finite number > 0');
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw invalid(argument, typeof value, 'must be a number or a string; type');
  }

  const fraction = FRACTION.exec(text);
  if (fraction) {
    const [, top = '', bottom = ''] = fraction;
    if (top.length > MAX_DIGITS || bottom.length > MAX_DIGITS) throw invalid(argument, value, `must have at most ${MAX_DIGITS} digits`);
    const numerator = BigInt(top);
    const denominator = BigInt(bottom);
    if (numerator === 0n || denominator === 0n) throw invalid(argument, value, 'must be a fraction of two positive integers');
    return reduce(numerator, denominator);
  }

  const decimal = DECIMAL.exec(text);
  if (!decimal) throw invalid(argument, value, "must look like 0.5, '1.37', '1e-7' or '1/3'");
  const whole = decimal[1] ?? '';
  const fractional = decimal[2] ?? decimal[4] ?? '';
  const exponent = Number(decimal[3] ?? decimal[5] ?? '0');
  const digits = (whole + fractional).replace(/^0+/, '');
  if (whole.length + fractional.length > MAX_DIGITS || Math.abs(exponent) > MAX_EXPONENT) {
    throw invalid(argument, value, `must have at most ${MAX_DIGITS} digits and an exponent within ±${MAX_EXPONENT}`);
  }
  if (digits === '') throw invalid(argument, value, 'must be > 0');
  const shift = exponent - fractional.length;
  const mantissa = BigInt(digits);
  return shift >= 0 ? reduce(mantissa * 10n ** BigInt(shift), 1n) : reduce(mantissa, 10n ** BigInt(-shift));
}

/**
 * The rate for the opposite direction, exactly.
 *
 * @example
 * ```ts
 * invertRate({ numerator: 1n, denominator: 2n }) // { numerator: 2n, denominator: 1n }
 * ```
 */
export function invertRate(rate: ExactRate): ExactRate {
  return { numerator: rate.denominator, denominator: rate.numerator };
}

/**
 * `floor(amount * rate)`. May exceed u64; see {@link maxConvertibleAmount}.
 *
 * @example
 * ```ts
 * convertAmount(3n, { numerator: 1n, denominator: 2n }) // 1n
 * ```
 */
export function convertAmount(amount: bigint, rate: ExactRate): bigint {
  return rate.numerator === rate.denominator ? amount : (amount * rate.numerator) / rate.denominator;
}

/**
 * The largest source amount whose converted amount still fits in a u64 (at most 2^64-1 itself):
 * above it a connector cannot forward the packet, which is exactly an F08.
 *
 * @example
 * ```ts
 * maxConvertibleAmount({ numerator: 2n, denominator: 1n }) // 2n ** 63n - 1n
 * ```
 */
export function maxConvertibleAmount(rate: ExactRate): bigint {
  // floor(s * n / d) <= MAX_U64  <=>  s * n < (MAX_U64 + 1) * d
  const largest = ((MAX_U64 + 1n) * rate.denominator - 1n) / rate.numerator;
  return largest < MAX_U64 ? largest : MAX_U64;
}
