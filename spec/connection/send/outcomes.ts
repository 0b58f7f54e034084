/** Outcome fakes for the send/ unit specs: only the fields the code under test reads are real. */
import { IlpPacketType, type StreamPacket } from '../../../lib/wire/types';
import type { Outcome } from '../../../lib/connection/transmit';

const packet = (prepareAmount: bigint): StreamPacket => ({ sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount, frames: [] });
const replyPacket = (type: IlpPacketType, prepareAmount: bigint): StreamPacket => ({ sequence: 1n, ilpPacketType: type, prepareAmount, frames: [] });

/**
 * A Reject with `code`; `arrived` gives it an authentic STREAM reply claiming that much arrived.
 *
 * @example
 * ```ts
 * judgeUnfulfilled(rejected('F99', 400n), packet); // the receiver saw 400 arrive
 * ```
 */
export function rejected(code: string, arrived?: bigint, message = 'why'): Outcome {
  return {
    packet: packet(0n),
    reply: { type: IlpPacketType.Reject, code, message, triggeredBy: 'test.connector', data: Buffer.alloc(0) },
    replyPacket: arrived === undefined ? undefined : replyPacket(IlpPacketType.Reject, arrived),
    fulfilled: false,
  };
}

/**
 * A Fulfill of a packet whose minimum was `minDestination`; the receiver claims `claimed` arrived.
 * `matches: false` makes it a Fulfill whose fulfillment does not hash to the condition.
 *
 * @example
 * ```ts
 * settleFulfilled(plan, fulfilled(495n, 400n), connection); // counts 495: the minimum beats a lower claim
 * ```
 */
export function fulfilled(minDestination: bigint, claimed: bigint | undefined, matches = true): Outcome {
  return {
    packet: packet(minDestination),
    reply: { type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32), data: Buffer.alloc(0) },
    replyPacket: claimed === undefined ? undefined : replyPacket(IlpPacketType.Fulfill, claimed),
    fulfilled: matches,
  };
}
