/**
 * Answers one ILP Prepare addressed to a connection: decrypt and decode it (F06 if that fails,
 * 29-4.2-b, E2, E4), refuse a sequence answered before (F99, E7), let the receiver decide, and
 * encrypt the reply under the same sequence (29-5.2-e). Synchronous, so a server never interleaves two packets of one connection.
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
import { MAX_PACKET_SEQUENCE, type ReceiveDecision, type ReceiverContext, receivePacket } from './receiver';

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
  // A sequence answered before is a duplicated or replayed Prepare (E7): senders number every
  // Prepare anew, retries included (29-5.2-d). Refused with an authentic reply and no frames
  // applied, so nothing is credited or changed twice. Sequences from 2^31 close the connection below.
  if (packet.sequence < MAX_PACKET_SEQUENCE && !seenSequences(context.keys).record(Number(packet.sequence))) {
    const data = context.keys.encrypt(encodePacket({ sequence: packet.sequence, ilpPacketType: IlpPacketType.Reject, prepareAmount: prepare.amount, frames: [] }));
    return { reply: { type: IlpPacketType.Reject, code: 'F99', triggeredBy: context.sourceAccount, message: 'duplicate sequence', data } };
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

/**
 * How far back duplicates are recognised. A peer has at most its congestion window of Prepares in
 * flight (128 here, one to a few dozen elsewhere), so later arrivals are never legitimately
 * this late; anything older than the window is refused as a replay.
 *
 * @example
 * ```ts
 * // After sequence 5000 arrived, 3977..4999 may still arrive (once each); 3976 and below may not.
 * SEQUENCE_WINDOW; // 1024
 * ```
 */
export const SEQUENCE_WINDOW = 1024;

/**
 * The sequences a connection has answered, as a sliding bitmap over the last
 * {@link SEQUENCE_WINDOW} below the highest (the anti-replay window of IPsec and DTLS): 128 bytes
 * per connection, whatever the traffic.
 *
 * @example
 * ```ts
 * const seen = new SeenSequences();
 * seen.record(5); // true: new
 * seen.record(3); // true: out of order, still new
 * seen.record(5); // false: a duplicate
 * ```
 */
export class SeenSequences {
  private highest = -1;
  private readonly bits = new Uint8Array(SEQUENCE_WINDOW / 8);

  /** Records a sequence; false if it was seen before or is too old to tell. */
  record(sequence: number): boolean {
    if (sequence > this.highest) {
      // The slots between the old and the new highest now stand for sequences not seen yet.
      if (sequence - this.highest >= SEQUENCE_WINDOW) this.bits.fill(0);
      else for (let s = this.highest + 1; s < sequence; s++) this.clear(s);
      this.highest = sequence;
      this.set(sequence);
      return true;
    }
    if (this.highest - sequence >= SEQUENCE_WINDOW || this.has(sequence)) return false;
    this.set(sequence);
    return true;
  }

  private has(sequence: number): boolean {
    const slot = sequence % SEQUENCE_WINDOW;
    return ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0;
  }

  private set(sequence: number): void {
    const slot = sequence % SEQUENCE_WINDOW;
    this.bits[slot >> 3] = (this.bits[slot >> 3] as number) | (1 << (slot & 7));
  }

  private clear(sequence: number): void {
    const slot = sequence % SEQUENCE_WINDOW;
    this.bits[slot >> 3] = (this.bits[slot >> 3] as number) & ~(1 << (slot & 7));
  }
}

// Keyed by the connection's keys (one frozen object per connection), so the window lives and dies
// with its connection without a field on it.
const windows = new WeakMap<StreamKeys, SeenSequences>();

function seenSequences(keys: StreamKeys): SeenSequences {
  let seen = windows.get(keys);
  if (!seen) {
    seen = new SeenSequences();
    windows.set(keys, seen);
  }
  return seen;
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
