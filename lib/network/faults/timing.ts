/**
 * Faults in time: random extra latency per packet (which reorders packets), and Prepares that
 * arrive twice.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [jitter({ max: 30 }), duplicatePrepare({ probability: 0.05 })], seed: 4, scheduler });
 * ```
 */
import { mergeMap, Observable, timer } from 'rxjs';
import type { IlpReply } from '../../ilp';
import { MemoryNetworkError } from '../errors';
import type { Fault } from './types';
import { type FaultWhen, recordFault, selectiveFault } from './when';

/** Options of {@link jitter}: the range of the extra delay, and when. */
export interface JitterOptions extends FaultWhen {
  /** Least extra delay in ms. Default 0. */
  min?: number;
  /** Most extra delay in ms (inclusive). */
  max: number;
}

function checkMs(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new MemoryNetworkError('INVALID_OPTION', `${name} must be an integer number of ms >= 0, got ${String(value)}`);
  return value as number;
}

/**
 * Holds each matching Prepare back a random whole number of ms in `[min, max]` (seeded) before it
 * goes on toward the receiver, so later packets can overtake it. Records `delayed`.
 *
 * @example
 * ```ts
 * jitter({ max: 20 }); // 0..20 ms extra per Prepare
 * ```
 */
export function jitter(options: JitterOptions): Fault {
  if (typeof options !== 'object' || options === null) throw new MemoryNetworkError('INVALID_OPTION', 'jitter: options must be an object with max');
  const min = checkMs(options.min ?? 0, 'jitter: min');
  const max = checkMs(options.max, 'jitter: max');
  if (max < min) throw new MemoryNetworkError('INVALID_OPTION', `jitter: max (${max}) must be >= min (${min})`);
  return selectiveFault(options, 'jitter', (prepare, ctx, next) => {
    const delay = ctx.random.int(min, max);
    recordFault(ctx, 'delayed', 0n, { detail: `${delay} ms` });
    return delay === 0 ? next(prepare, ctx) : timer(delay, ctx.scheduler).pipe(mergeMap(() => next(prepare, ctx)));
  });
}

/** Options of {@link duplicatePrepare}: when, and how far behind the copy follows. */
export interface DuplicateOptions extends FaultWhen {
  /** The copy goes on this many ms after the original (0: right after it). Default 0. */
  gap?: number;
}

/**
 * Sends a matching Prepare on twice, as a confused connector might: the receiver gets two
 * identical Prepares, the sender sees only the first one's reply. The copy travels on even after
 * the original's reply is back. Records `duplicatedPrepare`; if the receiver fulfills both, the
 * money trail records `fulfilledTwice`.
 *
 * @example
 * ```ts
 * duplicatePrepare({ every: 5, gap: 3 });
 * ```
 */
export function duplicatePrepare(options: DuplicateOptions = {}): Fault {
  const gap = checkMs(options.gap ?? 0, 'duplicatePrepare: gap');
  return selectiveFault(options, 'duplicatePrepare', (prepare, ctx, next) => {
    recordFault(ctx, 'duplicatedPrepare', prepare.amount);
    return new Observable<IlpReply>((subscriber) => {
      const original = next(prepare, ctx).subscribe(subscriber);
      // Detached: the copy is on the wire and runs its course whether or not anyone waits;
      // its reply (or a link error) goes nowhere, as a duplicate's would.
      const copy$ = gap === 0 ? next(prepare, ctx) : timer(gap, ctx.scheduler).pipe(mergeMap(() => next(prepare, ctx)));
      copy$.subscribe({ error: () => undefined });
      return original;
    });
  });
}
