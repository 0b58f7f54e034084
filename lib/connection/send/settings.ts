/**
 * The send loop's tunables, kept apart from the loop so the options resolver can name their type
 * without depending on the loop itself.
 *
 * @example
 * ```ts
 * import type { SenderSettings } from './send/settings';
 * const settings: SenderSettings = resolveConnectionOptions({ slippage: 0.005 });
 * ```
 */
import type { Ratio } from '../ratio';

/**
 * Tunables of the send loop; `createConnection` documents the defaults.
 *
 * @example
 * ```ts
 * // resolveConnectionOptions fills them in (ResolvedTuning extends SenderSettings):
 * const settings: SenderSettings = resolveConnectionOptions({ slippage: 0.005 });
 * settings.slippage; // { numerator: 5n, denominator: 1000n }
 * settings.expiryMs; // 30_000, the packetExpiryMs default
 * ```
 */
export interface SenderSettings {
  /** How far below the probed rate a packet may still be accepted (e.g. 1/100). */
  readonly slippage: Ratio;
  /** If set, the least rate accepted (overrides slippage); a lower probed rate fails the connect. */
  readonly minExchangeRate: Ratio | undefined;
  /** The most source units one packet may carry, before the path says otherwise. */
  readonly maxPacketAmount: bigint;
  /** The most packets in flight; the congestion window grows up to it. */
  readonly window: number;
  /** Packets in flight before the first reply. */
  readonly initialWindow: number;
  /** Milliseconds until a Prepare expires. */
  readonly expiryMs: number;
  /** First backoff after a temporary (T) error. */
  readonly retryBaseDelayMs: number;
  /** Each further backoff is this many times longer. */
  readonly retryFactor: number;
  /** Longest backoff. */
  readonly retryMaxDelayMs: number;
  /** How many times one packet is sent at most after temporary errors. */
  readonly retryAttempts: number;
  /** Consecutive packets that end rejected (other than F08) before the connection gives up. */
  readonly maxConsecutiveFailures: number;
}
