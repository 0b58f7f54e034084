/**
 * One STREAM stream (RFC 29 §3.3): money and bytes both ways as Observables, with receive limits
 * and flow control. The stream keeps its own accounting; the connection that owns it builds and
 * settles packets.
 *
 * @example
 * ```ts
 * const stream = connection.createStream();
 * stream.sendMoney(1000).subscribe((p) => console.log(p.sent, p.delivered));
 * stream.sendData('hello').subscribe((p) => console.log(p.acknowledged));
 * stream.money$.subscribe((amount) => console.log('received', amount));
 * stream.data$.subscribe((bytes) => console.log('read', bytes.length));
 * ```
 */
import { Observable, ReplaySubject, Subject, type Subscriber, defer, firstValueFrom, filter, map, takeWhile } from 'rxjs';
import { ErrorCode, MAX_U64 } from '../wire/types';
import { StreamError } from '../errors';
import { type Amount, toU64 } from './amount';
import { type Allocation, type SendOrder, SendOrders } from './send-orders';
import { type DataProgress, type DataSegment, type DataWrite, OutgoingData } from './outgoing-data';
import { type DataViolation, IncomingData } from './incoming-data';

/**
 * Progress of one `sendMoney()` call, emitted after each fulfilled packet that carried part of it.
 *
 * @example
 * ```ts
 * stream.sendMoney(1000).subscribe((progress: MoneyProgress) => console.log(progress));
 * // in packets of at most 400 at a rate of 0.5:
 * // { sent: 400n, delivered: 200n, amount: 1000n }
 * // { sent: 800n, delivered: 400n, amount: 1000n }
 * // { sent: 1000n, delivered: 500n, amount: 1000n }, then the Observable completes
 * ```
 */
export interface MoneyProgress {
  /** Source units of this call in fulfilled packets so far. */
  readonly sent: bigint;
  /** Destination units of this call that arrived so far. */
  readonly delivered: bigint;
  /** Source units this call asked for. */
  readonly amount: bigint;
}

/**
 * Running totals of a stream; `totals$` replays the latest.
 *
 * @example
 * ```ts
 * const stream = connection.createStream();
 * stream.totals; // { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n }
 * await lastValueFrom(stream.sendMoney(1000));
 * stream.totals.sent; // 1000n
 * stream.totals$.subscribe((totals: StreamTotals) => console.log(totals.delivered)); // 500n at a rate of 0.5
 * ```
 */
export interface StreamTotals {
  /** Source units in fulfilled packets. */
  readonly sent: bigint;
  /** Destination units that arrived at the peer. */
  readonly delivered: bigint;
  /** Units received from the peer. */
  readonly received: bigint;
  /** Source units in packets that have not settled. */
  readonly inFlight: bigint;
}

/**
 * Lifecycle of a stream.
 *
 * @example
 * ```ts
 * const state: StreamState = stream.state; // 'open' until end() or destroy()
 * await stream.end();                      // 'closing' until queued money and bytes have gone out
 * stream.state;                            // 'closed'
 * ```
 */
export type StreamState = 'open' | 'closing' | 'closed';

/**
 * What a stream needs from the connection that owns it.
 *
 * @example
 * ```ts
 * // A Connection is the host of its streams; a test can stand in for it:
 * const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };
 * const stream = new DataAndMoneyStream(1n, host);
 * ```
 */
export interface StreamHost {
  /** The stream has something new to send (money, bytes, or a close). */
  wake(): void;
  /** The stream closed locally with this code; the host tells the peer. */
  closeStream(stream: DataAndMoneyStream, code: ErrorCode, message: string): void;
  /** Bytes the peer may send on a stream beyond what its consumer took (the StreamMaxData window). */
  readonly streamReceiveWindow: number;
  /** The consumer took `bytes` bytes of this stream: the windows moved. */
  dataConsumed(stream: DataAndMoneyStream, bytes: number): void;
  /** Bytes we sent were acknowledged (their packet was fulfilled); the idle timeout counts it as progress. */
  dataAcknowledged?(): void;
}

/**
 * Bytes for `sendData`: a view of the caller's bytes, not a copy (each packet copies its own
 * segment), so a large blocked write costs no second buffer.
 */
