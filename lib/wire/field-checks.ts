/**
 * Validate-and-measure helpers for the encoder: each checks one field's JavaScript type and wire
 * range and returns its encoded size, so validation and sizing share a single pass over the
 * packet. A failure throws {@link StreamEncodeError} naming the field's path; the path string is
 * only built on failure, keeping the happy path free of allocations.
 *
 * @example
 * ```ts
 * u64FieldSize(frame.streamId, 2, 'streamId'); // throws OUT_OF_RANGE at `frames[2].streamId` if negative
 * ```
 */
import { isIlpAddress, MAX_ILP_ADDRESS_LENGTH } from './address';
import { StreamEncodeError, type StreamEncodeErrorCode } from './errors';
import { varOctetStringSize, varUIntSize } from './oer-sizes';
import { MAX_U64 } from './types';

/**
 * `index` value for fields of the packet itself (`sequence`, not `frames[i].sequence`).
 *
 * @example
 * ```ts
 * u64FieldSize(packet.sequence, PACKET_FIELD, 'sequence');
 * ```
 */
export const PACKET_FIELD = -2;
/**
 * `index` value for a frame measured on its own (`frame.streamId`).
 *
 * @example
 * ```ts
 * frameContentSize(frame, LONE_FRAME);
 * ```
 */
export const LONE_FRAME = -1;

/**
 * The path of a field: `sequence`, `frame.streamId` or `frames[3].streamId`.
 *
 * @example
 * ```ts
 * fieldPath(3, 'streamId'); // 'frames[3].streamId'
 * ```
 */
export function fieldPath(index: number, field: string): string {
  if (index === PACKET_FIELD) return field;
  const frame = index === LONE_FRAME ? 'frame' : `frames[${index}]`;
  return field === '' ? frame : `${frame}.${field}`;
}

/**
 * Throws a {@link StreamEncodeError} for the field at `index`/`field`.
 *
 * @example
 * ```ts
 * fail('WRONG_TYPE', 0, '', 'must be an object, got null');
 * ```
 */
export function fail(code: StreamEncodeErrorCode, index: number, field: string, detail: string): never {
  throw new StreamEncodeError(code, fieldPath(index, field), detail);
}

/**
 * Checks a u64 bigint field and returns its VarUInt size.
 *
 * @example
 * ```ts
 * u64FieldSize(456n, 0, 'offset'); // 3
 * ```
 */
export function u64FieldSize(value: unknown, index: number, field: string): number {
  if (typeof value !== 'bigint') fail('WRONG_TYPE', index, field, `must be a bigint, got ${describeValue(value)}`);
  if (value < 0n || value > MAX_U64) fail('OUT_OF_RANGE', index, field, `must be a u64 (0..2^64-1), got ${value}`);
  return varUIntSize(value);
}

/**
 * Checks a one-byte integer field (error codes, asset scale).
 *
 * @example
 * ```ts
 * checkU8Field(255, 0, 'errorCode'); // ok; 256 throws OUT_OF_RANGE
 * ```
 */
export function checkU8Field(value: unknown, index: number, field: string): void {
  if (typeof value !== 'number') fail('WRONG_TYPE', index, field, `must be a number, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    fail('OUT_OF_RANGE', index, field, `must be an integer in 0..255, got ${value}`);
  }
}

/**
 * Checks a string field and returns the size of its UTF-8 VarOctetString. Lone surrogates are
 * encoded as U+FFFD, as `Buffer.from(string)` does.
 *
 * @example
 * ```ts
 * utf8FieldSize('fail', 0, 'errorMessage'); // 5
 * ```
 */
export function utf8FieldSize(value: unknown, index: number, field: string): number {
  if (typeof value !== 'string') fail('WRONG_TYPE', index, field, `must be a string, got ${describeValue(value)}`);
  return varOctetStringSize(value.length === 0 ? 0 : Buffer.byteLength(value, 'utf8'));
}

/**
 * Checks a byte field (a Buffer or any Uint8Array) and returns its VarOctetString size.
 *
 * @example
 * ```ts
 * bytesFieldSize(Buffer.from('foobar'), 0, 'data'); // 7
 * ```
 */
export function bytesFieldSize(value: unknown, index: number, field: string): number {
  if (!isUint8Array(value)) fail('WRONG_TYPE', index, field, `must be a Buffer or Uint8Array, got ${describeValue(value)}`);
  return varOctetStringSize(value.byteLength);
}

/**
 * True for a Buffer or any Uint8Array, including one from another realm (a vm context or a
 * worker), where `instanceof` alone would say no.
 *
 * @example
 * ```ts
 * isUint8Array(Buffer.alloc(1)); // true
 * isUint8Array(new Uint16Array(1)); // false
 * ```
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || typedArrayName(value) === 'Uint8Array';
}

/**
 * The `%TypedArray%.prototype[Symbol.toStringTag]` getter: it reads the array's internal type
 * slot (so it works across realms and cannot be spoofed by an own `Symbol.toStringTag`) and
 * answers `undefined` for anything that is not a typed array. This is the check
 * `util.types.isUint8Array` makes, without importing node:util, so the codec also runs in browsers.
 */
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)
  ?.get as (this: unknown) => string | undefined;

function typedArrayName(value: unknown): string | undefined {
  return typedArrayTag.call(value);
}

/**
 * Checks `ConnectionNewAddress.sourceAccount`: empty (send-only clients such as @interledger/pay
 * announce no address) or a valid RFC 15 address. Returns its VarOctetString size.
 *
 * @example
 * ```ts
 * addressFieldSize('example.alice', 0, 'sourceAccount'); // 14
 * ```
 */
export function addressFieldSize(value: unknown, index: number, field: string): number {
  if (typeof value !== 'string') fail('WRONG_TYPE', index, field, `must be a string, got ${describeValue(value)}`);
  const length = value.length;
  if (length !== 0 && !isIlpAddress(value)) {
    const why = length > MAX_ILP_ADDRESS_LENGTH ? `is ${length} characters long` : `is ${describeValue(value)}`;
    fail('INVALID_ADDRESS', index, field, `must be empty or an ILP address (RFC 15) of at most ${MAX_ILP_ADDRESS_LENGTH} characters; it ${why}`);
  }
  // Valid addresses are ASCII, so characters and bytes agree.
  return varOctetStringSize(length);
}

/**
 * A short description of a value for error messages.
 *
 * @example
 * ```ts
 * describeValue(1); // 'number 1'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return `bigint ${value}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${value}`;
    case 'string':
      return value.length > 40 ? `string "${value.slice(0, 40)}..."` : `string ${JSON.stringify(value)}`;
    case 'object':
      return Array.isArray(value) ? 'an array' : (value.constructor?.name ?? 'object');
    default:
      return typeof value;
  }
}
