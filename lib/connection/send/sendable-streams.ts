/**
 * Which streams may put money or bytes in the next packet: the peer's stream-id limit
 * (ConnectionMaxStreamId) bounds the streams we open, never the ones it opened. A stream over the
 * limit waits, and the peer hears once per limit that we are blocked on it (29-4.4.4-e).
 *
 * @example
 * ```ts
 * const sendable = new SendableStreams(registry, control);
 * buildPacket({ streams: sendable.list(), budget, rate, controlFrames, dataRoom });
 * ```
 */
import { FrameType } from '../../wire/types';
import type { DataAndMoneyStream } from '../../stream/stream';
import type { StreamRegistry } from '../stream-registry';
import type { ControlQueue } from './control-queue';

/**
 * Picks one connection's sendable streams, in stream-id order.
 *
 * @example
 * ```ts
 * // the peer allows stream ids up to 3; we opened 1, 3 and 5:
 * sendable.list(); // [stream 1, stream 3], and ConnectionStreamIdBlocked { maxStreamId: 3n } is queued once
 * sendable.hasMoneyToSend(); // true if any stream (5 included) has money queued
 * ```
 */
export class SendableStreams {
  private reportedLimit: bigint | undefined;

  constructor(
    private readonly registry: Pick<StreamRegistry, 'streams' | 'remoteMaxStreamId' | 'sorted' | 'isPeerStream'>,
    private readonly control: Pick<ControlQueue, 'push'>,
  ) {}

  /** The streams the peer lets us send on now; queues ConnectionStreamIdBlocked when some wait. */
  list(): DataAndMoneyStream[] {
    const { registry } = this;
    const limit = registry.remoteMaxStreamId;
    const streams = registry.sorted();
    const sendable = streams.filter((s) => s.id <= limit || registry.isPeerStream(s.id));
    // It rides on the next packet; repeating it for the same limit would tell the peer nothing new.
    if (sendable.length < streams.length && this.reportedLimit !== limit) {
      this.reportedLimit = limit;
      this.control.push({ type: FrameType.ConnectionStreamIdBlocked, maxStreamId: limit });
    }
    return sendable;
  }

  /** True if any stream, sendable or not, has money queued: the rate must be probed first. */
  hasMoneyToSend(): boolean {
    for (const stream of this.registry.streams.values()) if (stream.pendingMoney > 0n) return true;
    return false;
  }
}
