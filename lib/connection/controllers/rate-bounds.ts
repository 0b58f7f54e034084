/**
 * The path exchange rate as an interval, narrowed by every authentic reply. A connector delivers
 * `floor(source × rate)` (give or take its own rounding), so a packet of `source` units that the
 * receiver saw arrive as `delivered` units says `delivered / source <= rate < (delivered + 1) / source`.
 * Intersecting these intervals pins the rate down; a reply outside the interval means the rate
 * moved, and the interval starts again from that reply alone.
 *
 * @example
 * ```ts
 * const bounds = new RateBounds();
 * bounds.observe(1000n, 499n); // [0.499, 0.5)
 * bounds.observe(3000n, 1499n); // [0.49966…, 0.5)
 * bounds.current?.lower; // { numerator: 1499n, denominator: 3000n }
 * ```
 */
import { type Ratio, compareRatios as compare } from '../ratio';

/**
 * A half-open interval [lower, upper) of exchange rates.
 *
 * @example
 * ```ts
 * bounds.observe(1000n, 499n);
 * const interval: RateInterval | undefined = bounds.current;
 * // { lower: { numerator: 499n, denominator: 1000n }, upper: { numerator: 500n, denominator: 1000n } }:
 * // 0.499 <= rate < 0.5
 * ```
 */
export interface RateInterval {
  readonly lower: Ratio;
  readonly upper: Ratio;
}

/**
 * Tracks the interval; `observe` reports whether it changed.
 *
 * @example
 * ```ts
 * const bounds = new RateBounds();
 * bounds.current;               // undefined: nothing observed yet
 * bounds.observe(1000n, 499n);  // true: [499/1000, 500/1000)
 * bounds.observe(1000n, 499n);  // false: the same reply narrows nothing
 * bounds.observe(1000n, 520n);  // true: outside the interval, so the rate moved: [520/1000, 521/1000)
 * ```
 */
export class RateBounds {
  private interval: RateInterval | undefined;

  /** The current interval, once a packet with a source amount > 0 was observed. */
  get current(): RateInterval | undefined {
    return this.interval;
  }

  /**
   * One packet of `source` units arrived as `delivered` units. Returns true if the interval changed.
   *
   * @example
   * ```ts
   * if (bounds.observe(packet.amount, reply.prepareAmount)) publish(bounds.current);
   * ```
   */
  observe(source: bigint, delivered: bigint): boolean {
    if (source <= 0n || delivered < 0n) return false;
    const lower = { numerator: delivered, denominator: source };
    const upper = { numerator: delivered + 1n, denominator: source };
    const previous = this.interval;
    if (!previous || compare(lower, previous.upper) >= 0 || compare(upper, previous.lower) <= 0) {
      this.interval = { lower, upper };
      return true;
    }
    const narrowedLower = compare(lower, previous.lower) > 0 ? lower : previous.lower;
    const narrowedUpper = compare(upper, previous.upper) < 0 ? upper : previous.upper;
    if (narrowedLower === previous.lower && narrowedUpper === previous.upper) return false;
    this.interval = { lower: narrowedLower, upper: narrowedUpper };
    return true;
  }
}
