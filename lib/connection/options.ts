/**
 * Options shared by clients and servers, their defaults and their validation.
 *
 * @example
 * ```ts
 * const settings = resolveConnectionOptions({ slippage: 0.02 }); // everything else defaulted
 * ```
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { MAX_U64 } from '../wire/types';
import { type Amount, toU64 } from '../stream/amount';
import { type Ratio, ratioFrom } from './ratio';
import type { SenderSettings } from './sender';

/** Tunables every connection accepts. All are optional. */
export interface ConnectionTuning {
  /** Drives every wait (backoff, expiry, idle timeout). Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** How far below the probed exchange rate a packet may still be accepted. Default 0.01 (1 %). */
  slippage?: number | string;
  /** The most source units one packet may carry, before the path says otherwise. Default 2^64-1. */
  maxPacketAmount?: Amount;
  /** Packets in flight at once. Default 20. */
  window?: number;
  /** Milliseconds until each Prepare expires. Default 30,000. */
  packetExpiryMs?: number;
  /** Close after this many ms without an authentic packet either way; 0 disables. Default 60,000. */
  idleTimeoutMs?: number;
  /** First backoff after a temporary (T) error, doubling up to `retryMaxDelayMs`. Default 100. */
  retryBaseDelayMs?: number;
  /** Longest backoff. Default 10,000. */
  retryMaxDelayMs?: number;
  /** Consecutive failed packets before the connection gives up. Default 50. */
  maxConsecutiveFailures?: number;
}

/** The defaults of {@link ConnectionTuning}. */
export const CONNECTION_DEFAULTS = {
  slippage: '0.01',
  maxPacketAmount: MAX_U64,
  window: 20,
  packetExpiryMs: 30_000,
  idleTimeoutMs: 60_000,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 10_000,
  maxConsecutiveFailures: 50,
} as const;

/** Tuning with every default filled in and every value checked. */
export interface ResolvedTuning extends SenderSettings {
  readonly scheduler: SchedulerLike;
  readonly idleTimeoutMs: number;
}

/**
 * Applies defaults and validates; throws a RangeError naming the bad option.
 *
 * @example
 * ```ts
 * resolveConnectionOptions({ window: 0 }); // RangeError: window must be an integer >= 1
 * ```
 */
export function resolveConnectionOptions(options: ConnectionTuning): ResolvedTuning {
  const slippage: Ratio = ratioFrom(options.slippage ?? CONNECTION_DEFAULTS.slippage, 'slippage');
  if (slippage.numerator > slippage.denominator) throw new RangeError('slippage must be between 0 and 1');
  return {
    scheduler: options.scheduler ?? asyncScheduler,
    slippage,
    maxPacketAmount: toU64(options.maxPacketAmount ?? CONNECTION_DEFAULTS.maxPacketAmount, 'maxPacketAmount'),
    window: integerAtLeast(options.window ?? CONNECTION_DEFAULTS.window, 1, 'window'),
    expiryMs: integerAtLeast(options.packetExpiryMs ?? CONNECTION_DEFAULTS.packetExpiryMs, 1, 'packetExpiryMs'),
    idleTimeoutMs: integerAtLeast(options.idleTimeoutMs ?? CONNECTION_DEFAULTS.idleTimeoutMs, 0, 'idleTimeoutMs'),
    retryBaseDelayMs: integerAtLeast(options.retryBaseDelayMs ?? CONNECTION_DEFAULTS.retryBaseDelayMs, 0, 'retryBaseDelayMs'),
    retryMaxDelayMs: integerAtLeast(options.retryMaxDelayMs ?? CONNECTION_DEFAULTS.retryMaxDelayMs, 0, 'retryMaxDelayMs'),
    maxConsecutiveFailures: integerAtLeast(options.maxConsecutiveFailures ?? CONNECTION_DEFAULTS.maxConsecutiveFailures, 1, 'maxConsecutiveFailures'),
  };
}

function integerAtLeast(value: number, min: number, field: string): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${field} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}