function dataArgument(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new StreamError('INVALID_ARGUMENT', `data must be a Uint8Array or a string, got ${value === null ? 'null' : typeof value}`);
}

/** Parses a user amount; bad input is a typed StreamError('INVALID_ARGUMENT') naming the argument. */
function amountArgument(value: Amount, field: string): bigint {
  try {
    return toU64(value, field);
  } catch (error) {
    throw new StreamError('INVALID_ARGUMENT', error instanceof Error ? error.message : `${field} is invalid`);
  }
}

const ZERO_TOTALS: StreamTotals = { sent: 0n, delivered: 0n, received: 0n, inFlight: 0n };

/**
 * A stream of money and bytes on a connection.
 *
 * Bytes: `sendData()` queues bytes and completes once the peer acknowledged all of them; `data$`
 * emits the peer's bytes in order, exactly once. A byte counts as consumed when it is emitted to
 * `data$`'s subscribers; with no subscriber, or after `pauseData()`, bytes wait in the stream, and
 * once `streamReceiveWindow` bytes wait the peer's sender is blocked (its StreamMaxData stops
 * growing) until they are taken. So a slow consumer slows the sender instead of growing memory.
 *
 * Streams are created by `connection.createStream()` or arrive on `connection.streams$`.
 *
 * @example
 * ```ts
 * connection.streams$.subscribe((stream) => {
 *   stream.setReceiveMax(10_000);
 *   stream.money$.subscribe({ next: (amount) => console.log(amount), error: (error: Error) => console.warn(error.message) });
 * });
 * ```
 */
export class DataAndMoneyStream {
  private readonly orders = new SendOrders();
  private readonly moneySubject = new Subject<bigint>();
  // Replays the last totals even after the stream closed (a BehaviorSubject would not).
  private readonly totalsSubject = new ReplaySubject<StreamTotals>(1);
  private totalsValue: StreamTotals = ZERO_TOTALS;
  private stateValue: StreamState = 'open';
  private receiveMaxValue = MAX_U64;
  private endWaiters: Array<() => void> = [];

  /** Each amount received on this stream, in the order the packets were fulfilled. */
  readonly money$: Observable<bigint> = this.moneySubject.asObservable();

  /** @internal Bytes we send. */
  readonly outgoing = new OutgoingData();
  /** @internal Bytes we receive. */
  readonly incoming: IncomingData;
  /** @internal The StreamMaxData the peer last heard from us. */
  advertisedMaxData = 0n;
  private readonly dataSubscribers = new Set<Subscriber<Buffer>>();
  private readonly activeWrites = new Map<DataWrite, (error: Error) => void>();
  private dataPaused = false;
  private delivering = false;
  private dataEnd: { error: Error | undefined } | undefined;

  /**
   * The peer's bytes, in order and exactly once, whatever order the packets arrived in. Hot:
   * every subscriber gets the bytes emitted while it is subscribed; bytes that arrive while
   * nobody is subscribed wait (up to the receive window) for the next subscriber. Completes when
   * the stream closes cleanly, after the last byte; errors if it closes with an error.
   *
   * @example
   * ```ts
   * stream.data$.subscribe((chunk) => file.write(chunk));
   * ```
   */
  readonly data$: Observable<Buffer> = new Observable<Buffer>((subscriber) => {
    this.dataSubscribers.add(subscriber);
    this.deliverData();
    return () => {
      this.dataSubscribers.delete(subscriber);
    };
  });
  /** Running totals; replays the current value to new subscribers. */
  readonly totals$: Observable<StreamTotals> = this.totalsSubject.asObservable();

  /** @internal The peer's receive limit from its StreamMaxMoney frames (its units); undefined until it says. */
  remoteReceiveMax: bigint | undefined = undefined;
  /** @internal The peer's total received on this stream, as it last reported (its units). */
  remoteTotalReceived = 0n;

  /** @internal The packet that carried our receive max was rejected: advertise it again. */
  readvertiseReceiveMax(): void {
    this.receiveMaxAdvertised = false;
  }

