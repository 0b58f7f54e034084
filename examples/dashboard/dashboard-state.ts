/**
 * The dashboard's state as one Observable, built only from a connection's public Observables
 * (`totals$`, `exchangeRate$`, `state$`) and the receiving end's `totals$`: a `scan` over a merged
 * event stream, a packets-per-second figure over a sliding window timed on a scheduler, and a
 * throttled output for the UI that always ends with one unthrottled, final snapshot.
 *
 * @example
 * ```ts
 * dashboardState({
 *   senderTotals$: client.totals$,
 *   receiverTotals$: receiver.totals$,
 *   exchangeRate$: client.exchangeRate$,
 *   state$: client.state$,
 * }).subscribe((snapshot) => console.log(snapshot.sent, snapshot.packetsPerSecond));
 * ```
 */
import {
  asyncScheduler,
  catchError,
  connect,
  EMPTY,
  endWith,
  ignoreElements,
  interval,
  map,
  merge,
  Observable,
  of,
  scan,
  type SchedulerLike,
  takeLast,
  takeUntil,
  throttleTime,
} from 'rxjs';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from '../../lib';

/**
 * The library Observables the dashboard reads.
 *
 * @example
 * ```ts
 * const sources: DashboardSources = { senderTotals$: client.totals$, receiverTotals$: receiver.totals$,
 *   exchangeRate$: client.exchangeRate$, state$: client.state$ };
 * ```
 */
export interface DashboardSources {
  /** The paying connection's totals: `sent`, `delivered` and `inFlight` come from here. */
  readonly senderTotals$: Observable<ConnectionTotals>;
  /** The receiving connection's totals: `received` comes from here. */
  readonly receiverTotals$: Observable<ConnectionTotals>;
  /** The paying connection's exchange rate. */
  readonly exchangeRate$: Observable<ExchangeRate>;
  /** The paying connection's lifecycle. */
  readonly state$: Observable<ConnectionState>;
}

/**
 * Timing of {@link dashboardState}.
 *
 * @example
 * ```ts
 * const config: DashboardConfig = { scheduler: testScheduler, uiIntervalMs: 10, windowMs: 100 };
 * ```
 */
export interface DashboardConfig {
  /** Clock for timestamps, the window and the throttle. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** At most one snapshot per this many ms (plus the final one); also the window's tick. Default 100. */
  readonly uiIntervalMs?: number;
  /** Width of the sliding window that packets per second are counted over. Default 1,000. */
  readonly windowMs?: number;
}

/** What the dashboard shows about the connection: its states, or 'failed' when it errored. */
export type DashboardPhase = ConnectionState | 'failed';

/**
 * One picture of the payment.
 *
 * @example
 * ```ts
 * const last: DashboardSnapshot = await lastValueFrom(dashboardState(sources));
 * last.final; // true
 * ```
 */
export interface DashboardSnapshot {
  /** Source units the sender got fulfilled. */
  readonly sent: bigint;
  /** Destination units the sender's peer reported as arrived. */
  readonly delivered: bigint;
  /** Destination units the receiving connection credited. */
  readonly received: bigint;
  /** Source units in packets not settled yet. */
  readonly inFlight: bigint;
  /** The probed exchange rate (destination per source base unit), once known. */
  readonly rate: number | undefined;
  /** Packets fulfilled so far (each fulfilled packet raises `sent` in one `totals$` emission). */
  readonly packets: number;
  /** Fulfilled packets in the last `windowMs`, per second. */
  readonly packetsPerSecond: number;
  /** The sender's state. */
  readonly state: DashboardPhase;
  /** Why the connection failed, when it did. */
  readonly error: string | undefined;
  /** Milliseconds since subscription, on the scheduler's clock. */
  readonly elapsedMs: number;
  /** True on the last snapshot only, emitted once every source completed. */
  readonly final: boolean;
}

type DashboardEvent =
  | { readonly kind: 'sender'; readonly totals: ConnectionTotals }
  | { readonly kind: 'receiver'; readonly totals: ConnectionTotals }
  | { readonly kind: 'rate'; readonly rate: ExchangeRate }
  | { readonly kind: 'state'; readonly state: DashboardPhase; readonly error?: string }
  | { readonly kind: 'tick' };

interface Model extends DashboardSnapshot {
  /** Fulfillment times inside the window, oldest first; pruned on every event so it stays bounded. */
  readonly recent: readonly number[];
}

function initialModel(): Model {
  return {
    sent: 0n,
    delivered: 0n,
    received: 0n,
    inFlight: 0n,
    rate: undefined,
    packets: 0,
    packetsPerSecond: 0,
    state: 'connecting',
    error: undefined,
    elapsedMs: 0,
    final: false,
    recent: [],
  };
}

