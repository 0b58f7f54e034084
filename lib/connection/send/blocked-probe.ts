/**
 * Asking a quiet peer for room: while bytes wait on the peer's data limits and nothing is in
 * flight, no reply is coming that could raise them, so the sender sends StreamDataBlocked (and
 * ConnectionDataBlocked) in a packet of its own, with a backoff that doubles while nothing changes.
 *
 * @example
 * ```ts
 * const blocked = new BlockedProbe(scheduler, windows, host);
 * blocked.maybeSchedule(); // after each pass of the send loop
 * blocked.restart();       // a packet carried new bytes: the next wait is short again
 * blocked.cancel();        // the sender stopped
 * ```
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { timer } from 'rxjs';
import { FrameType, type Frame } from '../../wire/types';
import type { DataAndMoneyStream } from '../../stream/stream';
import type { DataWindows } from '../data-windows';

/**
 * While bytes wait on the peer's data limit and nothing is in flight, the sender asks again with
 * StreamDataBlocked after this long, doubling up to {@link BLOCKED_PROBE_MAX_MS}: a peer that only
 * reports its window in replies (ilp-protocol-stream with a flowing reader) would otherwise never
 * tell us it has room.
 *
 * @example
 * ```ts
 * // Waits between blocked probes: 5, 10, 20, 40, 80, 160, 320, 640, 1_000, 1_000, ... ms;
 * // a packet that carries new bytes starts the sequence again at BLOCKED_PROBE_FIRST_MS.
 * ```
 */
export const BLOCKED_PROBE_FIRST_MS = 5;
/**
 * The longest wait between two blocked probes.
 *
 * @example
 * ```ts
 * this.delay = Math.min(delay * 2, BLOCKED_PROBE_MAX_MS); // after 640 ms comes 1_000, not 1_280
 * ```
 */
export const BLOCKED_PROBE_MAX_MS = 1_000;

/**
 * What a {@link BlockedProbe} asks of the sender it probes for.
 *
 * @example
 * ```ts
 * const host: BlockedProbeHost = {
 *   quiet: () => !stopped && inFlight === 0,
 *   reachable: () => (connection.state === 'open' || connection.state === 'closing') && connection.hasRemoteAddress,
 *   sendableStreams: () => registry.sorted(),
 *   send: (frames) => sendTracked({ amount: 0n, frames, fulfillable: true, minDestination: 0n }).subscribe(),
 * };
 * ```
 */
export interface BlockedProbeHost {
  /** True when no reply is coming that could lift a block: not stopped and nothing in flight. */
  quiet(): boolean;
  /** True while the connection may send: open or closing, and the peer's address is known. */
  reachable(): boolean;
  /** The streams the peer lets us send on (its stream-id limit applied). */
  sendableStreams(): DataAndMoneyStream[];
  /** Sends `frames` in a packet of their own. */
  send(frames: Frame[]): void;
}

/**
 * Schedules blocked probes for one connection.
 *
 * @example
 * ```ts
 * // stream 1 sent the 16 KB the peer allows, 4 KB more wait, and nothing is in flight:
 * blocked.maybeSchedule(); // in 5 ms: StreamDataBlocked { streamId: 1n, maxOffset: 16_384n }
 * ```
 */
export class BlockedProbe {
  private delay = BLOCKED_PROBE_FIRST_MS;
  private pending: Subscription | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly windows: Pick<DataWindows, 'sendRoom' | 'remoteLimitValue'>,
    private readonly host: BlockedProbeHost,
  ) {}

  /** Schedules a probe if bytes wait on the peer and no reply is coming that could lift it. */
  maybeSchedule(): void {
    if (!this.host.quiet() || this.pending) return;
    if (!this.host.reachable()) return;
    if (this.blockedStreams().length === 0) return;
    const delay = this.delay;
    this.delay = Math.min(delay * 2, BLOCKED_PROBE_MAX_MS);
    this.pending = timer(delay, this.scheduler).subscribe(() => {
      this.pending = undefined;
      this.fire();
    });
  }

  /** New bytes went out: the peer is not stuck, so the next wait starts short again. */
  restart(): void {
    this.delay = BLOCKED_PROBE_FIRST_MS;
  }

  /** Drops a scheduled probe for good (the sender stopped). */
  cancel(): void {
    this.pending?.unsubscribe();
    this.pending = undefined;
  }

  /** A packet of its own saying where we are blocked; the peer's reply carries its current limits. */
  private fire(): void {
    if (!this.host.quiet()) return;
    const streams = this.blockedStreams();
    if (streams.length === 0) return;
    const frames: Frame[] = streams.map((stream) => ({ type: FrameType.StreamDataBlocked, streamId: stream.id, maxOffset: stream.outgoing.remoteMaxOffset }));
    if (this.windows.sendRoom === 0n) frames.push({ type: FrameType.ConnectionDataBlocked, maxOffset: this.windows.remoteLimitValue });
    this.host.send(frames);
  }

  /** Streams whose new bytes wait on the peer's limits (not on the congestion window). */
  private blockedStreams(): DataAndMoneyStream[] {
    const connectionFull = this.windows.sendRoom === 0n;
    return this.host.sendableStreams().filter((stream) => stream.state !== 'closed' && stream.outgoing.waitsOnPeer(connectionFull));
  }
}
