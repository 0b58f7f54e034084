/**
 * How many packets may be in flight: additive increase, multiplicative decrease (AIMD), as TCP
 * does. The window starts small and grows by one packet per fulfilled packet (doubling every
 * round trip: slow start) until the first sign of congestion; after that it grows by about one
 * packet per round trip. A T04 (a connector short of liquidity), an R00 or an expired packet
 * halves it, at most once per round trip, so a burst of rejects from one crowded moment does not
 * collapse the window to 1. It never exceeds `max`; with `max` 1 the sender is strictly one packet
 * at a time, which is `concatMap`.
 *
 * Why AIMD rather than pacing: on an in-memory or LAN path the round trip, not a rate, bounds
 * throughput, and AIMD needs no clock; a connector that cannot keep up answers T04 or lets
 * packets expire, and both shrink the window.
 *
 * @example
 * ```ts
 * const window = new CongestionWindow({ initial: 4, max: 64 });
 * const epoch = window.epoch;          // remember when a packet left
 * window.onFulfill();                  // 5
 * window.onCongestion(epoch);          // 2
 * ```
 */

/**
 * Sizes of a {@link CongestionWindow}.
 *
 * @example
 * ```ts
 * // The sender sizes its window from the resolved tuning (`initialWindow`, `window`):
 * const window = new CongestionWindow({ initial: settings.initialWindow, max: settings.window });
 * new CongestionWindow({ initial: 16, max: 128 }).packets; // 16 with the defaults
 * ```
 */
export interface CongestionWindowOptions {
  /** Packets in flight at the start (at most `max`). */
  readonly initial: number;
  /** The most packets in flight, ever. */
  readonly max: number;
}

/**
 * The congestion window of one connection's sender.
 *
 * @example
 * ```ts
 * const window = new CongestionWindow({ initial: 2, max: 8 });
 * const epoch = window.epoch;  // stamped on a packet as it leaves
 * window.onFulfill();          // slow start: window.packets is 3
 * window.onCongestion(epoch);  // T04, R00 or expiry: halved to 1, and slow start ends
 * window.onCongestion(epoch);  // another reject from the same epoch: ignored, still 1
 * window.onFulfill();          // now about one packet per round trip: 1 + 1/1, so 2
 * ```
 */
export class CongestionWindow {
  private size: number;
  private threshold = Number.POSITIVE_INFINITY;
  private decreases = 0;

  constructor(private readonly options: CongestionWindowOptions) {
    this.size = Math.min(options.initial, options.max);
  }

  /** Packets that may be in flight now (an integer, 1..max). */
  get packets(): number {
    return Math.max(1, Math.floor(this.size));
  }

  /** A stamp for packets sent now; pass it back to {@link onCongestion}. */
  get epoch(): number {
    return this.decreases;
  }

  /** True while the window still doubles every round trip. */
  get slowStart(): boolean {
    return this.size < this.threshold;
  }

  /** A packet was fulfilled: grow. */
  onFulfill(): void {
    const grown = this.slowStart ? this.size + 1 : this.size + 1 / this.size;
    this.size = Math.min(grown, this.options.max);
  }

  /**
   * A packet sent in `epoch` met congestion: halve, unless the window already shrank since that
   * packet left (its reject reports the congestion that shrank it).
   */
  onCongestion(epoch: number): void {
    if (epoch !== this.decreases) return;
    this.decreases += 1;
    this.size = Math.max(1, Math.floor(this.size / 2));
    this.threshold = this.size;
  }
}
