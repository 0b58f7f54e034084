/**
 * The send loop of a connection: a pull loop that asks the packet builder for the next packet
 * whenever a packet settles or new money is queued, keeping up to `window` packets in flight
 * (DESIGN §4). It settles money exactly, retries temporary failures with backoff on the
 * scheduler, shrinks packets on F08, and gives up after a bounded run of failures.
 *
 * @example
 * ```ts
 * const sender = new ConnectionSender(connection, link, settings);
 * sender.wake(); // something new to send
 * ```
 */
import { Observable, type Subscription, map, of, tap, timeout, timer } from 'rxjs';
import { ErrorCode, FrameType, IlpPacketType, type Frame } from '../wire/types';
import { ConnectionError } from '../errors';
import type { StreamRegistry } from './stream-registry';
import { buildPacket, type PacketPlan } from './packet-builder';
import { type Ratio, multiplyFloor, ratioToNumber } from './ratio';
import { DEFAULT_PROBE_AMOUNTS, f08MaxInSource, probeRate } from './rate-probe';
import { type Link, type Outcome, transmit } from './transmit';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from './types';

/** Tunables of the send loop; `createConnection` documents the defaults. */
export interface SenderSettings {
  /** How far below the probed rate a packet may still be accepted (e.g. 1/100). */
  readonly slippage: Ratio;
  /** The most source units one packet may carry, before the path says otherwise. */
  readonly maxPacketAmount: bigint;
  /** Packets in flight at once. */
  readonly window: number;
  /** Milliseconds until a Prepare expires. */
  readonly expiryMs: number;
  /** First backoff after a temporary (T) error; it doubles up to `retryMaxDelayMs`. */
  readonly retryBaseDelayMs: number;
  /** Longest backoff. */
  readonly retryMaxDelayMs: number;
  /** Consecutive failed packets (rejects other than F08) before the connection gives up. */
  readonly maxConsecutiveFailures: number;
}

/** What the sender needs from the connection it sends for. */
export interface SenderHost {
  readonly registry: StreamRegistry;
  readonly state: ConnectionState;
  readonly totals: ConnectionTotals;
  readonly sourceAccount: string;
  readonly sourceAssetCode: string;
  readonly sourceAssetScale: number;
  /** True once the peer's address is known (always for clients; after ConnectionNewAddress for servers). */
  readonly hasRemoteAddress: boolean;
  /** True once the next sequence would be 2^31 (29-5.1.3-a). */
  readonly packetLimitReached: boolean;
  setExchangeRate(rate: ExchangeRate): void;
  /** The probe succeeded: a client's connection is open. */
  markOpen(): void;
  /** An authentic reply arrived (resets the idle timer). */
  touch(): void;
  applyReplyFrames(frames: readonly Frame[]): void;
  addToTotals(delta: Partial<ConnectionTotals>): void;
  /** Everything was sent and the close went out: the connection is closed. */
  finishEnd(): void;
  /** After `stop()`, the last packet in flight settled. */
  drained(): void;
  fail(error: Error): void;
}

/** Probe volleys before a connect gives up (the reference tries 15). */
export const PROBE_ROUNDS = 12;

/** How long `end()` waits for the reply to its ConnectionClose before closing anyway. */
export const CLOSE_REPLY_WAIT_MS = 1_000;

/** Sends a connection's packets. */
export class ConnectionSender {
  private control: Frame[] = [];
  private inFlight = 0;
  private pumping = false;
  private wakeAgain = false;
  private stopped = false;
  private remoteKnowsUs: boolean;
  private maxPacketAmount: bigint;
  private rate: Ratio | undefined;
  private probing: Observable<ExchangeRate> | undefined;
  private backoff: Subscription | undefined;
  private retryDelay: number;
  private failures = 0;
  private closeSent = false;
  private probeRunning = false;
  private reportedStreamIdLimit: bigint | undefined;

  constructor(
    private readonly connection: SenderHost,
    private readonly link: Link,
    private readonly settings: SenderSettings,
  ) {
    this.remoteKnowsUs = connection.registry.isServer;
    this.maxPacketAmount = settings.maxPacketAmount;
    this.retryDelay = settings.retryBaseDelayMs;
  }

  /** Money and close packets on the wire, not yet settled. */
  get packetsInFlight(): number {
    return this.inFlight;
  }

  /** Queues a control frame for the next packet or reply. */
  queueFrame(frame: Frame): void {
    this.control.push(frame);
  }

