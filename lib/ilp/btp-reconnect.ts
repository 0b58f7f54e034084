/**
 * Getting a BTP link back after it dropped: attempts spaced by an exponential backoff on an RxJS
 * scheduler, until one succeeds, the attempts run out, or the server refuses the credentials
 * (asking again with the same ones cannot help).
 *
 * @example
 * ```ts
 * const plugin = new BtpWebSocketPlugin({ server, reconnect: { initialDelayMs: 250, maxAttempts: 20 } });
 * ```
 */
import { type Observable, type ObservableInput, type SchedulerLike, defer, from, map, retry, switchMap, throwError, timer } from 'rxjs';
import { BtpPluginError, isBtpPluginError } from './btp-errors';

/**
 * How {@link BtpWebSocketPlugin} gets its link back after it dropped by itself (a `disconnect()`
 * call is never undone). Every field is optional.
 *
 * @example
 * ```ts
 * const reconnect: BtpReconnectOptions = { initialDelayMs: 100, factor: 2, maxDelayMs: 5_000, maxAttempts: Infinity };
 * ```
 */
export interface BtpReconnectOptions {
  /** Wait before the first attempt, in milliseconds. Default 100. */
  readonly initialDelayMs?: number;
  /** Each failed attempt multiplies the wait by this (at least 1). Default 2. */
  readonly factor?: number;
  /** The longest wait between attempts, in milliseconds. Default 10,000. */
  readonly maxDelayMs?: number;
  /** Attempts before giving up (the plugin then stays disconnected). Default `Infinity`. */
  readonly maxAttempts?: number;
}

/** {@link BtpReconnectOptions} with every default filled in. */
export type ResolvedBtpReconnect = Required<BtpReconnectOptions>;

/**
 * The defaults of {@link BtpReconnectOptions}: 100 ms, doubling, at most 10 s apart, forever.
 *
 * @example
 * ```ts
 * BTP_RECONNECT_DEFAULTS.maxDelayMs; // 10_000
 * ```
 */
export const BTP_RECONNECT_DEFAULTS: Required<BtpReconnectOptions> = Object.freeze({ initialDelayMs: 100, factor: 2, maxDelayMs: 10_000, maxAttempts: Infinity });

/**
 * Validates the plugin's `reconnect` option: `undefined`/`false` is off, `true` the defaults, an
 * object overrides some. Throws {@link BtpPluginError} `INVALID_OPTION`.
 *
 * @example
 * ```ts
 * resolveBtpReconnect(true)?.initialDelayMs; // 100
 * resolveBtpReconnect(undefined);            // undefined: off
 * ```
 */
export function resolveBtpReconnect(option: boolean | BtpReconnectOptions | undefined): ResolvedBtpReconnect | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return BTP_RECONNECT_DEFAULTS;
  if (typeof option !== 'object' || option === null) throw new BtpPluginError('INVALID_OPTION', 'reconnect must be a boolean or an object');
  const resolved = { ...BTP_RECONNECT_DEFAULTS, ...option };
  const { initialDelayMs, factor, maxDelayMs, maxAttempts } = resolved;
  if (!isNonNegative(initialDelayMs) || !isNonNegative(maxDelayMs)) {
    throw new BtpPluginError('INVALID_OPTION', 'reconnect delays must be finite numbers of milliseconds, 0 or more');
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new BtpPluginError('INVALID_OPTION', 'reconnect.factor must be a finite number, 1 or more');
  if (typeof maxAttempts !== 'number' || !(maxAttempts >= 1) || (maxAttempts !== Infinity && !Number.isInteger(maxAttempts))) {
    throw new BtpPluginError('INVALID_OPTION', 'reconnect.maxAttempts must be a whole number, 1 or more, or Infinity');
  }
  return Object.freeze(resolved);
}

/**
 * The wait before attempt `attempt` (0 for the first): `initialDelayMs × factor^attempt`, at most
 * `maxDelayMs`.
 *
 * @example
 * ```ts
 * reconnectDelayMs(3, BTP_RECONNECT_DEFAULTS); // 800
 * ```
 */
export function reconnectDelayMs(attempt: number, options: ResolvedBtpReconnect): number {
  // 0 × factor^attempt would be 0 × Infinity = NaN once the power overflows.
  if (options.initialDelayMs === 0) return 0;
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt);
}

/**
 * Runs `connect` after a wait and again after each failure, with the waits of
 * {@link reconnectDelayMs}, all on `scheduler`. `spent` attempts were already made for this
 * outage (a link that came back and dropped again soon after): they count towards `maxAttempts`
 * and the waits go on growing from there. Emits the attempts spent so far, then completes, after
 * the first success; errors with the last failure once `maxAttempts` are spent, or at once on
 * `AUTH_REJECTED`. Unsubscribing stops the attempts (one already running is not cancelled).
 *
 * @example
 * ```ts
 * const reconnecting = reconnectAttempts(() => plugin.connect(), BTP_RECONNECT_DEFAULTS, asyncScheduler).subscribe();
 * reconnecting.unsubscribe(); // on disconnect()
 * ```
 */
export function reconnectAttempts(connect: () => ObservableInput<unknown>, options: ResolvedBtpReconnect, scheduler: SchedulerLike, spent = 0): Observable<number> {
  return defer(() => {
    if (spent >= options.maxAttempts) {
      return throwError(() => new BtpPluginError('CONNECTION_CLOSED', `gave up reconnecting after ${spent} attempts`));
    }
    let used = spent;
    return timer(reconnectDelayMs(spent, options), scheduler).pipe(
      switchMap(() =>
        defer(() => {
          used += 1;
          return from(connect());
        }).pipe(
          retry({
            count: options.maxAttempts - spent - 1,
            delay: (error: unknown) =>
              isBtpPluginError(error, 'AUTH_REJECTED') ? throwError(() => error) : timer(reconnectDelayMs(used, options), scheduler),
          }),
        ),
      ),
      map(() => used),
    );
  });
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
