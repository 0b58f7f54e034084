/**
 * Argument checks shared by the ILP layer's public functions. Each throws
 * {@link IlpArgumentError} naming the argument. Internal to the ILP layer.
 *
 * @example
 * ```ts
 * requireU64(prepare.amount, 'prepare.amount');
 * ```
 */
import { MAX_U64 } from '../wire/types';
import { isIlpAddress } from '../wire/address';
import { IlpArgumentError } from './errors';
import { describe } from './oer';

/** The largest ILP data field, in bytes (RFC 27 ASN.1: OCTET STRING SIZE(0..32767)). */
export const MAX_ILP_DATA_LENGTH = 32767;

/** The longest Reject message, in UTF-8 bytes (RFC 27 ASN.1: UTF8String SIZE(0..8191)). */
export const MAX_ILP_MESSAGE_LENGTH = 8191;

/**
 * Checks that `value` is a bigint in 0..2^64-1.
 *
 * @example
 * ```ts
 * requireU64(5n, 'amount');
 * ```
 */
export function requireU64(value: unknown, argument: string): bigint {
  if (typeof value !== 'bigint') throw new IlpArgumentError(argument, `must be a bigint, got ${describe(value)}`);
  if (value < 0n || value > MAX_U64) throw new IlpArgumentError(argument, `must be in 0..2^64-1, got ${value}n`);
  return value;
}

/**
 * Checks that `value` is a Buffer (or Uint8Array) of at most `maxLength` bytes, or exactly
 * `exactLength` bytes when that is given.
 *
 * @example
 * ```ts
 * requireBytes(condition, 'prepare.executionCondition', MAX_ILP_DATA_LENGTH, 32);
 * ```
 */
export function requireBytes(value: unknown, argument: string, maxLength: number, exactLength?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new IlpArgumentError(argument, `must be a Buffer, got ${describe(value)}`);
  }
  if (exactLength !== undefined && value.length !== exactLength) {
    throw new IlpArgumentError(argument, `must be ${exactLength} bytes, got ${value.length}`);
  }
  if (value.length > maxLength) {
    throw new IlpArgumentError(argument, `must be at most ${maxLength} bytes, got ${value.length}`);
  }
  return value;
}

/**
 * Checks that `value` is a valid ILP address (RFC 15).
 *
 * @example
 * ```ts
 * requireIlpAddress('test.bob', 'prepare.destination');
 * ```
 */
export function requireIlpAddress(value: unknown, argument: string): string {
  if (!isIlpAddress(value)) {
    throw new IlpArgumentError(argument, `must be a valid ILP address (RFC 15), got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks that `value` is a string.
 *
 * @example
 * ```ts
 * requireString(message, 'reject.message');
 * ```
 */
export function requireString(value: unknown, argument: string): string {
  if (typeof value !== 'string') throw new IlpArgumentError(argument, `must be a string, got ${describe(value)}`);
  return value;
}

/**
 * Checks that `value` is an object (so its fields can be read).
 *
 * @example
 * ```ts
 * requireObject(prepare, 'prepare');
 * ```
 */
export function requireObject(value: unknown, argument: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new IlpArgumentError(argument, `must be an object, got ${describe(value)}`);
  }
}
