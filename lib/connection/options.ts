/**
 * Options shared by clients and servers, their defaults and their validation.
 *
 * @example
 * ```ts
 * const settings = resolveConnectionOptions({ slippage: 0.02 }); // everything else defaulted
 * ```
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { MAX_PLAINTEXT_SIZE, MAX_U64 } from '../wire/types';
import { type Amount, toU64 } from '../stream/amount';
import { type Ratio, ratioFrom } from './ratio';
import type { SenderSettings } from './send/settings';

/**
 * Tunables every connection accepts. All are optional.
 *
 * @example
 * ```ts
 * const tuning: ConnectionTuning = { slippage: '0.005', window: 32, packetExpiryMs: 10_000 };
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret, ...tuning });
 * const server = await createServer({ plugin: serverPlugin, ...tuning });
 * ```
 */
export interface ConnectionTuning {
  /** Drives every wait (backoff, expiry, idle timeout). Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** How far below the probed exchange rate a packet may still be accepted. Default 0.01 (1 %). */
  slippage?: number | string;
  /**
   * The least exchange rate accepted, in destination base units per source base unit (asset
   * scales not applied). Overrides `slippage`. A connect whose probed rate is lower fails with
   * `EXCHANGE_RATE`; so does a send once the rate falls below it. Default: none.
   */
  minExchangeRate?: number | string;
  /** The most source units one packet may carry, before the path says otherwise. Default 2^64-1. */
  maxPacketAmount?: Amount;
  /**
   * The most packets in flight at once. The congestion window starts at `initialWindow`, grows
   * while packets are fulfilled and halves on T04, R00 or expiry, never above this. 1 sends one
   * packet at a time. Default 128.
   */
  window?: number;
  /** Packets in flight before the first reply. Default 16 (capped at `window`). */
  initialWindow?: number;
  /** Milliseconds until each Prepare expires. Default 30,000. */
  packetExpiryMs?: number;
  /**
   * Close after this many ms in which no money and no data moved either way; 0 disables. Default
   * 60,000. Only progress counts: money fulfilled, bytes accepted, acknowledged or read by the
   * consumer, and the handshake completing. Pings, rate probes, rejected packets and the probes of
   * a sender blocked by a full window do not, so two ends stuck on a reader that never reads (or
   * a peer that only keeps the connection warm) are cleaned up instead of probing for ever, and a
   * server drops them from its pool. Raise it if a reader may legitimately pause for longer.
   */
  idleTimeoutMs?: number;
  /**
   * The most streams the peer may have open at once on this connection (RFC 29 §3.3, E17). Our
   * ConnectionMaxStreamId starts at twice this and grows by 2 each time a peer stream closes;
   * a peer that opens more is closed with StreamIdError. Default 10 (max stream id 20, as every
   * implementation assumes). Streams we open are limited by the peer, not by this.
   */
  maxRemoteStreams?: number;
  /**
   * Bytes the peer may send on one stream beyond what its consumer took (our StreamMaxData is
   * `consumed + this`): the most a stream buffers for a slow or absent consumer. Default
   * 1,048,576: at 1 ms one-way latency a window of 256 KiB halves throughput. A server holding
   * many connections with readers that may stall should lower it (and `connectionReceiveWindow`).
   */
  streamReceiveWindow?: number;
  /**
   * The same for all streams together (our ConnectionMaxData). Default 2,097,152. Together with
   * the held-segment bound of each stream this is the most received data one connection holds
   * in memory, out-of-order bytes and bytes not yet read alike (29-4.5-b, E20, E21).
   */
  connectionReceiveWindow?: number;
  /**
   * A packet rejected with a temporary error (T-family, R00 or expiry) is sent again after
   * `retryBaseDelayMs × retryFactor^(n-1)` ms, at most `retryMaxDelayMs`, up to `retryAttempts`
   * sends in all; then the connection fails with `SEND_FAILED` and the ILP code. Default 100.
   */
  retryBaseDelayMs?: number;
  /** Growth of the backoff between retries. Default 2. */
  retryFactor?: number;
  /** Longest backoff. Default 5,000. */
  retryMaxDelayMs?: number;
  /** Sends of one packet at most, counting the first (1 = never retried). Default 10 (about 26 s of backoff). */
  retryAttempts?: number;
  /** Packets in a row that end rejected (F99 and the like, not F08) before the connection gives up. Default 50. */
  maxConsecutiveFailures?: number;
}

/**
 * The defaults of {@link ConnectionTuning}.
 *
 * @example
 * ```ts
 * CONNECTION_DEFAULTS.window; // 128
 * resolveConnectionOptions({}).retryAttempts === CONNECTION_DEFAULTS.retryAttempts; // true
 * ```
 */
