/**
 * The shapes a connection exposes: its lifecycle state, totals and exchange rate.
 *
 * @example
 * ```ts
 * connection.totals$.subscribe((t: ConnectionTotals) => console.log(t.delivered));
 * ```
 */
import type { Ratio } from './ratio';

/** Lifecycle of a connection; `state$` replays the current one. */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

/** Money totals of a connection over all its streams. */
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

/** The path exchange rate as probed: destination units per source unit. */
export interface ExchangeRate {
  /** delivered / sent of the probe with the most precision. */
  readonly rate: Ratio;
  /** The least rate a packet may get: `rate × (1 - slippage)`; packets carry it as their minimum. */
  readonly minimum: Ratio;
  /** `rate` as a float, for display. */
  readonly value: number;
}

/** The zero totals a connection starts with. */
export const ZERO_CONNECTION_TOTALS: ConnectionTotals = { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n };
