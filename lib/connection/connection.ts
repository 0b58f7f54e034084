/**
 * A STREAM connection (RFC 29 §4): streams of money multiplexed over one shared secret, as
 * Observables. The class wires the pure parts — the receiver, the packet builder, the stream
 * registry — to a plugin and a scheduler; it owns the lifecycle, the send loop and the totals.
 *
 * @example
 * ```ts
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * const stream = connection.createStream();
 * await lastValueFrom(stream.sendMoney(10_000));
 * await connection.end();
 * ```
 */
import { Observable, ReplaySubject, Subject, type SchedulerLike, defer, throwError } from 'rxjs';
import { isIlpAddress } from '../wire';
import { ErrorCode, FrameType, MAX_PLAINTEXT_SIZE, type Frame } from '../wire/types';
import type { StreamKeys } from '../crypto';
import type { IlpPrepare, IlpReply, Plugin } from '../ilp';
import { ConnectionError, StreamError } from '../errors';
import { DataAndMoneyStream, type StreamHost } from '../stream/stream';
import { type Amount, toU64 } from '../stream/amount';
import type { Quote } from './controllers/quote';
import { StreamRegistry } from './stream-registry';
import { answerClosed, answerPrepare, type IncomingContext } from './incoming';
import { type CloseDecision, MAX_PACKET_SEQUENCE } from './receiver';
import { DataWindows } from './data-windows';
import type { Link } from './transmit';
import { ConnectionSender, type SenderSettings } from './sender';
import { type ConnectionState, type ConnectionTotals, type ExchangeRate, ZERO_CONNECTION_TOTALS } from './types';
import { IdleTimer } from './idle-timer';

/**
 * Everything a connection is built from; `createConnection` and the server fill it in.
 *
 * @example
 * ```ts
 * // What createConnection builds once IL-DCP answered:
 * const connection = new Connection({
 *   ...resolveConnectionOptions(options),
 *   plugin,
 *   keys: deriveKeys(sharedSecret),
 *   isServer: false,
 *   sourceAccount: ildcp.clientAddress,
 *   sourceAssetCode: ildcp.assetCode,
 *   sourceAssetScale: ildcp.assetScale,
 *   destinationAccount,
 *   onClose: () => incoming.unsubscribe(),
 * });
 * ```
 */
