/**
 * A STREAM connection (RFC 29 §4): streams of money multiplexed over one shared secret, as
 * Observables. The class wires the parts — the receiver, the sender, the stream registry, the
 * Observables (connection-subjects.ts), the close path (connection-closing.ts) and what the peer's
 * frames change (peer-dispatch.ts) — to a plugin and a scheduler, and is the host they call back.
 *
 * @example
 * ```ts
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * const stream = connection.createStream();
 * await lastValueFrom(stream.sendMoney(10_000));
 * await connection.end();
 * ```
 */
import { Observable, defer, throwError } from 'rxjs';
import { ErrorCode, FrameType, type Frame } from '../wire/types';
import type { StreamKeys } from '../crypto';
import type { IlpPrepare, IlpReply } from '../ilp';
import { ConnectionError, StreamError } from '../errors';
import type { DataAndMoneyStream, StreamHost } from '../stream/stream';
import { type Amount, toU64 } from '../stream/amount';
import type { Quote } from './controllers/quote';
import { StreamRegistry } from './stream-registry';
import { answerClosed, answerPrepare, type IncomingContext } from './incoming';
import { MAX_PACKET_SEQUENCE } from './receiver';
import { DataWindows } from './data-windows';
import type { Link } from './transmit';
import { ConnectionSender } from './sender';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from './types';
import { IdleTimer } from './idle-timer';
import type { ConnectionParams } from './connection-params';
import { ConnectionSubjects } from './connection-subjects';
import { ConnectionClosing } from './connection-closing';
import { type DispatchTarget, applyDecision, applyReplyFrames } from './peer-dispatch';
import { RemotePeer } from './remote-peer';
import { windowUpdateFrames } from './window-updates';

/**
 * A STREAM connection. Get one from `createConnection()`, `connect()` or a server's `connections$`.
 *
 * @example
 * ```ts
 * connection.streams$.pipe(mergeMap((stream) => stream.money$)).subscribe({
 *   next: (amount) => console.log('received', amount),
 *   // Typed (ConnectionError, StreamError); unhandled, RxJS would rethrow it, as Node does an 'error' event.
 *   error: (error: Error) => console.warn('connection ended:', error.message),
 * });
 * ```
 */
export class Connection implements StreamHost, IncomingContext {
  /** @internal */
  readonly registry: StreamRegistry;
  private readonly subjects: ConnectionSubjects;
  private readonly sender: ConnectionSender;
  private readonly idle: IdleTimer;
  private readonly closing: ConnectionClosing;
  private readonly dispatch: DispatchTarget;
  private sequence = 1n;
  private readonly remote: RemotePeer;

  /** Streams the peer opened, each emitted before its first money is credited. */
  readonly streams$: Observable<DataAndMoneyStream>;
  /** Money totals; replays the current value. */
  readonly totals$: Observable<ConnectionTotals>;
  /** The path exchange rate once known; replays the current value. */
  readonly exchangeRate$: Observable<ExchangeRate>;
  /** 'connecting' → 'open' → 'closing' → 'closed'; replays the current value. */
  readonly state$: Observable<ConnectionState>;

  constructor(private readonly params: ConnectionParams) {
    this.data = new DataWindows(params.connectionReceiveWindow);
    this.registry = new StreamRegistry(params.isServer, this, params.maxRemoteStreams);
    this.remote = new RemotePeer(params.destinationAccount);
    this.subjects = new ConnectionSubjects(params.isServer ? 'open' : 'connecting');
    this.streams$ = this.subjects.streams$;
    this.totals$ = this.subjects.totals$;
    this.exchangeRate$ = this.subjects.exchangeRate$;
    this.state$ = this.subjects.state$;
    const link: Link = {
      plugin: params.plugin,
      keys: params.keys,
      scheduler: params.scheduler,
      expiryMs: params.expiryMs,
      destination: () => this.remote.address,
      nextSequence: () => this.takeSequence(),
    };
    this.sender = new ConnectionSender(this, link, params, this.data);
    this.idle = new IdleTimer(params.scheduler, params.idleTimeoutMs, () => {
      const message = `no money or data moved for ${params.idleTimeoutMs} ms`;
      // Tell the peer, as destroy() would, so it does not wait for its own timeout.
      this.sender.sendFinalClose(ErrorCode.ApplicationError, `idle timeout: ${message}`);
      this.fail(new ConnectionError('IDLE_TIMEOUT', message, ErrorCode.ApplicationError));
    });
    this.closing = new ConnectionClosing({ subjects: this.subjects, registry: this.registry, idle: this.idle, sender: this.sender, onClose: params.onClose });
    const { registry, data, closing, remote, idle, sender } = this;
    this.dispatch = { registry, data, closing, remote, idle, sender, addToTotals: (delta) => this.addToTotals(delta) };
    if (params.isServer) this.idle.start();
  }