  /** Hands the queued control frames to whoever sends next (a packet or a reply). */
  takeControlFrames(): Frame[] {
    if (this.connection.registry.maxStreamIdChanged) {
      this.connection.registry.maxStreamIdChanged = false;
      this.control.push({ type: FrameType.ConnectionMaxStreamId, maxStreamId: this.connection.registry.localMaxStreamId });
    }
    const frames = this.control;
    this.control = [];
    return frames;
  }

  /** Probes the path (client handshake, or before a server's first money); emits the rate. */
  probe(): Observable<ExchangeRate> {
    this.probing ??= probeRate(
      (amount) => this.sendTracked({ amount, frames: this.handshakeFrames(), fulfillable: false, minDestination: 0n }),
      {
        amounts: DEFAULT_PROBE_AMOUNTS,
        maxPacketAmount: this.maxPacketAmount,
        rounds: PROBE_ROUNDS,
        retryDelayMs: this.settings.retryBaseDelayMs,
        scheduler: this.link.scheduler,
      },
    ).pipe(
      map(({ rate, maxPacketAmount }) => {
        if (this.stopped) throw new ConnectionError('CONNECT_FAILED', 'the connection closed during the handshake');
        if (rate.numerator === 0n) {
          throw new ConnectionError('EXCHANGE_RATE', `the largest probe (${rate.denominator}) delivered nothing: the path rate is too small to pay`);
        }
        this.rate = rate;
        this.maxPacketAmount = maxPacketAmount;
        const minimum = { numerator: rate.numerator * complement(this.settings.slippage).numerator, denominator: rate.denominator * this.settings.slippage.denominator };
        const exchangeRate: ExchangeRate = { rate, minimum, value: ratioToNumber(rate) };
        this.connection.setExchangeRate(exchangeRate);
        this.connection.markOpen();
        this.wake();
        return exchangeRate;
      }),
    );
    return this.probing;
  }

  /**
   * Something may be sendable: pull packets until the window is full or nothing is left.
   * Re-entrant calls (a reply settling synchronously inside a send) only ask for another pass,
   * so a wake-up is never lost and the stack never grows with the number of packets.
   */
  wake(): void {
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    if (this.stopped || this.backoff) return;
    this.pumping = true;
    try {
      do {
        this.wakeAgain = false;
        this.pullPackets();
      } while (this.wakeAgain && !this.stopped && !this.backoff);
    } finally {
      this.pumping = false;
    }
    this.maybeSendClose();
  }

  private pullPackets(): void {
    const state = this.connection.state;
    if (state !== 'open' && state !== 'closing') return;
    if (!this.connection.hasRemoteAddress) return;
    while (this.inFlight < this.settings.window && !this.stopped) {
      if (this.rate === undefined && this.hasMoneyToSend()) {
        this.startProbe();
        return;
      }
      if (this.connection.packetLimitReached) {
        this.failWith(new ConnectionError('PACKET_LIMIT', 'sent 2^31 packets; a new connection is needed', ErrorCode.ProtocolViolation));
        return;
      }
      const control = this.takeControlFrames();
      const plan = buildPacket({ streams: this.sendableStreams(), budget: this.maxPacketAmount, rate: this.rate, controlFrames: [...this.handshakeFrames(), ...control] });
      // While closing, lone control frames wait for the close packet instead of costing a packet each.
      if (!plan || (state === 'closing' && plan.amount === 0n)) {
        this.control = control.concat(this.control);
        return;
      }
      this.sendMoneyPacket(plan, control);
    }
  }

  /** Sends ConnectionClose without waiting for the outcome (destroy, or a violation we detected). */
  sendFinalClose(code: ErrorCode, message: string): void {
    if (this.closeSent || !this.connection.hasRemoteAddress) return;
    this.closeSent = true;
    const frames = this.closeFrames(code, message);
    // The outcome does not matter: we are closing either way. Errors are swallowed, never unhandled.
    transmit(this.link, { amount: 0n, frames, fulfillable: false, minDestination: 0n }).subscribe({ error: () => undefined });
  }

  /**
   * Stops sending. Packets already on the wire still settle, so money the peer received is
   * counted as delivered even when the connection closed meanwhile (exact accounting, DESIGN §4).
   */
  stop(): void {
    this.stopped = true;
    this.backoff?.unsubscribe();
  }

  // ---- internals --------------------------------------------------------------------------------

  private hasMoneyToSend(): boolean {
    for (const stream of this.connection.registry.streams.values()) if (stream.pendingMoney > 0n) return true;
    return false;
  }

