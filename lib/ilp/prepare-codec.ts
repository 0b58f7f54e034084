/**
 * ILP Prepare (type 12) codec, hand-written over Buffer (RFC 27 §ILP Prepare, checklist 27-Prep-a):
 * `amount UInt64 | expiresAt 17 ASCII | executionCondition 32 | destination VarOctetString |
 * data VarOctetString`, inside the type-length envelope. Byte-identical to ilp-packet 3 (proved by
 * property tests in spec/ilp/prepare-codec.spec.ts) but with bigint amounts and one allocation.
 *
 * @example
 * ```ts
 * const bytes = serializeIlpPrepare(prepare);
 * deserializeIlpPrepare(bytes).amount === prepare.amount // true
 * ```
 */
import { IlpPacketType } from '../wire/types';
import { isIlpAddress } from '../wire/address';
import { IlpArgumentError, IlpPacketError } from './errors';
import { lengthPrefixSize, openEnvelope, writeLengthPrefix } from './oer';
import type { IlpPrepare } from './packets';
import { requireTimestamp, readTimestamp, TIMESTAMP_LENGTH, writeTimestamp } from './timestamp';
import { MAX_ILP_DATA_LENGTH, requireBytes, requireIlpAddress, requireObject, requireU64 } from './validate';

/** Bytes of a Prepare's fixed-length head: amount, expiresAt and executionCondition. */
const FIXED_HEAD_LENGTH = 8 + TIMESTAMP_LENGTH + 32;

/**
 * Serializes an ILP Prepare. Every field is validated first; a bad one throws
 * {@link IlpArgumentError} naming it (`prepare.amount`, `prepare.destination`, ...).
 *
 * @example
 * ```ts
 * const bytes = serializeIlpPrepare({
 *   amount: 1000n, expiresAt: new Date(Date.now() + 30_000), executionCondition: condition,
 *   destination: 'test.bob', data: Buffer.alloc(0),
 * });
 * ```
 */
export function serializeIlpPrepare(prepare: IlpPrepare): Buffer {
  requireObject(prepare, 'prepare');
  const amount = requireU64(prepare.amount, 'prepare.amount');
  const expiresAt = requireTimestamp(prepare.expiresAt, 'prepare.expiresAt');
  const condition = requireBytes(prepare.executionCondition, 'prepare.executionCondition', 32, 32);
  const destination = requireIlpAddress(prepare.destination, 'prepare.destination');
  const data = requireBytes(prepare.data, 'prepare.data', MAX_ILP_DATA_LENGTH);

  // Validated addresses are ASCII, so characters and bytes coincide.
  const contentLength =
    FIXED_HEAD_LENGTH +
    lengthPrefixSize(destination.length) +
    destination.length +
    lengthPrefixSize(data.length) +
    data.length;
  const buf = Buffer.allocUnsafe(1 + lengthPrefixSize(contentLength) + contentLength);
  buf[0] = IlpPacketType.Prepare;
  let offset = writeLengthPrefix(buf, 1, contentLength);
  buf.writeBigUInt64BE(amount, offset);
  writeTimestamp(buf, offset + 8, expiresAt);
  buf.set(condition, offset + 8 + TIMESTAMP_LENGTH);
  offset = writeLengthPrefix(buf, offset + FIXED_HEAD_LENGTH, destination.length);
  offset += buf.write(destination, offset, 'latin1');
  offset = writeLengthPrefix(buf, offset, data.length);
  buf.set(data, offset);
  return buf;
}

/**
 * Decodes an ILP Prepare. Throws only {@link IlpPacketError}: `WRONG_TYPE` for another packet
 * type, `INVALID_PACKET` for anything malformed, including an expiry that is not a real UTC time
 * and a destination that is not a valid ILP address (RFC 15). Bytes after the last field are
 * ignored, as ilp-packet ignores them. `executionCondition` and `data` are views into `bytes`.
 *
 * @example
 * ```ts
 * const { amount, destination } = deserializeIlpPrepare(bytes);
 * ```
 */
export function deserializeIlpPrepare(bytes: Uint8Array): IlpPrepare {
  const reader = openEnvelope(bytes, IlpPacketType.Prepare, 'Prepare');
  const { buf } = reader;
  const head = reader.pos;
  reader.take(FIXED_HEAD_LENGTH, 'amount, expiresAt and executionCondition');
  const amount = buf.readBigUInt64BE(head);
  const expiresAt = new Date(readTimestamp(buf, head + 8));
  const executionCondition = buf.subarray(head + 8 + TIMESTAMP_LENGTH, head + FIXED_HEAD_LENGTH);
  const [destinationStart, destinationEnd] = reader.varOctetStringBounds('destination');
  const destination = buf.toString('latin1', destinationStart, destinationEnd);
  if (!isIlpAddress(destination)) {
    throw new IlpPacketError('INVALID_PACKET', `destination ${JSON.stringify(destination)} is not a valid ILP address`);
  }
  const data = reader.varOctetString('data');
  return { amount, expiresAt, executionCondition, destination, data };
}

/**
 * Returns a copy of a serialized Prepare with its amount replaced, the way a connector rewrites
 * the fixed-length `amount` field in place (RFC 27 §ILP Prepare) instead of re-serializing.
 * `bytes` must be a Prepare that {@link deserializeIlpPrepare} accepts; it is not modified.
 *
 * @example
 * ```ts
 * const forwarded = withPrepareAmount(bytes, 500n);
 * deserializeIlpPrepare(forwarded).amount // 500n
 * ```
 */
export function withPrepareAmount(bytes: Buffer, amount: bigint): Buffer {
  requireU64(amount, 'amount');
  if (!Buffer.isBuffer(bytes) || bytes.length < 2 || bytes[0] !== IlpPacketType.Prepare) {
    throw new IlpArgumentError('bytes', 'must be a serialized ILP Prepare');
  }
  const first = bytes[1] as number;
  const amountOffset = 2 + (first < 0x80 ? 0 : first & 0x7f);
  if (bytes.length < amountOffset + FIXED_HEAD_LENGTH) {
    throw new IlpArgumentError('bytes', 'must be a serialized ILP Prepare');
  }
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  copy.writeBigUInt64BE(amount, amountOffset);
  return copy;
}
