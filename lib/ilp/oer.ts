/**
 * The few OER primitives ILP packets need (IL-RFC 30): length determinants, variable-length octet
 * strings and the type-length envelope (RFC 27 §type-length wrapper). Internal to the ILP layer.
 *
 * Decoding is strict where ilp-packet (oer-utils) is strict: length determinants must be canonical
 * and every field must fit inside its envelope. Bytes after the envelope, and after the last field
 * inside it, are ignored, as ilp-packet ignores them.
 *
 * @example
 * ```ts
 * const reader = openEnvelope(bytes, IlpPacketType.Fulfill, 'Fulfill');
 * const fulfillment = reader.take(32, 'fulfillment');
 * ```
 */
import { IlpPacketType } from '../wire/types';
import { IlpPacketError } from './errors';

/**
 * How many bytes the OER length determinant of `length` takes: one byte below 128, otherwise one
 * byte of 0x80|n followed by n big-endian bytes.
 *
 * @example
 * ```ts
 * lengthPrefixSize(127) // 1
 * lengthPrefixSize(128) // 2
 * ```
 */
export function lengthPrefixSize(length: number): number {
  if (length < 0x80) return 1;
  if (length <= 0xff) return 2;
  if (length <= 0xffff) return 3;
  if (length <= 0xffffff) return 4;
  return 5;
}

/**
 * Writes the canonical length determinant of `length` at `offset`; returns the offset after it.
 *
 * @example
 * ```ts
 * writeLengthPrefix(buf, 0, 130) // writes 81 82, returns 2
 * ```
 */
export function writeLengthPrefix(buf: Buffer, offset: number, length: number): number {
  if (length < 0x80) {
    buf[offset] = length;
    return offset + 1;
  }
  const size = lengthPrefixSize(length) - 1;
  buf[offset] = 0x80 | size;
  buf.writeUIntBE(length, offset + 1, size);
  return offset + 1 + size;
}

/**
 * A bounded read cursor over one envelope's contents. Every read checks the bound and throws
 * {@link IlpPacketError} `INVALID_PACKET` naming the field that did not fit.
 *
 * @example
 * ```ts
 * const reader = new OerReader(buf, 0, buf.length);
 * const code = reader.take(3, 'code');
 * ```
 */
export class OerReader {
  constructor(
    readonly buf: Buffer,
    /** Offset of the next unread byte. */
    public pos: number,
    /** Offset one past the last readable byte. */
    readonly end: number,
  ) {}

  /** Reads `count` bytes as a view into the input. */
  take(count: number, field: string): Buffer {
    const start = this.pos;
    if (this.end - start < count) {
      throw new IlpPacketError('INVALID_PACKET', `${field} needs ${count} bytes, ${this.end - start} left`);
    }
    this.pos = start + count;
    return this.buf.subarray(start, start + count);
  }

  /** Reads a canonical OER length determinant. */
  lengthPrefix(field: string): number {
    if (this.pos >= this.end) {
      throw new IlpPacketError('INVALID_PACKET', `${field} length is missing`);
    }
    const first = this.buf[this.pos++] as number;
    if (first < 0x80) return first;
    const size = first & 0x7f;
    // Four length bytes already exceed any buffer Node can hold, so longer forms are only attacks.
    if (size === 0 || size > 4 || this.end - this.pos < size) {
      throw new IlpPacketError('INVALID_PACKET', `${field} has an invalid length determinant`);
    }
    const length = this.buf.readUIntBE(this.pos, size);
    this.pos += size;
    const canonicalMinimum = size === 1 ? 0x80 : 2 ** (8 * (size - 1));
    if (length < canonicalMinimum) {
      throw new IlpPacketError('INVALID_PACKET', `${field} length ${length} is not canonically encoded`);
    }
    return length;
  }

  /** Reads a variable-length octet string as a view into the input. */
  varOctetString(field: string): Buffer {
    return this.take(this.lengthPrefix(field), field);
  }

  /** Reads a variable-length octet string and returns its [start, end) offsets. */
  varOctetStringBounds(field: string): [number, number] {
    const length = this.lengthPrefix(field);
    const start = this.pos;
    this.take(length, field);
    return [start, start + length];
  }
}

/**
 * Coerces deserializer input to a Buffer without copying, or throws {@link IlpPacketError}.
 *
 * @example
 * ```ts
 * const buf = asBuffer(new Uint8Array([13, 0]));
 * ```
 */
export function asBuffer(bytes: unknown): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new IlpPacketError('INVALID_PACKET', `expected a Buffer or Uint8Array, got ${describe(bytes)}`);
}

/**
 * Opens the type-length envelope of an ILP packet, checks its type, and returns a reader bounded
 * to its contents.
 *
 * @example
 * ```ts
 * const reader = openEnvelope(bytes, IlpPacketType.Reject, 'Reject');
 * ```
 */
export function openEnvelope(bytes: unknown, type: IlpPacketType, name: string): OerReader {
  const buf = asBuffer(bytes);
  if (buf.length === 0) throw new IlpPacketError('INVALID_PACKET', `an ILP ${name} cannot be empty`);
  if (buf[0] !== type) {
    throw new IlpPacketError('WRONG_TYPE', `expected an ILP ${name} (type ${type}), got type ${buf[0]}`);
  }
  const envelope = new OerReader(buf, 1, buf.length);
  const length = envelope.lengthPrefix(`${name} envelope`);
  envelope.take(length, `${name} contents`);
  return new OerReader(buf, envelope.pos - length, envelope.pos);
}

/**
 * Describes a value for an error message without dumping it.
 *
 * @example
 * ```ts
 * describe(null) // 'null'
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  return typeof value === 'function' ? 'a function' : `an object (${Object.prototype.toString.call(value)})`;
}