  /** @internal Applies a StreamMaxMoney from the peer; limits only grow, since frames may be reordered (29-4.4.4-c). */
  applyRemoteMaxMoney(receiveMax: bigint, totalReceived: bigint): void {
    if (this.remoteReceiveMax === undefined || receiveMax > this.remoteReceiveMax) this.remoteReceiveMax = receiveMax;
    if (totalReceived > this.remoteTotalReceived) this.remoteTotalReceived = totalReceived;
  }
  /** @internal True once the peer knows our current receive max. */
  receiveMaxAdvertised = false;
  /** @internal True while a raised receive max waits to reach a peer that may be blocked by the old one. */
  receiveMaxRaiseUrgent = false;

  constructor(
    /** The stream id: odd if the client opened it, even if the server did (RFC 29 §4.4.1). */
    readonly id: bigint,
    private readonly host: StreamHost,
  ) {
    this.incoming = new IncomingData(host.streamReceiveWindow);
    this.advertisedMaxData = this.incoming.maxOffset;
    this.totalsSubject.next(ZERO_TOTALS);
  }

  /** `open`, `closing` (flushing after `end()`) or `closed`. */
  get state(): StreamState {
    return this.stateValue;
  }

  /** Current totals, synchronously. */
  get totals(): StreamTotals {
    return this.totalsValue;
  }

  /** The most this stream accepts in total (default unlimited: 2^64-1). */
  get receiveMax(): bigint {
    return this.receiveMaxValue;
  }

  /** Source units waiting to be sent on this stream. */
  get pendingMoney(): bigint {
    return this.orders.pending;
  }

  /**
   * Sends `amount` more source units on this stream each time the result is subscribed.
   * Emits after every fulfilled packet that carried part of it and completes once all of it
   * was delivered. Concurrent sends queue in subscription order; unsubscribing withdraws
   * what has not left yet.
   *
   * @example
   * ```ts
   * await lastValueFrom(stream.sendMoney(5000));
   * ```
   */
  sendMoney(amount: Amount): Observable<MoneyProgress> {
    return defer(() => {
      const units = amountArgument(amount, 'amount');
      return new Observable<MoneyProgress>((subscriber) => {
        if (this.stateValue !== 'open') {
          subscriber.error(new StreamError('STREAM_CLOSED', `stream ${this.id} is ${this.stateValue}`));
          return undefined;
        }
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
        this.activeOrders.set(order, (error) => subscriber.error(error));
        this.host.wake();
        return () => {
          this.activeOrders.delete(order);
          if (!order.complete) this.orders.withdraw(order);
          this.resolveEndIfFlushed();
        };
      });
    });
  }

  private readonly activeOrders = new Map<SendOrder, (error: Error) => void>();

