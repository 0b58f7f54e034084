/**
 * The Observables a connection exposes (streams$, totals$, exchangeRate$, state$) with plain
 * copies of their latest values for the synchronous getters. ReplaySubject(1), not
 * BehaviorSubject: after a close they still replay the final value, then complete (or error), to
 * late subscribers, and the copies keep answering after an error.
 *
 * @example
 * ```ts
 * const subjects = new ConnectionSubjects('connecting');
 * subjects.setState('open');
 * subjects.addToTotals({ sent: 1000n, delivered: 500n });
 * subjects.close(undefined); // every Observable replays its last value, then completes
 * ```
 */
import { type Observable, ReplaySubject, Subject } from 'rxjs';
import type { DataAndMoneyStream } from '../stream/stream';
import { type ConnectionState, type ConnectionTotals, type ExchangeRate, ZERO_CONNECTION_TOTALS } from './types';

/**
 * What a connection reports, as Observables and as current values.
 *
 * @example
 * ```ts
 * subjects.state$.subscribe((state) => console.log(state)); // 'connecting' first: it replays
 * subjects.state;                                          // the same, synchronously
 * ```
 */
export class ConnectionSubjects {
  private readonly streamsSubject = new Subject<DataAndMoneyStream>();
  private readonly totalsSubject = new ReplaySubject<ConnectionTotals>(1);
  private readonly rateSubject = new ReplaySubject<ExchangeRate>(1);
  private readonly stateSubject = new ReplaySubject<ConnectionState>(1);
  // Plain copies of what the subjects carry: the getters must keep answering after a close (and
  // in-flight packets still settle then).
  private totalsValue = ZERO_CONNECTION_TOTALS;
  private stateValue: ConnectionState;
  private rateValue: ExchangeRate | undefined;

  /** Streams the peer opened. */
  readonly streams$: Observable<DataAndMoneyStream> = this.streamsSubject.asObservable();
  /** Money totals; replays the current value. */
  readonly totals$: Observable<ConnectionTotals> = this.totalsSubject.asObservable();
  /** The path exchange rate once known; replays the current value. */
  readonly exchangeRate$: Observable<ExchangeRate> = this.rateSubject.asObservable();
  /** The lifecycle state; replays the current value. */
  readonly state$: Observable<ConnectionState> = this.stateSubject.asObservable();

  constructor(initialState: ConnectionState) {
    this.stateValue = initialState;
    this.stateSubject.next(initialState);
    this.totalsSubject.next(this.totalsValue);
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.stateValue;
  }
  /** The current totals. */
  get totals(): ConnectionTotals {
    return this.totalsValue;
  }
  /** The exchange rate, once known. */
  get exchangeRate(): ExchangeRate | undefined {
    return this.rateValue;
  }

  /** Moves to `state` and emits it. */
  setState(state: ConnectionState): void {
    this.stateValue = state;
    this.stateSubject.next(state);
  }

  /** Adds `delta` to the totals as they are now and emits the result. */
  addToTotals(delta: Partial<ConnectionTotals>): void {
    const t = this.totalsValue;
    this.totalsValue = {
      sent: t.sent + (delta.sent ?? 0n),
      delivered: t.delivered + (delta.delivered ?? 0n),
      received: t.received + (delta.received ?? 0n),
      inFlight: t.inFlight + (delta.inFlight ?? 0n),
    };
    this.totalsSubject.next(this.totalsValue);
  }

  /** Records and emits a new exchange rate. */
  setExchangeRate(rate: ExchangeRate): void {
    this.rateValue = rate;
    this.rateSubject.next(rate);
  }

  /** Emits a stream the peer opened. */
  announce(stream: DataAndMoneyStream): void {
    this.streamsSubject.next(stream);
  }

  /** Ends every Observable: with `error`, or cleanly without one. */
  close(error: Error | undefined): void {
    for (const subject of [this.streamsSubject, this.totalsSubject, this.rateSubject, this.stateSubject] as Subject<unknown>[]) {
      if (error) subject.error(error);
      else subject.complete();
    }
  }
}
