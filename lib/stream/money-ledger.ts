/**
 * The money accounting of one stream: the queue of `sendMoney()` orders, the running totals and
 * the amounts received, with the Observables that report them. Synchronous and free of I/O; the
 * stream decides when to wake the connection or close.
 *
 * @example
 * ```ts
 * const ledger = new MoneyLedger();
 * ledger.orders.add(1000n, { progress() {}, done() {} });
 * const taken = ledger.take(400n);  // totals.inFlight is 400n
 * ledger.settle(taken!, true, 200n); // totals: { sent: 400n, delivered: 200n, inFlight: 0n, ... }
 * ```
 */
import { Observable, ReplaySubject, Subject } from 'rxjs';
import { type Allocation, SendOrders } from './send-orders';
import type { StreamTotals } from './types';

const ZERO_TOTALS: StreamTotals = { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n };

/**
 * Orders, totals and received money of a stream.
 *
 * @example
 * ```ts
 * const ledger = new MoneyLedger();
 * ledger.money$.subscribe((amount) => console.log('received', amount));
 * ledger.receive(50n); // logs 50n; ledger.totals.received is 50n
 * ```
 */
export class MoneyLedger {
  /** The money `sendMoney()` subscriptions asked for, first come, first served. */
  readonly orders = new SendOrders();
  private readonly moneySubject = new Subject<bigint>();
  // Replays the last totals even after the stream closed (a BehaviorSubject would not).
  private readonly totalsSubject = new ReplaySubject<StreamTotals>(1);
  private current: StreamTotals = ZERO_TOTALS;

  /** Each amount received, in the order the packets were fulfilled. */
  readonly money$: Observable<bigint> = this.moneySubject.asObservable();
  /** Running totals; replays the current value. */
  readonly totals$: Observable<StreamTotals> = this.totalsSubject.asObservable();

  constructor() {
    this.totalsSubject.next(ZERO_TOTALS);
  }

  /** Current totals, synchronously (they keep answering after `close`). */
  get totals(): StreamTotals {
    return this.current;
  }

  /** Takes up to `max` source units from the orders for a packet; they count as in flight. */
  take(max: bigint): Allocation | undefined {
    const allocation = this.orders.take(max);
    if (allocation) this.update({ inFlight: this.current.inFlight + allocation.amount });
    return allocation;
  }

  /** Settles money taken for a packet: the totals move first, then the orders report progress. */
  settle(allocation: Allocation, fulfilled: boolean, delivered: bigint): void {
    const totals = this.current;
    this.update({
      inFlight: totals.inFlight - allocation.amount,
      sent: fulfilled ? totals.sent + allocation.amount : totals.sent,
      delivered: fulfilled ? totals.delivered + delivered : totals.delivered,
    });
    this.orders.settle(allocation, fulfilled, delivered);
  }

  /** Credits money the peer sent; the caller has checked the receive max. */
  receive(amount: bigint): void {
    if (amount === 0n) return;
    this.update({ received: this.current.received + amount });
    this.moneySubject.next(amount);
  }

  /** Ends `money$` and `totals$`: with `error`, or cleanly without one. */
  close(error: Error | undefined): void {
    if (error) {
      this.moneySubject.error(error);
      this.totalsSubject.error(error);
    } else {
      this.moneySubject.complete();
      this.totalsSubject.complete();
    }
  }

  private update(change: Partial<StreamTotals>): void {
    // Kept apart from the subject: an errored BehaviorSubject throws on `.value`, and packets
    // in flight still settle after the stream closed.
    this.current = { ...this.current, ...change };
    this.totalsSubject.next(this.current);
  }
}