export const CONNECTION_DEFAULTS = {
  slippage: '0.01',
  maxPacketAmount: MAX_U64,
  window: 128,
  initialWindow: 16,
  packetExpiryMs: 30_000,
  idleTimeoutMs: 60_000,
  maxRemoteStreams: 10,
  streamReceiveWindow: 1_048_576,
  connectionReceiveWindow: 2_097_152,
  retryBaseDelayMs: 100,
  retryFactor: 2,
  retryMaxDelayMs: 5_000,
  retryAttempts: 10,
  maxConsecutiveFailures: 50,
} as const;

/**
 * Tuning with every default filled in and every value checked.
 *
 * @example
 * ```ts
 * const tuning: ResolvedTuning = resolveConnectionOptions({ packetExpiryMs: 5_000, initialWindow: 500 });
 * tuning.expiryMs;      // 5_000
 * tuning.initialWindow; // 128: capped at `window`
 * tuning.slippage;      // { numerator: 1n, denominator: 100n }, the default
 * ```
 */
export interface ResolvedTuning extends SenderSettings {
  readonly scheduler: SchedulerLike;
  readonly idleTimeoutMs: number;
  readonly maxRemoteStreams: number;
  readonly streamReceiveWindow: number;
  readonly connectionReceiveWindow: number;
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
  const window = integerAtLeast(options.window ?? CONNECTION_DEFAULTS.window, 1, 'window');
  const retryFactor = options.retryFactor ?? CONNECTION_DEFAULTS.retryFactor;
  if (typeof retryFactor !== 'number' || !Number.isFinite(retryFactor) || retryFactor < 1) {
    throw new RangeError(`retryFactor must be a finite number >= 1, got ${String(retryFactor)}`);
  }
  return {
    scheduler: options.scheduler ?? asyncScheduler,
    slippage,
    minExchangeRate: options.minExchangeRate === undefined ? undefined : ratioFrom(options.minExchangeRate, 'minExchangeRate'),
    maxPacketAmount: toU64(options.maxPacketAmount ?? CONNECTION_DEFAULTS.maxPacketAmount, 'maxPacketAmount'),
    window,
    initialWindow: Math.min(integerAtLeast(options.initialWindow ?? CONNECTION_DEFAULTS.initialWindow, 1, 'initialWindow'), window),
    expiryMs: integerAtLeast(options.packetExpiryMs ?? CONNECTION_DEFAULTS.packetExpiryMs, 1, 'packetExpiryMs'),
    idleTimeoutMs: integerInRange(options.idleTimeoutMs ?? CONNECTION_DEFAULTS.idleTimeoutMs, 0, MAX_TIMER_MS, 'idleTimeoutMs'),
    maxRemoteStreams: integerInRange(options.maxRemoteStreams ?? CONNECTION_DEFAULTS.maxRemoteStreams, 1, MAX_REMOTE_STREAMS, 'maxRemoteStreams'),
    // At least one full packet of bytes, or a peer could never send a full-size StreamData frame.
    streamReceiveWindow: integerAtLeast(options.streamReceiveWindow ?? CONNECTION_DEFAULTS.streamReceiveWindow, MAX_PLAINTEXT_SIZE, 'streamReceiveWindow'),
    connectionReceiveWindow: integerAtLeast(options.connectionReceiveWindow ?? CONNECTION_DEFAULTS.connectionReceiveWindow, MAX_PLAINTEXT_SIZE, 'connectionReceiveWindow'),
    retryBaseDelayMs: integerAtLeast(options.retryBaseDelayMs ?? CONNECTION_DEFAULTS.retryBaseDelayMs, 0, 'retryBaseDelayMs'),
    retryFactor,
    retryMaxDelayMs: integerAtLeast(options.retryMaxDelayMs ?? CONNECTION_DEFAULTS.retryMaxDelayMs, 0, 'retryMaxDelayMs'),
    retryAttempts: integerAtLeast(options.retryAttempts ?? CONNECTION_DEFAULTS.retryAttempts, 1, 'retryAttempts'),
    maxConsecutiveFailures: integerAtLeast(options.maxConsecutiveFailures ?? CONNECTION_DEFAULTS.maxConsecutiveFailures, 1, 'maxConsecutiveFailures'),
  };
}

/** setTimeout's ceiling (2^31-1 ms, about 24.8 days): longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A sanity ceiling: each open stream costs memory, and a limit is meant to be one. */
const MAX_REMOTE_STREAMS = 1_000_000;

function integerInRange(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

function integerAtLeast(value: number, min: number, field: string): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${field} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}
