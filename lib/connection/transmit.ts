/**
 * Sends one STREAM packet as one ILP Prepare and authenticates the reply: a cold Observable per
 * packet, so retries resubscribe with a fresh sequence and a fresh IV (29-5.1.1-b).
 *
 * A reply is authentic only if it decrypts, echoes our sequence (29-5.2-f) and carries the STREAM
 * type matching its ILP type (29-5.2-c). A Fulfill counts as delivered money when its fulfillment
 * hashes to our condition (27-Flow-11, E38), even if its data is missing or garbage (E5, E6).
 *
 * @example
 * ```ts
 * transmit(link, { amount: 1000n, frames, fulfillable: true, minDestination: 495n })
 *   .subscribe((outcome) => console.log(outcome.fulfilled, outcome.replyPacket?.prepareAmount));
 * ```
 */
import { Observable, defer, map } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { encodePacket } from '../wire';
import { IlpPacketType, type Frame, type StreamPacket } from '../wire/types';
import { fulfillmentMatches, randomCondition, type StreamKeys } from '../crypto';
import { sendPrepare, type IlpReply, type Plugin } from '../ilp';
import { openPacket } from './incoming';

/** Everything needed to put a packet on the wire. */
export interface Link {
  readonly plugin: Plugin;
  readonly keys: StreamKeys;
  readonly scheduler: SchedulerLike;
  /** Milliseconds until a Prepare expires (30 s by default). */
  readonly expiryMs: number;
  /** Where Prepares go: the peer's ILP address. */
  destination(): string | undefined;
  /** The next outgoing sequence number. */
  nextSequence(): bigint;
}

/** One packet to send. */
export interface Transmission {
  readonly amount: bigint;
  readonly frames: Frame[];
  /** False for rate probes and other test packets: the condition is random (29-6.1-a). */
  readonly fulfillable: boolean;
  /** The least the receiver may accept, carried as the STREAM prepareAmount (29-3.4-d). */
  readonly minDestination: bigint;
}

/** How a packet ended. */
export interface Outcome {
  readonly packet: StreamPacket;
  readonly reply: IlpReply;
  /** The peer's authentic STREAM reply, if there was one. */
  readonly replyPacket: StreamPacket | undefined;
  /** True if the money moved: a Fulfill whose fulfillment matches our condition. */
  readonly fulfilled: boolean;
}

/**
 * A cold Observable that sends `transmission` once per subscription and emits its {@link Outcome}.
 *
 * @example
 * ```ts
 * transmit(link, probe).subscribe(({ replyPacket }) => replyPacket?.prepareAmount);
 * ```
 */
export function transmit(link: Link, transmission: Transmission): Observable<Outcome> {
  return defer(() => {
    const destination = link.destination();
    if (destination === undefined) throw new Error('the peer has not told us its address');
    const packet: StreamPacket = {
      sequence: link.nextSequence(),
      ilpPacketType: IlpPacketType.Prepare,
      prepareAmount: transmission.minDestination,
      frames: transmission.frames,
    };
    const data = link.keys.encrypt(encodePacket(packet));
    const executionCondition = transmission.fulfillable ? link.keys.condition(data) : randomCondition();
    const expiresAt = new Date(link.scheduler.now() + link.expiryMs);
    return sendPrepare(link.plugin, { amount: transmission.amount, expiresAt, executionCondition, destination, data }, { scheduler: link.scheduler }).pipe(
      map((reply): Outcome => ({
        packet,
        reply,
        replyPacket: authenticate(link.keys, reply, packet.sequence),
        fulfilled: reply.type === IlpPacketType.Fulfill && fulfillmentMatches(reply.fulfillment, executionCondition),
      })),
    );
  });
}

function authenticate(keys: StreamKeys, reply: IlpReply, sequence: bigint): StreamPacket | undefined {
  const packet = openPacket(keys, reply.data);
  if (!packet || packet.sequence !== sequence || packet.ilpPacketType !== reply.type) return undefined;
  return packet;
}