  private sendableStreams() {
    const { registry } = this.connection;
    const limit = registry.remoteMaxStreamId;
    const streams = registry.sorted();
    // The peer's limit applies to the streams we open, not to the ones it opened.
    const sendable = streams.filter((s) => s.id <= limit || registry.isPeerStream(s.id));
    // Tell the peer once per limit that we are blocked (29-4.4.4-e); it rides on the next packet.
    if (sendable.length < streams.length && this.reportedStreamIdLimit !== limit) {
      this.reportedStreamIdLimit = limit;
      this.control.push({ type: FrameType.ConnectionStreamIdBlocked, maxStreamId: limit });
    }
    return sendable;
  }

  private handshakeFrames(): Frame[] {
    if (this.remoteKnowsUs) return [];
    return [
      { type: FrameType.ConnectionNewAddress, sourceAccount: this.connection.sourceAccount },
      { type: FrameType.ConnectionAssetDetails, sourceAssetCode: this.connection.sourceAssetCode, sourceAssetScale: this.connection.sourceAssetScale },
    ];
  }

  private startProbe(): void {
    if (this.probeRunning) return;
    this.probeRunning = true;
    this.probe().subscribe({
      complete: () => (this.probeRunning = false),
      error: (error: unknown) => this.failWith(toError(error)),
    });
  }

  /** Sends a packet and keeps track of it as in flight; applies an authentic reply's frames. */
  private sendTracked(transmission: Parameters<typeof transmit>[1]): Observable<Outcome> {
    return transmit(this.link, transmission).pipe(
      tap((outcome) => {
        if (outcome.replyPacket) {
          this.remoteKnowsUs = true;
          this.connection.touch();
          this.connection.applyReplyFrames(outcome.replyPacket.frames);
        }
      }),
    );
  }

  private sendMoneyPacket(plan: PacketPlan, control: Frame[]): void {
    const minDestination = this.rate ? multiplyFloor(multiplyFloor(plan.amount, this.rate), complement(this.settings.slippage)) : 0n;
    if (plan.amount > 0n && this.rate && multiplyFloor(plan.amount, this.rate) === 0n) {
      // At this rate the packet would deliver nothing: the money would only feed the connectors.
      this.inFlight += 1;
      this.abandon(plan, new ConnectionError('EXCHANGE_RATE', `a packet of ${plan.amount} delivers nothing at the probed rate`));
      return;
    }
    this.inFlight += 1;
    if (plan.amount > 0n) this.connection.addToTotals({ inFlight: plan.amount });
    this.sendTracked({ amount: plan.amount, frames: plan.frames, fulfillable: true, minDestination }).subscribe({
      next: (outcome) => this.settle(plan, control, outcome),
      error: (error: unknown) => this.abandon(plan, toError(error)),
    });
  }

  private settle(plan: PacketPlan, control: Frame[], outcome: Outcome): void {
    this.inFlight -= 1;
    if (outcome.fulfilled) {
      // The receiver reports what arrived; it accepted at least our minimum (E28).
      const claimed = outcome.replyPacket?.prepareAmount ?? 0n;
      const delivered = claimed > outcome.packet.prepareAmount ? claimed : outcome.packet.prepareAmount;
      const shares = splitDelivered(delivered, plan);
      // Totals first: settling a stream can re-enter the sender and send the next packet.
      this.connection.addToTotals({ sent: plan.amount, delivered, inFlight: -plan.amount });
      plan.allocations.forEach(({ stream, allocation }, i) => stream.settleMoney(allocation, true, shares[i] ?? 0n));
      this.failures = 0;
      this.retryDelay = this.settings.retryBaseDelayMs;
    } else {
      if (plan.amount > 0n) this.connection.addToTotals({ inFlight: -plan.amount });
      for (const { stream, allocation } of plan.allocations) stream.settleMoney(allocation, false, 0n);
      // A Reject NACKs every frame (29-3.6-a): control frames go back in the queue.
      this.control.push(...control.filter((f) => f.type === FrameType.StreamClose || f.type === FrameType.ConnectionMaxStreamId));
      for (const frame of plan.frames) if (frame.type === FrameType.StreamMaxMoney) this.connection.registry.streams.get(frame.streamId)?.readvertiseReceiveMax();
      this.onReject(outcome, plan.amount);
    }
    this.wake();
    if (this.stopped && this.inFlight === 0) this.connection.drained();
  }

