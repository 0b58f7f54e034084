/**
 * A link that goes down and comes back: between `from` and `from + duration` every send fails the
 * way a disconnected plugin's `sendData` does, and sends still in flight at `from` fail then.
 *
 * @example
 * ```ts
 * const plugin = withFaults(btpPlugin, [disconnect({ from: 1_000, duration: 500 })], { scheduler });
 * ```
 */
import { defer, merge, mergeMap, take, throwError, timer } from 'rxjs';
import { MemoryNetworkError } from '../errors';
import type { Fault } from './types';
import { type FaultWhen, recordFault } from './when';

/** Options of {@link disconnect}. */
export interface DisconnectOptions {
  /** When the link drops, in ms after installation. */
  from: number;
  /** How long it stays down, in ms. */
  duration: number;
  /** Only Prepares going this way (default both). */
  direction?: FaultWhen['direction'];
}

/**
 * Takes the link down for `[from, from + duration)`. While down, a send errors at once with
 * {@link MemoryNetworkError} `NOT_CONNECTED` (records `refusedWhileDown`); a send in flight when
 * the link drops errors at `from` with `DISCONNECTED` (records `failedByDisconnect`), though the
 * Prepare may already have reached the receiver. A `withFaults` plugin also reports
 * `isConnected() === false` while down. Through this library's `sendPrepare` either error becomes
 * a T00, which a sender retries with backoff.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [disconnect({ from: 200, duration: 100 })], scheduler });
 * ```
 */
export function disconnect(options: DisconnectOptions): Fault {
  const { from, duration, direction } = options ?? ({} as DisconnectOptions);
  if (typeof from !== 'number' || !Number.isFinite(from) || typeof duration !== 'number' || !(duration >= 0)) {
    throw new MemoryNetworkError('INVALID_OPTION', `disconnect: from and duration must be finite numbers of ms, got ${String(from)} and ${String(duration)}`);
  }
  const until = from + duration;
  const linkDown = (elapsed: number): boolean => elapsed >= from && elapsed < until;
  const fault = (next: Parameters<Fault>[0]): ReturnType<Fault> => (prepare, ctx) =>
    defer(() => {
      if (direction !== undefined && ctx.direction !== direction) return next(prepare, ctx);
      const now = ctx.elapsed();
      if (linkDown(now)) {
        recordFault(ctx, 'refusedWhileDown', prepare.amount);
        return throwError(() => new MemoryNetworkError('NOT_CONNECTED', 'the link is down (disconnect fault)'));
      }
      if (now >= from || duration === 0) return next(prepare, ctx);
      const drop = timer(from - now, ctx.scheduler).pipe(
        mergeMap(() => {
          recordFault(ctx, 'failedByDisconnect', prepare.amount);
          return throwError(() => new MemoryNetworkError('DISCONNECTED', 'the link went down before the reply arrived (disconnect fault)'));
        }),
      );
      return merge(next(prepare, ctx), drop).pipe(take(1));
    });
  return Object.assign(fault, { linkDown });
}