export interface ConnectionParams extends SenderSettings {
  readonly plugin: Plugin;
  readonly keys: StreamKeys;
  readonly isServer: boolean;
  readonly scheduler: SchedulerLike;
  readonly sourceAccount: string;
  readonly sourceAssetCode: string;
  readonly sourceAssetScale: number;
  readonly destinationAccount?: string;
  readonly connectionTag?: string;
  /** Close after this many ms in which no money or data moved either way; 0 disables. */
  readonly idleTimeoutMs: number;
  /** The most streams the peer may have open at once (default 10: max stream id 20). */
  readonly maxRemoteStreams?: number;
  /** Bytes the peer may send on a stream beyond what its consumer took. */
  readonly streamReceiveWindow: number;
  /** Bytes the peer may send on all streams together beyond what their consumers took. */
  readonly connectionReceiveWindow: number;
  /** Called once when the connection has closed, to release the plugin or the server's slot. */
  readonly onClose?: () => void;
}

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
  private readonly streamsSubject = new Subject<DataAndMoneyStream>();
  // ReplaySubject(1), not BehaviorSubject: after a close they still replay the final value, then
  // complete (or error), to late subscribers.
  private readonly totalsSubject = new ReplaySubject<ConnectionTotals>(1);
  private readonly rateSubject = new ReplaySubject<ExchangeRate>(1);
  private readonly stateSubject = new ReplaySubject<ConnectionState>(1);
  private readonly sender: ConnectionSender;
  private readonly idle: IdleTimer;
  // Plain copies of what the subjects carry: an errored BehaviorSubject throws from `.value`, and
  // the getters must keep answering after a close (and in-flight packets still settle then).
  private totalsValue = ZERO_CONNECTION_TOTALS;
  private stateValue: ConnectionState;
  private rateValue: ExchangeRate | undefined;
  private sequence = 1n;
  private remoteAddress: string | undefined;
  private remoteAsset: { code: string; scale: number } | undefined;
  private closeWaiters: Array<() => void> = [];
  private finishing: { error: Error | undefined } | undefined;

  /** Streams the peer opened, each emitted before its first money is credited. */
  readonly streams$: Observable<DataAndMoneyStream> = this.streamsSubject.asObservable();
  /** Money totals; replays the current value. */
  readonly totals$: Observable<ConnectionTotals> = this.totalsSubject.asObservable();
  /** The path exchange rate once known; replays the current value. */
  readonly exchangeRate$: Observable<ExchangeRate> = this.rateSubject.asObservable();
  /** 'connecting' → 'open' → 'closing' → 'closed'; replays the current value. */
  readonly state$: Observable<ConnectionState> = this.stateSubject.asObservable();

  constructor(private readonly params: ConnectionParams) {
    this.data = new DataWindows(params.connectionReceiveWindow);
    this.registry = new StreamRegistry(params.isServer, this, params.maxRemoteStreams);
    this.remoteAddress = params.destinationAccount;
    this.stateValue = params.isServer ? 'open' : 'connecting';
    this.stateSubject.next(this.stateValue);
    this.totalsSubject.next(this.totalsValue);
    const link: Link = {
      plugin: params.plugin,
      keys: params.keys,
      scheduler: params.scheduler,
      expiryMs: params.expiryMs,
      destination: () => this.remoteAddress,
      nextSequence: () => this.takeSequence(),
    };
    this.sender = new ConnectionSender(this, link, params, this.data);
    this.idle = new IdleTimer(params.scheduler, params.idleTimeoutMs, () => {
      const message = `no money or data moved for ${params.idleTimeoutMs} ms`;
      // Tell the peer, as destroy() would, so it does not wait for its own timeout.
      this.sender.sendFinalClose(ErrorCode.ApplicationError, `idle timeout: ${message}`);
      this.fail(new ConnectionError('IDLE_TIMEOUT', message, ErrorCode.ApplicationError));
    });
    if (params.isServer) this.idle.start();
  }

  // ---- public surface -----------------------------------------------------------------------

  /** Our ILP address. */
  get sourceAccount(): string {
    return this.params.sourceAccount;
  }
  /** The peer's ILP address, once known. */
  get destinationAccount(): string | undefined {
    return this.remoteAddress;
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
    return this.remoteAsset?.code;
  }
  /** The peer's asset scale, once it sent ConnectionAssetDetails. */
  get destinationAssetScale(): number | undefined {
    return this.remoteAsset?.scale;
  }
  /** The tag the server put in this connection's address, if any. */
  get connectionTag(): string | undefined {
    return this.params.connectionTag;
  }
  /** The current state. */
  get state(): ConnectionState {
    return this.stateValue;
  }
  /** Current totals, synchronously. */
  get totals(): ConnectionTotals {
    return this.totalsValue;
  }
  /** The path exchange rate, once probed. */
  get exchangeRate(): ExchangeRate | undefined {
    return this.rateValue;
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
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.state !== 'closing') {
      this.setState('closing');
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
    this.finish(error ? new ConnectionError('DESTROYED', error.message, code) : undefined);
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
    if (this.finishing || this.state === 'closed') {
      return answerClosed(this, prepare, this.finishing?.error ? ErrorCode.ApplicationError : ErrorCode.NoError);
    }
    const { reply, decision } = answerPrepare(this, prepare);
    if (!decision) return reply;
    // Only progress keeps a connection alive: pings and blocked probes alone let it go idle.
    if (decision.fulfill && (decision.credits.some(([, amount]) => amount > 0n) || decision.dataStreams.length > 0)) this.idle.touch();
    if (decision.fulfill) {
      let received = 0n;
      for (const [stream, amount] of decision.credits) {
        stream.receiveMoney(amount);
        received += amount;
      }
      if (received > 0n) this.addToTotals({ received });
    }
    for (const [stream, code, message] of decision.closedStreams) this.closeStreamFromRemote(stream, code, message);
    for (const stream of decision.dataStreams) stream.deliverData();
    if (decision.close) this.closeFromDecision(decision.close);
    else this.sender.wake();
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
    this.streamsSubject.next(stream);
    // end() is flushing: a stream the peer opens now would keep the close waiting for ever.
    if (this.state === 'closing') void stream.end();
  }
  /** @internal */
  setRemoteAddress(address: string): void {
    // '' is a send-only peer (@interledger/pay sends it); anything else must be an ILP address (15-Addr-a, E25).
    if (isIlpAddress(address)) this.remoteAddress = address;
  }
  /** @internal */
  setRemoteAssetDetails(code: string, scale: number): boolean {
    if (this.remoteAsset) return this.remoteAsset.code === code && this.remoteAsset.scale === scale;
    this.remoteAsset = { code, scale };
    return true;
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
    const packetRoom = BigInt(MAX_PLAINTEXT_SIZE);
    const streamBlocked = stream.state !== 'closed' && stream.advertisedMaxData - stream.incoming.highestOffset < packetRoom;
    const connectionBlocked = this.data.nearlyBlocked(packetRoom);
    if (!streamBlocked && !connectionBlocked) return;
    if (streamBlocked) {
      stream.advertisedMaxData = stream.incoming.maxOffset;
      this.sender.queueFrame({ type: FrameType.StreamMaxData, streamId: stream.id, maxOffset: stream.advertisedMaxData });
    }
    this.sender.queueFrame({ type: FrameType.ConnectionMaxData, maxOffset: this.data.advertiseLimit() });
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
    const t = this.totalsValue;
    this.totalsValue = {
      sent: t.sent + (delta.sent ?? 0n),
      delivered: t.delivered + (delta.delivered ?? 0n),
      received: t.received + (delta.received ?? 0n),
      inFlight: t.inFlight + (delta.inFlight ?? 0n),
    };
    this.totalsSubject.next(this.totalsValue);
  }
  /** @internal */
  setExchangeRate(rate: ExchangeRate): void {
    this.rateValue = rate;
    this.rateSubject.next(rate);
  }
  /** @internal The connection reached 'open' (client, after the probe). */
  markOpen(): void {
    if (this.state !== 'connecting') return;
    // The handshake is progress: the idle timeout counts from the moment the connection opened.
    this.idle.touch();
    this.setState('open');
  }
  /**
   * @internal An authentic reply arrived. Deliberately not activity for the idle timeout: only
   * money and data moving are (see `idleTimeoutMs`), so a sender probing a full window for ever
   * does not keep both ends alive.
   */
  touch(): void {
    // Progress is recorded where money and data settle: addToTotals, dataAcknowledged, dataConsumed.
  }
  /** @internal Bytes we sent were acknowledged by a fulfilled packet: progress for the idle timeout. */
  dataAcknowledged(): void {
    this.idle.touch();
  }
  /** @internal Applies frames from the peer's authentic reply to one of our packets. */
  applyReplyFrames(frames: readonly Frame[]): void {
    for (const frame of frames) {
      switch (frame.type) {
        case FrameType.StreamMaxMoney:
          this.registry.streams.get(frame.streamId)?.applyRemoteMaxMoney(frame.receiveMax, frame.totalReceived);
          break;
        case FrameType.ConnectionMaxStreamId:
          this.registry.raiseRemoteMax(frame.maxStreamId);
          break;
        case FrameType.StreamMaxData:
          this.registry.streams.get(frame.streamId)?.outgoing.applyRemoteMax(frame.maxOffset);
          break;
        case FrameType.ConnectionMaxData:
          this.data.applyRemoteLimit(frame.maxOffset);
          break;
        case FrameType.ConnectionAssetDetails:
          if (!this.setRemoteAssetDetails(frame.sourceAssetCode, frame.sourceAssetScale)) {
            this.sender.sendFinalClose(ErrorCode.ProtocolViolation, 'asset details changed during the connection');
            this.fail(new ConnectionError('ASSET_MISMATCH', 'the peer changed its asset details', ErrorCode.ProtocolViolation));
            return;
          }
          break;
        case FrameType.StreamClose: {
          const stream = this.registry.streams.get(frame.streamId);
          if (stream) this.closeStreamFromRemote(stream, frame.errorCode, frame.errorMessage);
          break;
        }
        case FrameType.ConnectionClose:
          this.closeFromDecision({ code: frame.errorCode, message: frame.errorMessage, byRemote: true });
          return;
        default:
          break;
      }
    }
  }
  /** @internal Nothing is left to send or settle after `end()`: close for good. */
  finishEnd(): void {
    this.finish(undefined);
  }
  /** @internal Closes with an error; the sender already told the peer if it could. */
  fail(error: Error): void {
    this.finish(error);
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
    return this.remoteAddress !== undefined;
  }

  // ---- closing ----------------------------------------------------------------------------------

  private closeStreamFromRemote(stream: DataAndMoneyStream, code: ErrorCode | number, message: string): void {
    this.registry.remove(stream);
    stream.closeFromRemote(code === ErrorCode.NoError ? undefined : new StreamError('REMOTE_CLOSED', `peer closed stream ${stream.id}: ${message}`, code));
  }

  private closeFromDecision(close: CloseDecision): void {
    if (!close.byRemote) {
      this.fail(new ConnectionError('PROTOCOL_VIOLATION', close.message, close.code));
    } else if (close.code === ErrorCode.NoError) {
      this.finish(undefined);
    } else {
      this.finish(new ConnectionError('REMOTE_CLOSED', `peer closed the connection: ${close.message}`, close.code));
    }
  }

  private setState(state: ConnectionState): void {
    this.stateValue = state;
    this.stateSubject.next(state);
  }

  /**
   * Closes the connection. Sending stops at once, but packets already on the wire settle first
   * (a reply or R00 at expiry always comes), so the final totals are exact when the Observables
   * complete; until then the state is 'closing'.
   */
  private finish(error: Error | undefined): void {
    if (this.state === 'closed') return;
    if (this.finishing) {
      // Closing already (e.g. both ends called end()); the last settle brings us here again.
      if (this.sender.packetsInFlight === 0) this.complete();
      return;
    }
    this.finishing = { error };
    this.idle.stop();
    this.sender.stop();
    if (this.sender.packetsInFlight === 0) this.complete();
    else if (this.state !== 'closing') this.setState('closing');
  }

  /** @internal The sender stopped and its last packet settled. */
  drained(): void {
    if (this.finishing) this.complete();
  }

  private complete(): void {
    if (this.state === 'closed' || !this.finishing) return;
    const { error } = this.finishing;
    const streamError = error ? new StreamError('CONNECTION_CLOSED', error.message, undefined, { cause: error }) : undefined;
    for (const stream of this.registry.sorted()) {
      this.registry.remove(stream);
      stream.closeFromRemote(streamError);
    }
    this.setState('closed');
    for (const subject of [this.streamsSubject, this.totalsSubject, this.rateSubject, this.stateSubject] as Subject<unknown>[]) {
      if (error) subject.error(error);
      else subject.complete();
    }
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
    this.params.onClose?.();
  }
}
