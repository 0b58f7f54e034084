/**
 * Parsing of user-supplied amounts into u64 `bigint`s. Public methods accept `number | string |
 * bigint` for people coming from ilp-protocol-stream; everything inside is `bigint`.
 *
 * @example
 * ```ts
 * toU64(1000, 'amount')      // 1000n
 * toU64('18446744073709551615', 'receiveMax') // 2n ** 64n - 1n
 * ```
 */
import { MAX_U64 } from '../wire/types';

/** Anything a public method accepts as an amount. */
export type Amount = bigint | number | string;

/**
 * Converts `value` to a u64 bigint or throws a `RangeError`/`TypeError` naming `field`.
 * Numbers must be safe non-negative integers; strings must be plain decimal digits.
 *
 * @example
 * ```ts
 * toU64('42', 'amount') // 42n
 * ```
 */
export function toU64(value: Amount, field: string): bigint {
  let result: bigint;
  if (typeof value === 'bigint') {
    result = value;
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${field} must be a safe integer, got ${String(value)}`);
    }
    result = BigInt(value);
  } else if (typeof value === 'string') {
    if (!/^[0-9]{1,20}$/.test(value)) {
      throw new RangeError(`${field} must be a decimal integer string, got ${JSON.stringify(value)}`);
    }
    result = BigInt(value);
  } else {
    throw new TypeError(`${field} must be a bigint, number or string, got ${typeof value}`);
  }
  if (result < 0n || result > MAX_U64) {
    throw new RangeError(`${field} must be between 0 and 2^64-1, got ${result}`);
  }
  return result;
}
