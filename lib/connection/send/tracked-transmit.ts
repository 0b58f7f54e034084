/**
 * Sending with the lessons of every reply applied, whatever the packet was (a probe, money, a
 * retry, a blocked probe): an F08 shrinks the max packet amount; an authentic reply proves the
 * peer knows our address (so the handshake frames stop), shows what got through, narrows the
 * exchange rate and carries frames for the connection.
 *
 * @example
 * ```ts
 * const tracked = new TrackedTransmit(link, connection, maxPacket, rates);
 * tracked.send({ amount: 1000n, frames: tracked.handshakeFrames(), fulfillable: false, minDestination: 0n }).subscribe();
 * ```
 */
import type { Observable } from 'rxjs';
import { tap } from 'rxjs';
import { FrameType, IlpPacketType, type Frame } from '../../wire/types';
import { f08ExactMaxInSource } from '../rate-probe';
import type { MaxPacketAmount } from '../controllers/max-packet-amount';
import { type Link, type Outcome, type Transmission, transmit } from '../transmit';
import type { ExchangeRateTracker } from './exchange-rate-tracker';
import type { SenderHost } from './host';

/**
 * The part of the connection a {@link TrackedTransmit} reports to.
 *
 * @example
 * ```ts
 * const host: TrackedTransmitHost = connection; // a SenderHost is one
 * ```
 */
export type TrackedTransmitHost = Pick<SenderHost, 'registry' | 'sourceAccount' | 'sourceAssetCode' | 'sourceAssetScale' | 'applyReplyFrames'>;

/**
 * Transmits one connection's packets and learns from their replies.
 *
 * @example
 * ```ts
 * const tracked = new TrackedTransmit(link, connection, maxPacket, rates);
 * tracked.handshakeFrames(); // [ConnectionNewAddress, ConnectionAssetDetails] for a client, until a reply
 * tracked.send(transmission).subscribe((outcome) => settle(outcome));
 * ```
 */
export class TrackedTransmit {
  private remoteKnowsUs: boolean;

  constructor(
    private readonly link: Link,
    private readonly connection: TrackedTransmitHost,
    private readonly maxPacket: MaxPacketAmount,
    private readonly rates: ExchangeRateTracker,
  ) {
    // Only a client introduces itself: it reached the server at an address it already had.
    this.remoteKnowsUs = connection.registry.isServer;
  }

  /** What a packet carries to introduce us, until the peer's first authentic reply shows it knows. */
  handshakeFrames(): Frame[] {
    if (this.remoteKnowsUs) return [];
    return [
      { type: FrameType.ConnectionNewAddress, sourceAccount: this.connection.sourceAccount },
      { type: FrameType.ConnectionAssetDetails, sourceAssetCode: this.connection.sourceAssetCode, sourceAssetScale: this.connection.sourceAssetScale },
    ];
  }

  /**
   * Sends a packet; every authentic reply (to a probe, a money packet or a retry) applies its
   * frames, narrows the rate bounds and tells the max packet amount what got through.
   */
  send(transmission: Transmission): Observable<Outcome> {
    return transmit(this.link, transmission).pipe(
      tap((outcome) => {
        const { reply, replyPacket } = outcome;
        const exactMax = f08ExactMaxInSource(transmission.amount, outcome);
        if (reply.type === IlpPacketType.Reject && reply.code === 'F08') this.maxPacket.onTooLarge(transmission.amount, exactMax);
        if (!replyPacket) return;
        this.remoteKnowsUs = true;
        if (transmission.amount > 0n) {
          this.maxPacket.onDelivered(transmission.amount);
          // A fulfilling receiver accepted at least our minimum, whatever it claims (E28): one
          // lying reply must not drag the rate bounds below what the packet certainly delivered.
          const claimed = replyPacket.prepareAmount;
          const arrived = outcome.fulfilled && claimed < transmission.minDestination ? transmission.minDestination : claimed;
          this.rates.observe(transmission.amount, arrived);
        }
        this.connection.applyReplyFrames(replyPacket.frames);
      }),
    );
  }
}
