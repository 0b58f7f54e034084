/**
 * Retrying one packet after a temporary failure (RFC 27 T-family rejects, R00 and expiry): the
 * same cold Prepare Observable is subscribed again after a bounded exponential backoff on the
 * scheduler, so each attempt gets a fresh sequence number and a fresh IV (29-5.1.1-b) while its
 * money stays allocated and counted in flight.
 *
 * @example
 * ```ts
 * transmit(link, packet).pipe(retryTemporary(policy, scheduler, { isTemporary, onTemporary, cancelled, cancel$ }))
 * ```
 */
import { type MonoTypeOperatorFunction, type Observable, type SchedulerLike, catchError, mergeMap, of, race, retry, take, throwError, timer } from 'rxjs';

/**
 * How a packet is retried after a temporary failure.
 *
 * @example
 * ```ts
 * // The connection defaults (retryBaseDelayMs, retryFactor, retryMaxDelayMs, retryAttempts):
 * const policy: RetryPolicy = { baseDelayMs: 100, factor: 2, maxDelayMs: 5_000, attempts: 10 };
 * retryDelay(policy, 1); // 100
 * retryDelay(policy, 7); // 5_000: 6,400 capped at maxDelayMs
 * ```
 */
export interface RetryPolicy {
  /** Wait before the first retry, in ms. */
  readonly baseDelayMs: number;
  /** Each further retry waits this many times longer (>= 1). */
  readonly factor: number;
  /** The longest wait, in ms. */
  readonly maxDelayMs: number;
  /** How many times one packet is sent at most (1 = never retried). */
  readonly attempts: number;
}

/**
 * The wait before retry number `retry` (1-based): `min(base × factor^(retry-1), max)`.
 *
 * @example
 * ```ts
 * retryDelay({ baseDelayMs: 100, factor: 2, maxDelayMs: 5000, attempts: 10 }, 3) // 400
 * ```
 */
export function retryDelay(policy: RetryPolicy, retry: number): number {
  const delay = policy.baseDelayMs * policy.factor ** (retry - 1);
  return Math.min(delay, policy.maxDelayMs);
}

/**
 * What {@link retryTemporary} needs to know about the outcomes it sees.
 *
 * @example
 * ```ts
 * const hooks: RetryHooks<Outcome> = {
 *   isTemporary: (o) => o.reply.type === IlpPacketType.Reject && (o.reply.code.startsWith('T') || o.reply.code === 'R00'),
 *   onTemporary: () => (temporaryRejects += 1), // called on the last attempt too
 *   cancelled: () => stopped,
 *   cancel$: stopped$,
 * };
 * transmit(link, packet).pipe(retryTemporary(policy, scheduler, hooks)).subscribe(settle);
 * ```
 */
export interface RetryHooks<T> {
  /** True for an outcome worth another attempt. */
  isTemporary(outcome: T): boolean;
  /** Called for every temporary outcome, retried or not (congestion, failure counting). */
  onTemporary?(outcome: T): void;
  /** True once retrying must stop (the connection is closing): the last outcome is emitted as is. */
  cancelled(): boolean;
  /** Emits when retrying must stop; a wait in progress ends at once. */
  readonly cancel$: Observable<unknown>;
}

/** Carries a temporary outcome through rxjs' `retry`, which only retries errors. */
class TemporaryOutcome<T> {
  constructor(readonly outcome: T) {}
}

/**
 * Re-subscribes the source while it emits temporary outcomes, waiting `retryDelay(policy, n)` on
 * `scheduler` before retry n, at most `policy.attempts` subscriptions in all. When the attempts
 * run out, or `cancelled()` turns true, the last temporary outcome is emitted like any other, so
 * the caller settles the packet exactly once.
 *
 * @example
 * ```ts
 * const settled$ = prepare$.pipe(retryTemporary(policy, scheduler, { isTemporary: (o) => o.code.startsWith('T'), cancelled: () => false, cancel$: NEVER }));
 * ```
 */
export function retryTemporary<T>(policy: RetryPolicy, scheduler: SchedulerLike, hooks: RetryHooks<T>): MonoTypeOperatorFunction<T> {
  return (source: Observable<T>) =>
    source.pipe(
      mergeMap((outcome) => {
        if (!hooks.isTemporary(outcome)) return of(outcome);
        hooks.onTemporary?.(outcome);
        return throwError(() => new TemporaryOutcome(outcome));
      }),
      retry({
        count: policy.attempts - 1,
        delay: (error: unknown, retryNumber: number) => {
          if (!(error instanceof TemporaryOutcome) || hooks.cancelled()) return throwError(() => error);
          // A close during the wait settles the packet now rather than after the backoff.
          return race(timer(retryDelay(policy, retryNumber), scheduler), hooks.cancel$.pipe(take(1), mergeMap(() => throwError(() => error))));
        },
      }),
      catchError((error: unknown) => (error instanceof TemporaryOutcome ? of(error.outcome as T) : throwError(() => error))),
    );
}
