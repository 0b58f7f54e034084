/**
 * Checks what callers pass to a stream's methods, so that bad input fails at the call as a typed
 * StreamError('INVALID_ARGUMENT') naming the argument, not later inside the send loop.
 *
 * @example
 * ```ts
 * amountArgument('1000', 'amount'); // 1000n
 * dataArgument('hi');               // <Buffer 68 69>
 * ```
 */
import { StreamError } from '../errors';
import { type Amount, toU64 } from './amount';

/**
 * Bytes for `sendData`: a view of the caller's bytes, not a copy (each packet copies its own
 * segment), so a large blocked write costs no second buffer.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array([1, 2, 3]);
 * dataArgument(bytes).buffer === bytes.buffer; // true: the same memory
 * dataArgument(42 as never);                   // throws StreamError('INVALID_ARGUMENT')
 * ```
 */
export function dataArgument(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new StreamError('INVALID_ARGUMENT', `data must be a Uint8Array or a string, got ${value === null ? 'null' : typeof value}`);
}

/**
 * Parses a user amount as a u64; bad input is a typed StreamError('INVALID_ARGUMENT') naming
 * `field`, instead of the plain error `toU64` throws.
 *
 * @example
 * ```ts
 * amountArgument(5000, 'amount'); // 5000n
 * amountArgument(-1, 'total');    // throws StreamError('INVALID_ARGUMENT') about `total`
 * ```
 */
export function amountArgument(value: Amount, field: string): bigint {
  try {
    return toU64(value, field);
  } catch (error) {
    throw new StreamError('INVALID_ARGUMENT', error instanceof Error ? error.message : `${field} is invalid`);
  }
}
