/**
 * ILP Fulfill (type 13) and Reject (type 14) codecs, hand-written over Buffer (RFC 27 §ILP Fulfill,
 * §ILP Reject; checklist 27-Ful-a, 27-Rej-a). Byte-identical to ilp-packet 3.
 *
 * Decoding is strict on structure and lenient on content: a Reject whose `triggeredBy` is not a
 * valid address, or whose message is not valid UTF-8, still decodes (latin1 / lossy UTF-8). Its code
 * and data are what a sender acts on (F08 amounts, F99 STREAM replies); refusing the whole reply
 * over a debugging field would turn an informative reject into a synthetic one.
 *
 * @example
 * ```ts
 * const reply = deserializeIlpReply(await plugin.sendData(prepareBytes));
 * if (reply.type === IlpPacketType.Reject) console.log(reply.code);
 * ```
 */
import { IlpPacketType } from '../wire/types';
import { IlpArgumentError, IlpPacketError } from './errors';
import { asBuffer, describe, lengthPrefixSize, openEnvelope, writeLengthPrefix } from './oer';
import type { IlpFulfill, IlpFulfillReply, IlpReject, IlpRejectReply, IlpReply } from './packets';
import {
  MAX_ILP_DATA_LENGTH,
  MAX_ILP_MESSAGE_LENGTH,
  requireBytes,
  requireIlpAddress,
  requireObject,
  requireString,
} from './validate';

const REJECT_CODE = /^[\x21-\x7e]{3}$/;

/**
 * Serializes an ILP Fulfill; a bad field throws {@link IlpArgumentError} naming it.
 *
 * @example
 * ```ts
 * const bytes = serializeIlpFulfill({ fulfillment, data: Buffer.alloc(0) });
 * ```
 */
export function serializeIlpFulfill(fulfill: IlpFulfill): Buffer {
  requireObject(fulfill, 'fulfill');
  const fulfillment = requireBytes(fulfill.fulfillment, 'fulfill.fulfillment', 32, 32);
  const data = requireBytes(fulfill.data, 'fulfill.data', MAX_ILP_DATA_LENGTH);
  const contentLength = 32 + lengthPrefixSize(data.length) + data.length;
  const buf = Buffer.allocUnsafe(1 + lengthPrefixSize(contentLength) + contentLength);
  buf[0] = IlpPacketType.Fulfill;
  let offset = writeLengthPrefix(buf, 1, contentLength);
  buf.set(fulfillment, offset);
  offset = writeLengthPrefix(buf, offset + 32, data.length);
  buf.set(data, offset);
  return buf;
}

/**
 * Decodes an ILP Fulfill. Throws only {@link IlpPacketError}. `fulfillment` and `data` are views
 * into `bytes`.
 *
 * @example
 * ```ts
 * const { fulfillment } = deserializeIlpFulfill(bytes);
 * ```
 */
export function deserializeIlpFulfill(bytes: Uint8Array): IlpFulfill {
  const reader = openEnvelope(bytes, IlpPacketType.Fulfill, 'Fulfill');
  const fulfillment = reader.take(32, 'fulfillment');
  const data = reader.varOctetString('data');
  return { fulfillment, data };
}

/**
 * Serializes an ILP Reject. The code must be three printable ASCII characters, `triggeredBy` an
 * ILP address or empty, the message at most 8191 UTF-8 bytes and the data at most 32767 bytes; a
 * bad field throws {@link IlpArgumentError} naming it.
 *
 * @example
 * ```ts
 * const bytes = serializeIlpReject({ code: 'F02', triggeredBy: 'test.connie', message: 'no route', data: Buffer.alloc(0) });
 * ```
 */
export function serializeIlpReject(reject: IlpReject): Buffer {
  requireObject(reject, 'reject');
  const messageLength = validateRejectFields(reject.code, reject.triggeredBy, reject.message, reject.data, 'reject.');
  const { code, triggeredBy, message, data } = reject;
  const contentLength =
    3 +
    lengthPrefixSize(triggeredBy.length) +
    triggeredBy.length +
    lengthPrefixSize(messageLength) +
    messageLength +
    lengthPrefixSize(data.length) +
    data.length;
  const buf = Buffer.allocUnsafe(1 + lengthPrefixSize(contentLength) + contentLength);
  buf[0] = IlpPacketType.Reject;
  let offset = writeLengthPrefix(buf, 1, contentLength);
  offset += buf.write(code, offset, 'latin1');
  offset = writeLengthPrefix(buf, offset, triggeredBy.length);
  offset += buf.write(triggeredBy, offset, 'latin1');
  offset = writeLengthPrefix(buf, offset, messageLength);
  offset += buf.write(message, offset, 'utf8');
  offset = writeLengthPrefix(buf, offset, data.length);
  buf.set(data, offset);
  return buf;
}