  // ---- public surface -----------------------------------------------------------------------

  /** Our ILP address. */
  get sourceAccount(): string {
    return this.params.sourceAccount;
  }
  /** The peer's ILP address, once known. */
  get destinationAccount(): string | undefined {
    return this.remote.address;
  }
  /** Our asset code (from IL-DCP). */
  get sourceAssetCode(): string {
    return this.params.sourceAssetCode;
  }
  /** Our asset scale (from IL-DCP). */
  get sourceAssetScale(): number {
    return this.params.sourceAssetScale;
  }
  /** The peer's asset code, once it sent ConnectionAssetDetails. */
  get destinationAssetCode(): string | undefined {
    return this.remote.asset?.code;
  }
  /** The peer's asset scale, once it sent ConnectionAssetDetails. */
  get destinationAssetScale(): number | undefined {
    return this.remote.asset?.scale;
  }
  /** The tag the server put in this connection's address, if any. */
  get connectionTag(): string | undefined {
    return this.params.connectionTag;
  }
  /** The current state. */
  get state(): ConnectionState {
    return this.subjects.state;
  }
  /** Current totals, synchronously. */
  get totals(): ConnectionTotals {
    return this.subjects.totals;
  }
  /** The path exchange rate, once probed. */
  get exchangeRate(): ExchangeRate | undefined {
    return this.subjects.exchangeRate;
  }

  /**
   * Opens a new stream (odd ids for clients, even for servers). Nothing is sent until the stream
   * has money to send. If the peer's stream limit is reached, the stream waits: its money leaves
   * once the peer raises the limit (we tell it with ConnectionStreamIdBlocked).
   *
   * @example
   * ```ts
   * const stream = connection.createStream();
   * ```
   */
  createStream(): DataAndMoneyStream {
    if (this.state === 'closing' || this.state === 'closed') {
      throw new StreamError('CONNECTION_CLOSED', `cannot open a stream on a ${this.state} connection`);
    }
    return this.registry.openLocal();
  }

  /**
   * What sending `sourceAmount` is expected to deliver over this path: the estimate at the probed
   * rate, the least the receiver can get while every packet meets the minimum rate, the packets
   * it takes at the known max packet amount, and the rate with its tracked bounds. Cold; sends
   * nothing if the rate is known (a client's is, once connected), otherwise it waits for, or
   * starts, the rate probe. Errors with a ConnectionError if the connection closes first.
   *
   * @example
   * ```ts
   * const quote = await firstValueFrom(connection.quote(10_000));
   * if (quote.minDelivery < 4_900n) await connection.end();
   * ```
   */
  quote(sourceAmount: Amount): Observable<Quote> {
    return defer(() => {
      const amount = toU64(sourceAmount, 'sourceAmount');
      if (this.state === 'closing' || this.state === 'closed') {
        return throwError(() => new ConnectionError('SEND_FAILED', `cannot quote on a ${this.state} connection`));
      }
      return this.sender.quote(amount);
    });
  }

  /**
   * Sends everything queued, then closes with ConnectionClose(NoError). Resolves once closed.
   *
   * @example
   * ```ts
   * await connection.end();
   * ```
   */
  end(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    const closed = this.closing.whenClosed();
    if (this.state !== 'closing') {
      this.subjects.setState('closing');
      for (const stream of this.registry.sorted()) void stream.end();
      this.sender.wake();
    }
    return closed;
  }

