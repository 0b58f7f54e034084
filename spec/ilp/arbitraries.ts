/**
 * fast-check generators for ILP packets, shared by the codec specs.
 */
import fc from 'fast-check';
import type { IlpFulfill, IlpPrepare, IlpReject } from '../../lib/ilp';

const SEGMENT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-'.split('');
const SCHEMES = ['g', 'private', 'example', 'peer', 'self', 'test', 'test1', 'test2', 'test3', 'local'];

export const MAX_U64 = 2n ** 64n - 1n;

/** A segment of an ILP address: 1..20 characters of [a-zA-Z0-9_~-]. */
const segment = fc.array(fc.constantFrom(...SEGMENT_CHARS), { minLength: 1, maxLength: 20 }).map((chars) => chars.join(''));

/** Valid ILP addresses (RFC 15), some long enough (over 127 bytes) for two-byte length prefixes. */
export const ilpAddress = fc
  .tuple(fc.constantFrom(...SCHEMES), fc.array(segment, { minLength: 1, maxLength: 48 }))
  .map(([scheme, segments]) => `${scheme}.${segments.join('.')}`)
  .filter((address) => address.length <= 1023);

/** Buffers from empty to the 32767-byte maximum, weighted toward small ones. */
export const dataField = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 128, max: 32767 }).map((n) => new Uint8Array(n).fill(n % 251)) },
).map((bytes) => Buffer.from(bytes));

export const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));

/**
 * Expiry dates ilp-packet handles correctly: years 1000..9999 (it does not zero-pad shorter years)
 * and not the epoch itself (its decoder treats time 0 as invalid).
 */
export const expiry = fc
  .date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .filter((date) => date.getTime() !== 0);

export const prepare: fc.Arbitrary<IlpPrepare> = fc.record({
  amount: fc.oneof(fc.bigInt({ min: 0n, max: MAX_U64 }), fc.constantFrom(0n, 1n, MAX_U64)),
  expiresAt: expiry,
  executionCondition: bytes32,
  destination: ilpAddress,
  data: dataField,
});

export const fulfill: fc.Arbitrary<IlpFulfill> = fc.record({ fulfillment: bytes32, data: dataField });

const CODE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');

export const reject: fc.Arbitrary<IlpReject> = fc.record({
  code: fc.array(fc.constantFrom(...CODE_CHARS), { minLength: 3, maxLength: 3 }).map((chars) => chars.join('')),
  triggeredBy: fc.oneof(fc.constant(''), ilpAddress),
  message: fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: 'grapheme', maxLength: 300 })),
  data: dataField,
});

/** Random edits of valid packet bytes: flip a byte, truncate, append junk, or change the length prefix. */
export function mutate(bytes: Buffer): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 255 })).map(([index, value]) => {
      const copy = Buffer.from(bytes);
      copy[index] = value;
      return copy;
    }),
    fc.nat({ max: bytes.length }).map((length) => Buffer.from(bytes.subarray(0, length))),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => Buffer.concat([bytes, extra])),
    fc.uint8Array({ minLength: 1, maxLength: 4 }).map((prefix) => Buffer.concat([bytes.subarray(0, 1), prefix, bytes.subarray(2)])),
  );
}

/**
 * A packet with its Buffers as hex and its Dates as ISO strings: jest compares large Buffers byte
 * by byte, which makes 32 KiB fields slow in property tests.
 */
export function comparable(packet: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(packet).map(([key, value]) => [
      key,
      value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value instanceof Date ? value.toISOString() : value,
    ]),
  );
}