/**
 * Checks the four fields of a Reject and returns the message's UTF-8 length. Argument names in
 * errors are `prefix` + field name. Shared with the reject builders.
 *
 * @example
 * ```ts
 * validateRejectFields('F02', '', 'no route', Buffer.alloc(0), 'reject.');
 * ```
 */
export function validateRejectFields(code: unknown, triggeredBy: unknown, message: unknown, data: unknown, prefix: string): number {
  requireString(code, `${prefix}code`);
  if (!REJECT_CODE.test(code as string)) {
    throw new IlpArgumentError(`${prefix}code`, `must be three printable ASCII characters, got ${describe(code)}`);
  }
  requireString(triggeredBy, `${prefix}triggeredBy`);
  if (triggeredBy !== '') requireIlpAddress(triggeredBy, `${prefix}triggeredBy`);
  requireString(message, `${prefix}message`);
  const messageLength = Buffer.byteLength(message as string, 'utf8');
  if (messageLength > MAX_ILP_MESSAGE_LENGTH) {
    throw new IlpArgumentError(`${prefix}message`, `must be at most ${MAX_ILP_MESSAGE_LENGTH} UTF-8 bytes, got ${messageLength}`);
  }
  requireBytes(data, `${prefix}data`, MAX_ILP_DATA_LENGTH);
  return messageLength;
}

/**
 * Decodes an ILP Reject. Throws only {@link IlpPacketError}, and only for structural problems
 * (see the module notes on leniency). `data` is a view into `bytes`.
 *
 * @example
 * ```ts
 * const { code, data } = deserializeIlpReject(bytes);
 * ```
 */
export function deserializeIlpReject(bytes: Uint8Array): IlpReject {
  const reader = openEnvelope(bytes, IlpPacketType.Reject, 'Reject');
  const code = reader.take(3, 'code').toString('latin1');
  const triggeredBy = reader.varOctetString('triggeredBy').toString('latin1');
  const message = reader.varOctetString('message').toString('utf8');
  const data = reader.varOctetString('data');
  return { code, triggeredBy, message, data };
}

/**
 * Serializes a Fulfill or a Reject according to its `type`.
 *
 * @example
 * ```ts
 * handlerResult = serializeIlpReply(rejectF99(streamReply));
 * ```
 */
export function serializeIlpReply(reply: IlpReply): Buffer {
  requireObject(reply, 'reply');
  if (reply.type === IlpPacketType.Fulfill) return serializeIlpFulfill(reply);
  if (reply.type === IlpPacketType.Reject) return serializeIlpReject(reply);
  throw new IlpArgumentError('reply.type', `must be IlpPacketType.Fulfill (13) or Reject (14), got ${describe((reply as { type?: unknown }).type)}`);
}

/**
 * Decodes the answer to a Prepare: a Fulfill or a Reject, tagged with `type`. Throws only
 * {@link IlpPacketError}: `WRONG_TYPE` for any other packet type (a Prepare included).
 *
 * @example
 * ```ts
 * const reply = deserializeIlpReply(bytes);
 * if (reply.type === IlpPacketType.Fulfill) console.log(reply.fulfillment.toString('hex'));
 * ```
 */
export function deserializeIlpReply(bytes: Uint8Array): IlpReply {
  const buf = asBuffer(bytes);
  if (buf[0] === IlpPacketType.Fulfill) {
    const { fulfillment, data } = deserializeIlpFulfill(buf);
    const fulfill: IlpFulfillReply = { type: IlpPacketType.Fulfill, fulfillment, data };
    return fulfill;
  }
  if (buf[0] === IlpPacketType.Reject) {
    const { code, triggeredBy, message, data } = deserializeIlpReject(buf);
    const reject: IlpRejectReply = { type: IlpPacketType.Reject, code, triggeredBy, message, data };
    return reject;
  }
  if (buf.length === 0) throw new IlpPacketError('INVALID_PACKET', 'an ILP reply cannot be empty');
  throw new IlpPacketError('WRONG_TYPE', `expected an ILP Fulfill (13) or Reject (14), got type ${buf[0]}`);
}
