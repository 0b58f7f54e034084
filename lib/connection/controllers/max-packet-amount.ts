/**
 * The largest packet the path carries, learned from F08 rejects (RFC 27 §F08): an F08 whose data
 * names the maximum gives it exactly, scaled back to source units (also when a later hop shrinks
 * it again); an F08 without usable data only says "smaller than this", so the limit is found by
 * binary search between the largest amount known to get through and the smallest known to fail.
 * Before anything got through, each failure halves the next try.
 *
 * @example
 * ```ts
 * const max = new MaxPacketAmount(10_000n);
 * max.onTooLarge(10_000n, undefined); // no data: the limit is below 10,000
 * max.budget;                         // 5,000; then bisects as packets succeed or fail
 * ```
 */

/**
 * One connection's max packet amount, in source units.
 *
 * @example
 * ```ts
 * const max = new MaxPacketAmount(1000n);
 * max.onTooLarge(1000n, undefined); // F08 without data: the limit is below 1000
 * max.budget;                       // 500n
 * max.onDelivered(500n);
 * max.budget;                       // 750n: halfway between 500 and 999
 * max.onTooLarge(750n, 600n);       // F08 data puts the limit at 600
 * max.budget;                       // 600n, and max.isPrecise is true
 * ```
 */
export class MaxPacketAmount {
  private upper: bigint;
  private verified = 0n;
  private precise = false;
  /** The next try while nothing got through and the limit is not known exactly. */
  private guess: bigint | undefined;

  /** `initial` is the configured (or probed) maximum. */
  constructor(initial: bigint) {
    this.upper = initial;
  }

  /** The most a packet should carry now. 0 means the path carries nothing: a send must fail. */
  get budget(): bigint {
    if (this.precise || this.verified >= this.upper) return this.upper;
    if (this.verified === 0n) return this.guess !== undefined && this.guess < this.upper ? this.guess : this.upper;
    // Bisect between what got through and what is known to fail.
    return this.verified + (this.upper - this.verified + 1n) / 2n;
  }

  /** The largest amount known to reach the receiver. */
  get verifiedAmount(): bigint {
    return this.verified;
  }

  /** True once the limit is known exactly (from F08 data, or the bisection closed). */
  get isPrecise(): boolean {
    return this.precise || this.verified >= this.upper;
  }

  /** A packet of `amount` reached the receiver (fulfilled, or an authentic reply). */
  onDelivered(amount: bigint): void {
    if (amount > this.verified) this.verified = amount;
    if (this.verified > this.upper) this.upper = this.verified;
  }

  /**
   * A packet of `amount` met F08. `exactMax` is the limit in source units from the F08 data
   * (`floor(amount × maximum / received)`), or undefined when the data was missing or garbage.
   */
  onTooLarge(amount: bigint, exactMax: bigint | undefined): void {
    // An amount that got through before fails now: a hop lowered its limit, so start over.
    if (this.verified >= amount) this.verified = 0n;
    if (exactMax !== undefined) {
      if (exactMax < this.upper) this.upper = exactMax;
      this.precise = true;
      this.guess = undefined;
      return;
    }
    if (amount - 1n < this.upper) this.upper = amount - 1n;
    this.precise = false;
    // With nothing verified, halve the try so the search takes log2 steps, not one per unit;
    // the upper bound stays at amount - 1, so a later success bisects up to the real limit.
    const half = amount / 2n;
    if (this.guess === undefined || half < this.guess) this.guess = half;
  }
}
