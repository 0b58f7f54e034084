/**
 * One STREAM stream (RFC 29 §3.3): money and bytes both ways as Observables, with receive limits
 * and flow control. The stream keeps its own accounting (money-ledger.ts, send-subscriptions.ts,
 * data-delivery.ts) and its lifecycle; the connection that owns it builds and settles packets.
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
import { Observable, defer } from 'rxjs';
import { ErrorCode, MAX_U64 } from '../wire/types';
import { StreamError } from '../errors';
import type { Amount } from './amount';
import { amountArgument, dataArgument } from './arguments';
import type { Allocation } from './send-orders';
import { type DataProgress, type DataSegment, OutgoingData } from './outgoing-data';
import { type DataViolation, IncomingData } from './incoming-data';
import { MoneyLedger } from './money-ledger';
import { DataDelivery } from './data-delivery';
import { SendSubscriptions } from './send-subscriptions';
import { receiveUntilTotal, sendUntilTotal } from './total-targets';
import type { MoneyProgress, StreamState, StreamTotals } from './types';

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
  private readonly money = new MoneyLedger();
  private readonly sends: SendSubscriptions;
  private readonly delivery: DataDelivery;
  private stateValue: StreamState = 'open';
  private receiveMaxValue = MAX_U64;
  private endWaiters: Array<() => void> = [];

  /** Each amount received on this stream, in the order the packets were fulfilled. */
  readonly money$: Observable<bigint> = this.money.money$;

  /** @internal Bytes we send. */
  readonly outgoing = new OutgoingData();
  /** @internal Bytes we receive. */
  readonly incoming: IncomingData;
  /** @internal The StreamMaxData the peer last heard from us. */
  advertisedMaxData = 0n;

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
  readonly data$: Observable<Buffer>;
  /** Running totals; replays the current value to new subscribers. */
  readonly totals$: Observable<StreamTotals> = this.money.totals$;

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
    this.delivery = new DataDelivery(this.incoming, (bytes) => this.host.dataConsumed(this, bytes));
    this.data$ = this.delivery.data$;
    this.sends = new SendSubscriptions(this.money.orders, this.outgoing, {
      id,
      state: () => this.stateValue,
      wake: () => this.host.wake(),
      released: () => this.resolveEndIfFlushed(),
    });
  }

  /** `open`, `closing` (flushing after `end()`) or `closed`. */
  get state(): StreamState {
    return this.stateValue;
  }

  /** Current totals, synchronously. */
  get totals(): StreamTotals {
    return this.money.totals;
  }

  /** The most this stream accepts in total (default unlimited: 2^64-1). */
  get receiveMax(): bigint {
    return this.receiveMaxValue;
  }

  /** Source units waiting to be sent on this stream. */
  get pendingMoney(): bigint {
    return this.money.orders.pending;
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
    return defer(() => this.sends.money(amountArgument(amount, 'amount')));
  }

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
    return defer(() => this.sends.data(dataArgument(data)));
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
    this.delivery.pause();
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
    this.delivery.resume();
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
  sendTotal(total: Amount): Promise<void> {
    return sendUntilTotal(this, total);
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
  receiveTotal(total: Amount): Promise<void> {
    return receiveUntilTotal(this, total);
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
    return this.money.take(max);
  }

  /** @internal Settles money this stream placed in a packet. */
  settleMoney(allocation: Allocation, fulfilled: boolean, delivered: bigint): void {
    this.money.settle(allocation, fulfilled, delivered);
    if (!fulfilled) this.host.wake();
    this.resolveEndIfFlushed();
  }

  /** @internal Credits money the peer sent; the caller has checked the receive max. */
  receiveMoney(amount: bigint): void {
    this.money.receive(amount);
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
    this.delivery.deliver();
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

  private resolveEndIfFlushed(): void {
    if (this.stateValue !== 'closing' || !this.money.orders.idle || !this.outgoing.idle) return;
    this.host.closeStream(this, ErrorCode.NoError, '');
    this.finish(undefined);
  }

  /** Closes for good; every Observable ends with `error`, or cleanly without one. */
  private finish(error: Error | undefined): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.sends.close(error);
    this.delivery.end(error);
    this.money.close(error);
    const waiters = this.endWaiters;
    this.endWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