function reduce(model: Model, event: DashboardEvent, now: number, startedAt: number, windowMs: number): Model {
  let next: Model = { ...model, elapsedMs: now - startedAt };
  switch (event.kind) {
    case 'sender': {
      const fulfilled = event.totals.sent > model.sent;
      next = {
        ...next,
        sent: event.totals.sent,
        delivered: event.totals.delivered,
        inFlight: event.totals.inFlight,
        packets: model.packets + (fulfilled ? 1 : 0),
        recent: fulfilled ? [...model.recent, now] : model.recent,
      };
      break;
    }
    case 'receiver':
      next = { ...next, received: event.totals.received };
      break;
    case 'rate':
      next = { ...next, rate: event.rate.value };
      break;
    case 'state':
      // A failure is the last word: the 'closed' a failing connection may report must not hide it.
      next = model.state === 'failed' ? next : { ...next, state: event.state, error: event.error };
      break;
    case 'tick':
      break;
  }
  const recent = next.recent.filter((at) => at > now - windowMs);
  return { ...next, recent, packetsPerSecond: (recent.length * 1000) / windowMs };
}

function toSnapshot(model: Model, final: boolean): DashboardSnapshot {
  const { recent: _recent, ...snapshot } = model;
  return { ...snapshot, final };
}

function completion<T>(source: Observable<T>): Observable<null> {
  return source.pipe(ignoreElements(), endWith(null));
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${String(value)}`);
  return resolved;
}

/**
 * Folds the library's Observables into dashboard snapshots: at most one per `uiIntervalMs`
 * (leading and trailing, so the newest value is never stuck behind the throttle), and, once every
 * source completed, one more with `final: true` carrying the exact last totals. A source that
 * errors does not error the result: the state becomes `'failed'` with the error's message, and the
 * dashboard ends with what it knew. Cold: each subscription has its own clock and window.
 *
 * @param sources - the connection Observables to read
 * @param config - scheduler and timing; see {@link DashboardConfig}
 * @returns snapshots, completing after the final one
 *
 * @example
 * ```ts
 * const snapshots$ = dashboardState(
 *   { senderTotals$: client.totals$, receiverTotals$: receiver.totals$, exchangeRate$: client.exchangeRate$, state$: client.state$ },
 *   { uiIntervalMs: 100, windowMs: 1000 },
 * );
 * snapshots$.subscribe((s) => render(s)); // ~10 per second while money moves, then one with final: true
 * ```
 */
export function dashboardState(sources: DashboardSources, config: DashboardConfig = {}): Observable<DashboardSnapshot> {
  const scheduler = config.scheduler ?? asyncScheduler;
  const uiIntervalMs = positive(config.uiIntervalMs, 100, 'uiIntervalMs');
  const windowMs = positive(config.windowMs, 1000, 'windowMs');
  return new Observable<DashboardSnapshot>((subscriber) => {
    const startedAt = scheduler.now();
    const events$: Observable<DashboardEvent> = merge(
      sources.state$.pipe(
        map((state): DashboardEvent => ({ kind: 'state', state })),
        catchError((error: unknown) => of<DashboardEvent>({ kind: 'state', state: 'failed', error: error instanceof Error ? error.message : String(error) })),
      ),
      // The state$ branch reports a failure; the others end quietly with what they had.
      sources.senderTotals$.pipe(map((totals): DashboardEvent => ({ kind: 'sender', totals })), catchError(() => EMPTY)),
      sources.receiverTotals$.pipe(map((totals): DashboardEvent => ({ kind: 'receiver', totals })), catchError(() => EMPTY)),
      sources.exchangeRate$.pipe(map((rate): DashboardEvent => ({ kind: 'rate', rate })), catchError(() => EMPTY)),
    );
    return events$
      .pipe(
        // Ticks let packets/s fall back to 0 when packets stop; they end with the sources.
        connect((shared$) =>
          merge(shared$, interval(uiIntervalMs, scheduler).pipe(map((): DashboardEvent => ({ kind: 'tick' })), takeUntil(completion(shared$)))),
        ),
        scan((model: Model, event: DashboardEvent) => reduce(model, event, scheduler.now(), startedAt, windowMs), initialModel()),
        connect((model$) =>
          merge(
            // takeUntil subscribes its notifier first, so at completion it drops a pending trailing
            // value before the final snapshot goes out: the final one is always last.
            model$.pipe(
              throttleTime(uiIntervalMs, scheduler, { leading: true, trailing: true }),
              map((model) => toSnapshot(model, false)),
              takeUntil(completion(model$)),
            ),
            model$.pipe(
              takeLast(1),
              map((model) => toSnapshot(model, true)),
            ),
          ),
        ),
      )
      .subscribe(subscriber);
  });
}

/**
 * Formats an exchange rate for display: at most 6 significant digits, no trailing zeros, and an
 * em dash while it is unknown. The page shows exactly this string.
 *
 * @example
 * ```ts
 * formatRate(1.37);      // '1.37'
 * formatRate(1 / 3);     // '0.333333'
 * formatRate(undefined); // '—'
 * ```
 */
export function formatRate(rate: number | undefined): string {
  return rate === undefined || !Number.isFinite(rate) ? '—' : String(Number(rate.toPrecision(6)));
}
