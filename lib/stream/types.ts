/**
 * The shapes a stream exposes: the progress of one `sendMoney()` call, its running totals and its
 * lifecycle state. Kept apart from the stream class so its helpers can share them without
 * importing the class.
 *
 * @example
 * ```ts
 * stream.totals$.subscribe((totals: StreamTotals) => console.log(totals.received));
 * ```
 */

/**
 * Progress of one `sendMoney()` call, emitted after each fulfilled packet that carried part of it.
 *
 * @example
 * ```ts
 * stream.sendMoney(1000).subscribe((progress: MoneyProgress) => console.log(progress));
 * // in packets of at most 400 at a rate of 0.5:
 * // { sent: 400n, delivered: 200n, amount: 1000n }
 * // { sent: 800n, delivered: 400n, amount: 1000n }
 * // { sent: 1000n, delivered: 500n, amount: 1000n }, then the Observable completes
 * ```
 */
export interface MoneyProgress {
  /** Source units of this call in fulfilled packets so far. */
  readonly sent: bigint;
  /** Destination units of this call that arrived so far. */
  readonly delivered: bigint;
  /** Source units this call asked for. */
  readonly amount: bigint;
}

/**
 * Running totals of a stream; `totals$` replays the latest.
 *
 * @example
 * ```ts
 * const stream = connection.createStream();
 * stream.totals; // { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n }
 * await lastValueFrom(stream.sendMoney(1000));
 * stream.totals.sent; // 1000n
 * stream.totals$.subscribe((totals: StreamTotals) => console.log(totals.delivered)); // 500n at a rate of 0.5
 * ```
 */
export interface StreamTotals {
  /** Source units in fulfilled packets. */
  readonly sent: bigint;
  /** Destination units that arrived at the peer. */
  readonly delivered: bigint;
  /** Units received from the peer. */
  readonly received: bigint;
  /** Source units in packets that have not settled. */
  readonly inFlight: bigint;
}

/**
 * Lifecycle of a stream.
 *
 * @example
 * ```ts
 * const state: StreamState = stream.state; // 'open' until end() or destroy()
 * await stream.end();                      // 'closing' until queued money and bytes have gone out
 * stream.state;                            // 'closed'
 * ```
 */
export type StreamState = 'open' | 'closing' | 'closed';