  /**
   * Sends `data` (bytes, or a string as UTF-8) each time the result is subscribed. The bytes are
   * read as they go into packets: do not change them until the progress reports them `sent`
   * (as with a Node Writable). Emits
   * {@link DataProgress} after each packet that carried or acknowledged some of it, and completes
   * once the peer acknowledged every byte. Writes go out in subscription order; unsubscribing
   * withdraws the bytes that have not left yet (bytes already sent are still delivered).
   *
   * @example
   * ```ts
   * await lastValueFrom(stream.sendData(Buffer.from('hello')));
   * ```
   */
  sendData(data: Uint8Array | string): Observable<DataProgress> {
    return defer(() => {
      const bytes = dataArgument(data);
      return new Observable<DataProgress>((subscriber) => {
        if (this.stateValue !== 'open') {
          subscriber.error(new StreamError('STREAM_CLOSED', `stream ${this.id} is ${this.stateValue}`));
          return undefined;
        }
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
            this.activeWrites.delete(write);
            subscriber.complete();
          },
        });
        this.activeWrites.set(write, (error) => subscriber.error(error));
        this.host.wake();
        return () => {
          this.activeWrites.delete(write);
          if (!finished) this.outgoing.withdraw(write);
          this.resolveEndIfFlushed();
        };
      });
    });
  }

  /**
   * Stops taking the peer's bytes: they wait in the stream (at most the receive window), and the
   * peer's sender is blocked once the window is full. `toDuplex` uses this for Node backpressure.
   *
   * @example
   * ```ts
   * stream.pauseData(); // ... later: stream.resumeData();
   * ```
   */
  pauseData(): void {
    this.dataPaused = true;
  }

  /**
   * Takes the peer's bytes again, emitting those that waited.
   *
   * @example
   * ```ts
   * stream.resumeData();
   * ```
   */
  resumeData(): void {
    this.dataPaused = false;
    this.deliverData();
  }

  /**
   * Sends until this stream's total sent reaches `total` source units (like ilp-protocol-stream's
   * `sendTotal`). Resolves when it has; rejects if the stream closes first.
   *
   * @example
   * ```ts
   * await stream.sendTotal(1_000_000);
   * ```
   */
  async sendTotal(total: Amount): Promise<void> {
    const target = amountArgument(total, 'total');
    const alreadyQueued = this.totals.sent + this.totals.inFlight + this.orders.pending;
    if (target > alreadyQueued) {
      await new Promise<void>((resolve, reject) => {
        this.sendMoney(target - alreadyQueued).subscribe({ complete: resolve, error: reject });
      });
    }
    if (this.totals.sent < target) {
      await firstValueFrom(this.totals$.pipe(filter((t) => t.sent >= target)));
    }
  }

  /**
   * Raises the receive limit to at least `total` and resolves once this stream has received
   * `total` units in all.
   *
   * @example
   * ```ts
   * await stream.receiveTotal(1_000_000);
   * ```
   */
  async receiveTotal(total: Amount): Promise<void> {
    const target = amountArgument(total, 'total');
    if (this.receiveMaxValue < target) this.setReceiveMax(target);
    await firstValueFrom(
      this.totals$.pipe(
        takeWhile((t) => t.received < target, true),
        filter((t) => t.received >= target),
        map(() => undefined),
      ),
    );
  }

  /**
   * Sets the most this stream will accept in total. It can only grow (RFC 29 §4.4.4: no reneging).
   *
   * @example
   * ```ts
   * stream.setReceiveMax(10_000);
   * ```
   */
  setReceiveMax(amount: Amount): void {
    const value = amountArgument(amount, 'receiveMax');
    if (value < this.receiveMaxValue && this.receiveMaxAdvertised) {
      throw new StreamError('INVALID_ARGUMENT', `receiveMax cannot shrink below ${this.receiveMaxValue} once advertised`);
    }
    if (value < this.totals.received) {
      throw new StreamError('INVALID_ARGUMENT', `receiveMax ${value} is below the ${this.totals.received} already received`);
    }
    if (value === this.receiveMaxValue) return;
    // A raise after the peer already knew a limit may be what unblocks its sender, which sends
    // nothing more while blocked: the new limit is then worth a packet of its own.
    this.receiveMaxRaiseUrgent = this.receiveMaxAdvertised || this.totals.received > 0n;
    this.receiveMaxValue = value;
    this.receiveMaxAdvertised = false;
    this.host.wake();
  }

  /**
   * Sends what is queued, then closes the stream cleanly (StreamClose with NoError).
   *
   * @example
   * ```ts
   * await stream.end();
   * ```
   */
  end(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    this.stateValue = 'closing';
    return new Promise<void>((resolve) => {
      this.endWaiters.push(resolve);
      this.resolveEndIfFlushed();
    });
  }

  /**
   * Closes the stream at once: unsent money is withdrawn and the peer gets StreamClose with
   * ApplicationError (or NoError without an error).
   *
   * @example
   * ```ts
   * await stream.destroy(new Error('user cancelled'));
   * ```
   */
  destroy(error?: Error): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    const code = error ? ErrorCode.ApplicationError : ErrorCode.NoError;
    this.host.closeStream(this, code, error?.message ?? '');
    this.finish(error ? new StreamError('STREAM_CLOSED', error.message, code) : undefined);
    return Promise.resolve();
  }

  // ---- used by the connection -------------------------------------------------------------

  /** @internal Takes up to `max` source units for a packet. */
  takeMoney(max: bigint): Allocation | undefined {
    const allocation = this.orders.take(max);
    if (allocation) this.updateTotals({ inFlight: this.totals.inFlight + allocation.amount });
    return allocation;
  }

  /** @internal Settles money this stream placed in a packet. */
  settleMoney(allocation: Allocation, fulfilled: boolean, delivered: bigint): void {
    const totals = this.totals;
    this.updateTotals({
      inFlight: totals.inFlight - allocation.amount,
      sent: fulfilled ? totals.sent + allocation.amount : totals.sent,
      delivered: fulfilled ? totals.delivered + delivered : totals.delivered,
    });
    this.orders.settle(allocation, fulfilled, delivered);
    if (!fulfilled) this.host.wake();
    this.resolveEndIfFlushed();
  }

  /** @internal Credits money the peer sent; the caller has checked the receive max. */
  receiveMoney(amount: bigint): void {
    if (amount === 0n) return;
    this.updateTotals({ received: this.totals.received + amount });
    this.moneySubject.next(amount);
  }

  /** @internal Room left under the receive max. */
  get receiveRoom(): bigint {
    return this.receiveMaxValue - this.totals.received;
  }

  /** @internal Checks bytes the peer sent against our window and what we hold. */
  checkData(offset: bigint, data: Buffer): DataViolation | undefined {
    return this.incoming.check(offset, data);
  }

  /** @internal Keeps checked bytes from a fulfilled packet; returns the growth of the highest offset. */
  acceptData(offset: bigint, data: Buffer): bigint {
    return this.incoming.accept(offset, data);
  }

  /** @internal Emits the bytes that are next in order to the subscribers, if they are taking bytes. */
  deliverData(): void {
    if (this.delivering) return;
    this.delivering = true;
    let bytes = 0;
    try {
      // One chunk at a time: a subscriber that pauses (a full Node reader) stops the very next one,
      // and only bytes actually emitted count as consumed.
      while (!this.dataPaused && this.dataSubscribers.size > 0) {
        const chunk = this.incoming.readOne();
        if (!chunk) break;
        bytes += chunk.length;
        for (const subscriber of [...this.dataSubscribers]) subscriber.next(chunk);
      }
    } finally {
      this.delivering = false;
      if (bytes > 0) this.host.dataConsumed(this, bytes);
    }
    this.endDataIfDrained();
  }

  /** @internal Takes a segment of at most `maxBytes` bytes for a packet. */
  takeData(maxBytes: number, connectionRoom: bigint): DataSegment | undefined {
    return this.outgoing.take(maxBytes, connectionRoom);
  }

  /** @internal Settles bytes this stream placed in a packet. */
  settleData(segment: DataSegment, fulfilled: boolean): void {
    this.outgoing.settle(segment, fulfilled);
    if (fulfilled) this.host.dataAcknowledged?.();
    if (!fulfilled) this.host.wake();
    this.resolveEndIfFlushed();
  }

  /** @internal The peer closed this stream, or the connection ended. */
  closeFromRemote(error?: Error): void {
    this.finish(error);
  }

  private endDataIfDrained(): void {
    const end = this.dataEnd;
    // Bytes still waiting are kept for a subscriber to come; without an error they end the stream.
    if (!end || (end.error === undefined && this.incoming.readable)) return;
    for (const subscriber of [...this.dataSubscribers]) {
      if (end.error) subscriber.error(end.error);
      else subscriber.complete();
    }
    this.dataSubscribers.clear();
  }

  private resolveEndIfFlushed(): void {
    if (this.stateValue !== 'closing' || !this.orders.idle || !this.outgoing.idle) return;
    this.host.closeStream(this, ErrorCode.NoError, '');
    this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.orders.withdrawAll();
    this.outgoing.withdrawAll();
    const orderError = error ?? new StreamError('STREAM_CLOSED', `stream ${this.id} closed before the money was sent`);
    for (const fail of [...this.activeOrders.values()]) fail(orderError);
    this.activeOrders.clear();
    const writeError = error ?? new StreamError('STREAM_CLOSED', `stream ${this.id} closed before the data was acknowledged`);
    for (const fail of [...this.activeWrites.values()]) fail(writeError);
    this.activeWrites.clear();
    this.dataEnd = { error };
    this.endDataIfDrained();
    if (error) {
      this.moneySubject.error(error);
      this.totalsSubject.error(error);
    } else {
      this.moneySubject.complete();
      this.totalsSubject.complete();
    }
    const waiters = this.endWaiters;
    this.endWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private updateTotals(change: Partial<StreamTotals>): void {
    // Kept apart from the subject: an errored BehaviorSubject throws on `.value`, and packets
    // in flight still settle after the stream closed.
    this.totalsValue = { ...this.totalsValue, ...change };
    this.totalsSubject.next(this.totalsValue);
  }
}
