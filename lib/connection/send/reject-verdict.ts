/**
 * What an unfulfilled packet means for the connection: nothing (F08 shrinks the next packet,
 * the max packet amount already learned from it), one more failure in a row (a receiver's F99, a
 * bad fulfillment), or the end of the connection (a final reject, retries used up, or a rate
 * that fell below the minimum). Pure, so each rule is easy to read and to test.
 *
 * @example
 * ```ts
 * const verdict = judgeUnfulfilled(outcome, { amount: 1000n, minDestination: 495n, attempts: 10, stopped: false });
 * if (verdict.kind === 'fail') connection.fail(verdict.error);
 * ```
 */
import { ConnectionError } from '../../errors';
import { IlpPacketType } from '../../wire/types';
import type { Outcome } from '../transmit';

/**
 * The decision on one unfulfilled packet.
 *
 * @example
 * ```ts
 * const verdict: RejectVerdict = { kind: 'count', code: 'F99', message: 'no room' };
 * ```
 */
export type RejectVerdict =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'count'; readonly code: string; readonly message: string }
  | { readonly kind: 'fail'; readonly error: ConnectionError };

/**
 * What {@link judgeUnfulfilled} needs to know besides the outcome.
 *
 * @example
 * ```ts
 * const packet: UnfulfilledPacket = { amount: 1000n, minDestination: 495n, attempts: 10, stopped: false };
 * ```
 */
export interface UnfulfilledPacket {
  /** The source amount the packet carried. */
  readonly amount: bigint;
  /** The least the receiver was asked to accept. */
  readonly minDestination: bigint;
  /** How many times a packet is sent at most (the retry policy's attempts), for the message. */
  readonly attempts: number;
  /** The sender stopped: rejects no longer end the connection. */
  readonly stopped: boolean;
}

const IGNORE: RejectVerdict = { kind: 'ignore' };

/**
 * T-family rejects, R00 and expiry are worth another attempt of the same packet (RFC 27 §T, §R).
 *
 * @example
 * ```ts
 * isTemporary(outcomeRejectedWith('T04')); // true
 * isTemporary(outcomeRejectedWith('F02')); // false
 * ```
 */
export function isTemporary(outcome: Outcome): boolean {
  if (outcome.reply.type !== IlpPacketType.Reject) return false;
  const { code } = outcome.reply;
  return code.startsWith('T') || code === 'R00';
}

/**
 * Rejects that say the path is crowded: a connector short of liquidity, or a packet that expired.
 *
 * @example
 * ```ts
 * if (signalsCongestion(reject.code)) congestion.onCongestion(epoch); // T04 or R00
 * ```
 */
export function signalsCongestion(code: string): boolean {
  return code === 'T04' || code === 'R00';
}

/**
 * Decides what a packet that was not fulfilled (after its retries) means for the connection.
 *
 * @example
 * ```ts
 * // F99 whose STREAM reply says 400 arrived where 495 was the least accepted:
 * judgeUnfulfilled(outcome, { amount: 1000n, minDestination: 495n, attempts: 10, stopped: false });
 * // { kind: 'fail', error: ConnectionError EXCHANGE_RATE 'the exchange rate fell below the minimum: ...' }
 * ```
 */
export function judgeUnfulfilled(outcome: Outcome, packet: UnfulfilledPacket): RejectVerdict {
  const { reply } = outcome;
  if (packet.stopped || reply.type !== IlpPacketType.Reject) {
    if (reply.type === IlpPacketType.Fulfill) return { kind: 'count', code: 'F05', message: 'the fulfillment does not match the condition' };
    return IGNORE;
  }
  const { code, message } = reply;
  // The max packet amount already learned from an F08 (when the reply came); the money goes out again smaller.
  if (code === 'F08') return IGNORE;
  if (code === 'F99' && outcome.replyPacket) {
    const arrived = outcome.replyPacket.prepareAmount;
    if (packet.amount > 0n && arrived < packet.minDestination) return { kind: 'fail', error: rateFellBelowMinimum(packet.amount, arrived, packet.minDestination) };
    // The receiver refused with its reasons in the reply frames, already applied; bounded.
    return { kind: 'count', code, message };
  }
  if (isTemporary(outcome)) {
    return { kind: 'fail', error: new ConnectionError('SEND_FAILED', `a packet failed ${packet.attempts} times; last ${code} ${message}`.trim(), undefined, code) };
  }
  if (code === 'F99') return { kind: 'count', code, message };
  return { kind: 'fail', error: new ConnectionError('SEND_FAILED', `packet rejected with ${code} ${message}`.trim(), undefined, code) };
}

function rateFellBelowMinimum(amount: bigint, arrived: bigint, minDestination: bigint): ConnectionError {
  return new ConnectionError('EXCHANGE_RATE', `the exchange rate fell below the minimum: ${amount} arrived as ${arrived}, the least accepted is ${minDestination}`);
}
