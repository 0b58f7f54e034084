/**
 * Argument checks shared by the crypto functions. Internal: not re-exported from the package.
 *
 * @example
 * ```ts
 * requireBytes('sharedSecret', secret, { minLength: 1 });
 * ```
 */
import { CryptoInputError } from './errors';

/**
 * True for any `Uint8Array`, including `Buffer` and arrays from another realm (a `vm` context or a
 * Jest sandbox), where `instanceof Uint8Array` is false.
 *
 * @example
 * ```ts
 * isBytes(Buffer.alloc(1)) // true
 * ```
 */
export function isBytes(value: unknown): value is Uint8Array {
  if (value instanceof Uint8Array) return true;
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/**
 * Length rules for {@link requireBytes}.
 *
 * @example
 * ```ts
 * const rule: ByteLengthRule = { length: 32 };
 * ```
 */
export interface ByteLengthRule {
  /** Exact length in bytes. */
  readonly length?: number;
  /** Smallest accepted length in bytes. */
  readonly minLength?: number;
}

/**
 * Throws a {@link CryptoInputError} naming `argument` unless `value` is a `Uint8Array` that
 * satisfies `rule`.
 *
 * @example
 * ```ts
 * requireBytes('serverSecret', secret, { length: 32 });
 * ```
 */
export function requireBytes(argument: string, value: unknown, rule: ByteLengthRule = {}): Uint8Array {
  if (!isBytes(value)) {
    throw new CryptoInputError('INVALID_TYPE', argument, `must be a Uint8Array or Buffer, got ${describe(value)}`);
  }
  if (rule.length !== undefined && value.byteLength !== rule.length) {
    throw new CryptoInputError('INVALID_LENGTH', argument, `must be ${rule.length} bytes, got ${value.byteLength}`);
  }
  if (rule.minLength !== undefined && value.byteLength < rule.minLength) {
    throw new CryptoInputError(
      'INVALID_LENGTH',
      argument,
      `must be at least ${rule.minLength} byte${rule.minLength === 1 ? '' : 's'}, got ${value.byteLength}`,
    );
  }
  return value;
}

/**
 * A short, safe description of a value's type for error messages (never the value itself, which
 * may be secret).
 *
 * @example
 * ```ts
 * describe('abc') // 'string'
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return Object.prototype.toString.call(value).slice(8, -1);
  return typeof value;
}
