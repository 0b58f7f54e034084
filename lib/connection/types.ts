/**
 * The shapes a connection exposes: its lifecycle state, totals and exchange rate.
 *
 * @example
 * ```ts
 * connection.totals$.subscribe((t: ConnectionTotals) => console.log(t.delivered));
 * ```
 */
import type { Ratio } from './ratio';

/**
 * Lifecycle of a connection; `state$` replays the current one.
 *
 * @example
 * ```ts
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * const state: ConnectionState = connection.state; // 'open': createConnection resolves once the probe succeeded
 * await connection.end();
 * connection.state; // 'closed'
 * ```
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

/**
 * Money totals of a connection over all its streams.
 *
 * @example
 * ```ts
 * await lastValueFrom(connection.createStream().sendMoney(1000));
 * const totals: ConnectionTotals = connection.totals;
 * // at a rate of 0.5: { sent: 1000n, delivered: 500n, received: 0n, inFlight: 0n }
 * ```
 */
export interface ConnectionTotals {
  /** Source units in fulfilled packets. */
  readonly sent: bigint;
  /** Destination units that arrived at the peer (as its authentic replies reported). */
  readonly delivered: bigint;
  /** Units received from the peer. */
  readonly received: bigint;
  /** Source units in packets not yet settled. */
  readonly inFlight: bigint;
}

/**
 * The path exchange rate: destination units per source unit, in base units (no asset scale).
 * `exchangeRate$` emits it when the probe ends and again whenever an authentic reply moves the
 * tracked bounds.
 *
 * @example
 * ```ts
 * const rate: ExchangeRate = await firstValueFrom(connection.exchangeRate$);
 * rate.value;                         // 0.5 on a path that halves every amount
 * multiplyFloor(1000n, rate.minimum); // 495n with the default 1 % slippage: the least a packet of 1,000 may deliver
 * ```
 */
export interface ExchangeRate {
  /** delivered / sent of the probe with the most precision. */
  readonly rate: Ratio;
  /**
   * The least rate a packet may get: `minExchangeRate` if set, else `rate × (1 - slippage)`.
   * Every money packet carries `floor(amount × minimum)` as the least the receiver may accept.
   */
  readonly minimum: Ratio;
  /** The rate is at least this: the largest `delivered / sent` any authentic reply reported. */
  readonly lowerBound: Ratio;
  /** The rate is below this: the smallest `(delivered + 1) / sent` any authentic reply reported. */
  readonly upperBound: Ratio;
  /** `rate` as a float, for display. */
  readonly value: number;
}

/**
 * The zero totals a connection starts with.
 *
 * @example
 * ```ts
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * connection.totals; // ZERO_CONNECTION_TOTALS: the rate probe moves no money
 * ```
 */
export const ZERO_CONNECTION_TOTALS: ConnectionTotals = { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n };