  /** The packet never left (it could not be built into a Prepare): its money goes back, the connection fails. */
  private abandon(plan: PacketPlan, error: Error): void {
    this.inFlight -= 1;
    if (plan.amount > 0n) this.connection.addToTotals({ inFlight: -plan.amount });
    for (const { stream, allocation } of plan.allocations) stream.settleMoney(allocation, false, 0n);
    this.failWith(error);
    if (this.stopped && this.inFlight === 0) this.connection.drained();
  }

  private onReject(outcome: Outcome, amount: bigint): void {
    if (this.stopped || outcome.reply.type !== IlpPacketType.Reject) {
      if (outcome.reply.type === IlpPacketType.Fulfill) this.countFailure('F05', 'the fulfillment does not match the condition');
      return;
    }
    const { code, message } = outcome.reply;
    if (code === 'F08') {
      const max = f08MaxInSource(amount, outcome);
      if (max !== undefined && max < this.maxPacketAmount) this.maxPacketAmount = max;
      if (this.maxPacketAmount === 0n) this.failWith(new ConnectionError('SEND_FAILED', 'the path max packet amount is 0', undefined, code));
      return;
    }
    if (code === 'F99' && outcome.replyPacket) {
      // The receiver refused with its reasons in the reply frames, already applied; bounded.
      this.countFailure(code, message);
      return;
    }
    if (code.startsWith('T') || code === 'R00' || code === 'F99') {
      this.countFailure(code, message);
      this.scheduleRetry();
      return;
    }
    this.failWith(new ConnectionError('SEND_FAILED', `packet rejected with ${code} ${message}`.trim(), undefined, code));
  }

  private countFailure(code: string, message: string): void {
    this.failures += 1;
    if (this.failures >= this.settings.maxConsecutiveFailures) {
      this.failWith(new ConnectionError('SEND_FAILED', `${this.failures} packets in a row failed; last ${code} ${message}`.trim(), undefined, code));
    }
  }

  private scheduleRetry(): void {
    if (this.backoff || this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.settings.retryMaxDelayMs);
    this.backoff = timer(delay, this.link.scheduler).subscribe(() => {
      this.backoff = undefined;
      this.wake();
    });
  }

  private maybeSendClose(): void {
    if (this.connection.state !== 'closing' || this.inFlight > 0 || this.closeSent || this.stopped) return;
    if (this.connection.registry.streams.size > 0) return;
    if (!this.connection.hasRemoteAddress) {
      this.connection.finishEnd();
      return;
    }
    this.closeSent = true;
    const frames = this.closeFrames(ErrorCode.NoError, '');
    this.inFlight += 1;
    const settled = (): void => {
      this.inFlight -= 1;
      this.connection.finishEnd();
    };
    // The close carries no money, so its reply only confirms. Some peers drop it (ilp-protocol-stream's
    // client disconnects its plugin before answering), so the wait is capped, not left to expiry.
    transmit(this.link, { amount: 0n, frames, fulfillable: true, minDestination: 0n })
      .pipe(timeout({ first: Math.min(CLOSE_REPLY_WAIT_MS, this.settings.expiryMs), with: () => of(undefined), scheduler: this.link.scheduler }))
      .subscribe({ next: settled, error: settled });
  }

  /** What a close packet carries: the control frames still owed, then ConnectionClose. */
  private closeFrames(code: ErrorCode, message: string): Frame[] {
    return [...this.takeControlFrames(), { type: FrameType.ConnectionClose, errorCode: code, errorMessage: message }];
  }

  private failWith(error: Error): void {
    if (this.stopped) return;
    const code = error instanceof ConnectionError && error.streamErrorCode !== undefined ? error.streamErrorCode : ErrorCode.InternalError;
    this.sendFinalClose(code as ErrorCode, error.message);
    this.connection.fail(error);
  }
}

/** Splits what arrived among the streams of a packet the way the receiver does (RFC 29 §5.3.8). */
function splitDelivered(delivered: bigint, plan: PacketPlan): bigint[] {
  if (plan.amount === 0n) return plan.allocations.map(() => 0n);
  const shares = plan.allocations.map(({ allocation }) => (delivered * allocation.amount) / plan.amount);
  const remainder = delivered - shares.reduce((a, b) => a + b, 0n);
  if (shares.length > 0) shares[0] = (shares[0] ?? 0n) + remainder;
  return shares;
}

function complement(slippage: Ratio): Ratio {
  return { numerator: slippage.denominator - slippage.numerator, denominator: slippage.denominator };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