  /**
   * Closes at once: tells the peer with ConnectionClose(ApplicationError, message) and errors
   * every Observable with a ConnectionError('DESTROYED'). Without an error it closes cleanly.
   *
   * @example
   * ```ts
   * await connection.destroy(new Error('shutting down'));
   * ```
   */
  destroy(error?: Error): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    const code = error ? ErrorCode.ApplicationError : ErrorCode.NoError;
    this.sender.sendFinalClose(code, error?.message ?? '');
    this.closing.finish(error ? new ConnectionError('DESTROYED', error.message, code) : undefined);
    return Promise.resolve();
  }

  // ---- used by the client and the server ------------------------------------------------------

  /** @internal Runs the handshake and rate probe of a client; emits when the connection is open. */
  open(): Observable<ExchangeRate> {
    this.idle.start();
    return this.sender.probe();
  }

  /**
   * @internal Answers one Prepare addressed to this connection; never throws. A closing or closed
   * connection fulfills nothing more: it answers with ConnectionClose so the sender stops.
   */
  handlePrepare(prepare: IlpPrepare): IlpReply {
    if (this.closing.started || this.state === 'closed') {
      return answerClosed(this, prepare, this.closing.error ? ErrorCode.ApplicationError : ErrorCode.NoError);
    }
    const { reply, decision } = answerPrepare(this, prepare);
    if (decision) applyDecision(this.dispatch, decision);
    return reply;
  }

  // ---- ReceiverContext / IncomingContext --------------------------------------------------------

  /** @internal */
  get keys(): StreamKeys {
    return this.params.keys;
  }
  /** @internal */
  now(): number {
    return this.params.scheduler.now();
  }
  /** @internal */
  announceStream(stream: DataAndMoneyStream): void {
    this.subjects.announce(stream);
    // end() is flushing: a stream the peer opens now would keep the close waiting for ever.
    if (this.state === 'closing') void stream.end();
  }
  /** @internal */
  setRemoteAddress(address: string): void {
    this.remote.setAddress(address);
  }
  /** @internal */
  setRemoteAssetDetails(code: string, scale: number): boolean {
    return this.remote.setAssetDetails(code, scale);
  }
  /** @internal */
  addressReplyFrames(): Frame[] {
    return [
      { type: FrameType.ConnectionAssetDetails, sourceAssetCode: this.params.sourceAssetCode, sourceAssetScale: this.params.sourceAssetScale },
      { type: FrameType.ConnectionMaxStreamId, maxStreamId: this.registry.localMaxStreamId },
    ];
  }
  /** @internal */
  takeQueuedFrames(): Frame[] {
    return this.sender.takeControlFrames();
  }

  /** @internal Connection-wide data flow control (RFC 29 §4.5), shared with the sender. */
  readonly data: DataWindows;

  // ---- StreamHost -------------------------------------------------------------------------------

  /** @internal */
  wake(): void {
    this.sender.wake();
  }
  /** @internal */
  get streamReceiveWindow(): number {
    return this.params.streamReceiveWindow;
  }
  /**
   * @internal The consumer took bytes. The peer learns the new limits from our replies while it
   * sends; a peer that is (nearly) blocked sends nothing to reply to, so it gets a packet of its
   * own with them (29-4.4.4-a).
   */
  dataConsumed(stream: DataAndMoneyStream, bytes: number): void {
    this.data.addConsumed(bytes);
    this.idle.touch();
    const frames = windowUpdateFrames(stream, this.data);
    if (frames.length === 0) return;
    for (const frame of frames) this.sender.queueFrame(frame);
    this.sender.wake();
  }
  /** @internal */
  closeStream(stream: DataAndMoneyStream, code: ErrorCode, message: string): void {
    this.sender.queueFrame({ type: FrameType.StreamClose, streamId: stream.id, errorCode: code, errorMessage: message });
    this.registry.remove(stream);
    this.sender.wake();
  }

  // ---- used by the sender -----------------------------------------------------------------------

  /**
   * @internal Adds to the totals, reading them at the moment of the change: settling a packet can
   * re-enter the sender and send more before the caller's next line runs.
   */
  addToTotals(delta: Partial<ConnectionTotals>): void {
    if ((delta.delivered ?? 0n) > 0n || (delta.received ?? 0n) > 0n) this.idle.touch();
    this.subjects.addToTotals(delta);
  }
  /** @internal */
  setExchangeRate(rate: ExchangeRate): void {
    this.subjects.setExchangeRate(rate);
  }
  /** @internal The connection reached 'open' (client, after the probe). */
  markOpen(): void {
    if (this.state !== 'connecting') return;
    // The handshake is progress: the idle timeout counts from the moment the connection opened.
    this.idle.touch();
    this.subjects.setState('open');
  }
  /** @internal Bytes we sent were acknowledged by a fulfilled packet: progress for the idle timeout. */
  dataAcknowledged(): void {
    this.idle.touch();
  }
  /** @internal Applies frames from the peer's authentic reply to one of our packets. */
  applyReplyFrames(frames: readonly Frame[]): void {
    applyReplyFrames(this.dispatch, frames);
  }
  /** @internal Nothing is left to send or settle after `end()`: close for good. */
  finishEnd(): void {
    this.closing.finish(undefined);
  }
  /** @internal Closes with an error; the sender already told the peer if it could. */
  fail(error: Error): void {
    this.closing.finish(error);
  }
  /** @internal The sender stopped and its last packet settled. */
  drained(): void {
    this.closing.drained();
  }
  /**
   * @internal True once no packet with money or data may leave (29-5.1.3-a, E9): the last
   * sequence below 2^31 is kept for the ConnectionClose that ends the connection.
   */
  get packetLimitReached(): boolean {
    return this.sequence >= MAX_PACKET_SEQUENCE - 1n;
  }

  /** The next outgoing sequence; a packet numbered 2^31 or above is never built (29-5.1.3-a, E9). */
  private takeSequence(): bigint {
    if (this.sequence >= MAX_PACKET_SEQUENCE) {
      throw new ConnectionError('PACKET_LIMIT', 'sent 2^31 packets; a new connection is needed', ErrorCode.ProtocolViolation);
    }
    return this.sequence++;
  }
  /** @internal Where our packets go. */
  get hasRemoteAddress(): boolean {
    return this.remote.address !== undefined;
  }
}
