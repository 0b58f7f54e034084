/**
 * The Observables of a stream's `sendMoney()` and `sendData()`: each subscription queues one
 * money order or one write, reports its progress, withdraws what has not left when it
 * unsubscribes, and fails if the stream closes first. The queues themselves (SendOrders,
 * OutgoingData) stay pure bookkeeping.
 *
 * @example
 * ```ts
 * const sends = new SendSubscriptions(orders, outgoing, { id: 1n, state: () => 'open', wake, released });
 * sends.money(1000n).subscribe((p) => console.log(p.sent)); // queued; wake() tells the connection
 * sends.close(undefined); // the stream closed: the subscription errors with STREAM_CLOSED
 * ```
 */
import { Observable, type Subscriber } from 'rxjs';
import { StreamError } from '../errors';
import type { SendOrder, SendOrders } from './send-orders';
import type { DataProgress, DataWrite, OutgoingData } from './outgoing-data';
import type { MoneyProgress, StreamState } from './types';

/**
 * What the send Observables need from their stream.
 *
 * @example
 * ```ts
 * const context: SendContext = {
 *   id: stream.id,
 *   state: () => stream.state,
 *   wake: () => host.wake(),
 *   released: () => closeIfFlushed(),
 * };
 * ```
 */
export interface SendContext {
  /** The stream id, for error messages. */
  readonly id: bigint;
  /** The stream's state now: only an open stream takes new sends. */
  state(): StreamState;
  /** Something new was queued: the connection should send it. */
  wake(): void;
  /** A subscription ended or withdrew: a stream flushing after `end()` may be done. */
  released(): void;
}

/**
 * The open `sendMoney()` and `sendData()` subscriptions of one stream.
 *
 * @example
 * ```ts
 * await lastValueFrom(sends.data(Buffer.from('hello'))); // completes once the peer acknowledged it
 * ```
 */
export class SendSubscriptions {
  // How to fail each subscription still running, should the stream close before it completes.
  private readonly openOrders = new Map<SendOrder, (error: Error) => void>();
  private readonly openWrites = new Map<DataWrite, (error: Error) => void>();

  constructor(
    private readonly orders: SendOrders,
    private readonly outgoing: OutgoingData,
    private readonly stream: SendContext,
  ) {}

  /** Each subscription queues an order for `units` source units. */
  money(units: bigint): Observable<MoneyProgress> {
    return new Observable<MoneyProgress>((subscriber) => {
      if (this.refused(subscriber)) return undefined;
      if (units === 0n) {
        subscriber.complete();
        return undefined;
      }
      const order = this.orders.add(units, {
        progress: (o) => {
          subscriber.next({ sent: o.sent, delivered: o.delivered, amount: o.amount });
          // A subscriber that left inside next() (take(1) over a synchronous network) stops the
          // order now, before the subscribe call even returned its teardown.
          if (subscriber.closed) this.orders.withdraw(o);
        },
        done: () => subscriber.complete(),
      });
      this.openOrders.set(order, (error) => subscriber.error(error));
      this.stream.wake();
      return () => {
        this.openOrders.delete(order);
        if (!order.complete) this.orders.withdraw(order);
        this.stream.released();
      };
    });
  }

  /** Each subscription queues a write of `bytes`. */
  data(bytes: Buffer): Observable<DataProgress> {
    return new Observable<DataProgress>((subscriber) => {
      if (this.refused(subscriber)) return undefined;
      if (bytes.length === 0) {
        subscriber.complete();
        return undefined;
      }
      let finished = false;
      const write = this.outgoing.write(bytes, {
        progress: (progress) => {
          subscriber.next(progress);
          // A subscriber that left inside next() (take(1) over a synchronous network) withdraws
          // now, before the subscribe call even returned its teardown.
          if (subscriber.closed && !finished) this.outgoing.withdraw(write);
        },
        done: () => {
          finished = true;
          this.openWrites.delete(write);
          subscriber.complete();
        },
      });
      this.openWrites.set(write, (error) => subscriber.error(error));
      this.stream.wake();
      return () => {
        this.openWrites.delete(write);
        if (!finished) this.outgoing.withdraw(write);
        this.stream.released();
      };
    });
  }

  /**
   * The stream closed: what has not left is withdrawn, and every subscription still running
   * errors with `error`, or without one with a STREAM_CLOSED saying what did not happen.
   */
  close(error: Error | undefined): void {
    this.orders.withdrawAll();
    this.outgoing.withdrawAll();
    const orderError = error ?? new StreamError('STREAM_CLOSED', `stream ${this.stream.id} closed before the money was sent`);
    for (const fail of [...this.openOrders.values()]) fail(orderError);
    this.openOrders.clear();
    const writeError = error ?? new StreamError('STREAM_CLOSED', `stream ${this.stream.id} closed before the data was acknowledged`);
    for (const fail of [...this.openWrites.values()]) fail(writeError);
    this.openWrites.clear();
  }

  /** Errors a subscription made after the stream stopped taking sends. */
  private refused(subscriber: Subscriber<unknown>): boolean {
    const state = this.stream.state();
    if (state === 'open') return false;
    subscriber.error(new StreamError('STREAM_CLOSED', `stream ${this.stream.id} is ${state}`));
    return true;
  }
}
