/**
 * Answers one ILP Prepare addressed to a connection: decrypt and decode it (F06 if that fails,
 * 29-4.2-b, E2, E4), let the receiver decide, and encrypt the reply under the same sequence
 * (29-5.2-e). Synchronous, so a server never interleaves two packets of one connection.
 *
 * @example
 * ```ts
 * const { reply, decision } = answerPrepare(context, prepare);
 * ```
 */
import { decodePacket, encodePacket, encodedPacketSize } from '../wire';
import { ErrorCode, FrameType, IlpPacketType, MAX_PLAINTEXT_SIZE, type StreamPacket } from '../wire/types';
import { fulfillmentMatches, type StreamKeys } from '../crypto';
import { rejectF06, type IlpPrepare, type IlpReply } from '../ilp';
import { type ReceiveDecision, type ReceiverContext, receivePacket } from './receiver';

/** What answering needs beyond the receiver's context. */
export interface IncomingContext extends ReceiverContext {
  readonly keys: StreamKeys;
  /** Our ILP address, for the Reject's triggeredBy. */
  readonly sourceAccount: string;
  /** The clock, in ms (the connection's scheduler). */
  now(): number;
}

/** The reply to send back and, when the packet was authentic, the receiver's decision. */
export interface IncomingResult {
  readonly reply: IlpReply;
  readonly decision?: ReceiveDecision;
}

/**
 * Decrypts, decides and encrypts the reply to one Prepare.
 *
 * @example
 * ```ts
 * const { reply } = answerPrepare(context, prepare); // F06 for anything undecryptable
 * ```
 */
export function answerPrepare(context: IncomingContext, prepare: IlpPrepare): IncomingResult {
  const packet = openPacket(context.keys, prepare.data);
  if (!packet || packet.ilpPacketType !== IlpPacketType.Prepare) {
    return { reply: rejectF06(undefined, context.sourceAccount) };
  }
  const fulfillment = context.keys.fulfillment(prepare.data);
  const fulfillable = fulfillmentMatches(fulfillment, prepare.executionCondition);
  const expired = prepare.expiresAt.getTime() <= context.now();
  const decision = receivePacket(context, packet, prepare.amount, { fulfillable, expired });

  const replyPacket = {
    sequence: packet.sequence,
    ilpPacketType: decision.fulfill ? IlpPacketType.Fulfill : IlpPacketType.Reject,
    prepareAmount: prepare.amount,
    frames: decision.frames,
  };
  // A hostile packet can ask for many reply frames; a reply that would not fit the ILP data
  // limit (E35) refuses the packet with no frames instead of failing to serialize.
  if (encodedPacketSize(replyPacket) > MAX_PLAINTEXT_SIZE) {
    const refused = { ...decision, fulfill: false, frames: [], credits: [] };
    const data = context.keys.encrypt(encodePacket({ ...replyPacket, ilpPacketType: IlpPacketType.Reject, frames: [] }));
    return { reply: { type: IlpPacketType.Reject, code: 'F99', triggeredBy: context.sourceAccount, message: '', data }, decision: refused };
  }
  const data = context.keys.encrypt(encodePacket(replyPacket));
  const reply: IlpReply = decision.fulfill
    ? { type: IlpPacketType.Fulfill, fulfillment, data }
    : { type: IlpPacketType.Reject, code: expired ? 'R00' : 'F99', triggeredBy: context.sourceAccount, message: '', data };
  return { reply, decision };
}

/** Decrypts and decodes STREAM data; undefined for anything that is not an authentic packet. */
export function openPacket(keys: StreamKeys, data: Buffer): StreamPacket | undefined {
  if (data.length === 0) return undefined;
  try {
    return decodePacket(keys.decrypt(data));
  } catch {
    return undefined;
  }
}

/**
 * Answers a Prepare for a connection that is closing or closed: nothing is fulfilled, and an
 * authentic sender is told with ConnectionClose so it stops (29-5.3.1-a).
 *
 * @example
 * ```ts
 * const reply = answerClosed({ keys, sourceAccount }, prepare, ErrorCode.NoError);
 * ```
 */
export function answerClosed(context: Pick<IncomingContext, 'keys' | 'sourceAccount'>, prepare: IlpPrepare, code: ErrorCode): IlpReply {
  const packet = openPacket(context.keys, prepare.data);
  if (!packet || packet.ilpPacketType !== IlpPacketType.Prepare) return rejectF06(undefined, context.sourceAccount);
  const data = context.keys.encrypt(
    encodePacket({
      sequence: packet.sequence,
      ilpPacketType: IlpPacketType.Reject,
      prepareAmount: prepare.amount,
      frames: [{ type: FrameType.ConnectionClose, errorCode: code, errorMessage: 'connection closed' }],
    }),
  );
  return { type: IlpPacketType.Reject, code: 'F99', triggeredBy: context.sourceAccount, message: '', data };
}
