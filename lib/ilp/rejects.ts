/**
 * Builders for the ILP Rejects this library creates. Each returns a typed reply value, ready for
 * `respond()` or `serializeIlpReply()`, and validates its arguments at once (so a bad reject fails
 * where it is built, not later when it is serialized). The default message is the RFC 27 name.
 *
 * @example
 * ```ts
 * respond(rejectF99(encryptedStreamReply));
 * respond(rejectF08(1500n, 1000n, 'test.connie'));
 * ```
 */
import { IlpPacketType } from '../wire/types';
import { writeF08Data } from './f08-data';
import type { IlpRejectReply } from './packets';
import { IlpErrorCode } from './reject-codes';
import { validateRejectFields } from './reply-codec';

const EMPTY = Buffer.alloc(0);

/**
 * Builds a Reject with any three-character code.
 *
 * @param code - three printable ASCII characters, such as `'T04'`
 * @param message - human-readable reason, at most 8191 UTF-8 bytes (default empty)
 * @param data - error data, at most 32767 bytes (default empty)
 * @param triggeredBy - ILP address of the node rejecting, or empty (default empty)
 *
 * @example
 * ```ts
 * ilpReject('T04', 'Insufficient Liquidity', Buffer.alloc(0), 'test.connie')
 * ```
 */
export function ilpReject(code: string, message = '', data: Buffer = EMPTY, triggeredBy = ''): IlpRejectReply {
  validateRejectFields(code, triggeredBy, message, data, '');
  return { type: IlpPacketType.Reject, code, triggeredBy, message, data };
}

/**
 * F00 Bad Request: a generic sender error. The ILP layer answers incoming data that is not a valid
 * Prepare with it.
 *
 * @example
 * ```ts
 * rejectF00('not an ILP Prepare')
 * ```
 */
export function rejectF00(message = 'Bad Request', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.F00_BAD_REQUEST, message, EMPTY, triggeredBy);
}

/**
 * F01 Invalid Packet: the packet was syntactically invalid. `sendPrepare` synthesizes it for an
 * undecodable reply.
 *
 * @example
 * ```ts
 * rejectF01('reply is not a Fulfill or a Reject')
 * ```
 */
export function rejectF01(message = 'Invalid Packet', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.F01_INVALID_PACKET, message, EMPTY, triggeredBy);
}

/**
 * F02 Unreachable: no route to the destination.
 *
 * @example
 * ```ts
 * rejectF02('no route to test.nobody', 'test.connie')
 * ```
 */
export function rejectF02(message = 'Unreachable', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.F02_UNREACHABLE, message, EMPTY, triggeredBy);
}

/**
 * F06 Unexpected Payment: the receiver cannot make sense of the Prepare, for STREAM a data field
 * that does not decrypt (RFC 29 §4.2, checklist 29-4.2-b). Carries no data.
 *
 * @example
 * ```ts
 * rejectF06()
 * ```
 */
export function rejectF06(message = 'Unexpected Payment', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.F06_UNEXPECTED_PAYMENT, message, EMPTY, triggeredBy);
}

/**
 * F08 Amount Too Large, with the RFC data `receivedAmount | maximumAmount` (checklist 27-F08-a).
 *
 * @example
 * ```ts
 * rejectF08(1500n, 1000n, 'test.connie')
 * ```
 */
export function rejectF08(
  receivedAmount: bigint,
  maximumAmount: bigint,
  triggeredBy = '',
  message = 'Amount Too Large',
): IlpRejectReply {
  return ilpReject(IlpErrorCode.F08_AMOUNT_TOO_LARGE, message, writeF08Data(receivedAmount, maximumAmount), triggeredBy);
}

/**
 * F99 Application Error carrying the application's reply, for STREAM the encrypted STREAM packet
 * (checklist I-9: senders retry F99 and act on its data).
 *
 * @example
 * ```ts
 * rejectF99(keys.encrypt(encodePacket(reply)))
 * ```
 */
export function rejectF99(data: Buffer, message = '', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.F99_APPLICATION_ERROR, message, data, triggeredBy);
}

/**
 * T00 Internal Error: something unexpected failed; the sender may retry.
 *
 * @example
 * ```ts
 * rejectT00('receiver stopped listening')
 * ```
 */
export function rejectT00(message = 'Internal Error', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.T00_INTERNAL_ERROR, message, EMPTY, triggeredBy);
}

/**
 * T01 Peer Unreachable: there is a route, but the next hop cannot be reached right now.
 *
 * @example
 * ```ts
 * rejectT01('test.server is disconnected', 'test.connie')
 * ```
 */
export function rejectT01(message = 'Peer Unreachable', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.T01_PEER_UNREACHABLE, message, EMPTY, triggeredBy);
}

/**
 * R00 Transfer Timed Out: no answer before the Prepare expired.
 *
 * @example
 * ```ts
 * rejectR00('expired at 2030-01-01T00:00:00.000Z')
 * ```
 */
export function rejectR00(message = 'Transfer Timed Out', triggeredBy = ''): IlpRejectReply {
  return ilpReject(IlpErrorCode.R00_TRANSFER_TIMED_OUT, message, EMPTY, triggeredBy);
}
