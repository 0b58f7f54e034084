/**
 * The send loop of a connection: a pull loop that asks the packet builder for the next packet
 * whenever a packet settles or new money is queued, keeping as many packets in flight as the
 * congestion window allows (DESIGN §4). Each concern has its own module (controllers/ for the window,
 * the max packet amount and the quote; send/ for the rate, retries, settlement, the blocked probe
 * and the close); the loop decides when a packet goes out and when the path is hopeless.
 *
 * Why a pull loop and not `mergeMap(send, window)` over a source of packets: what the next packet
 * may carry is only known when a slot frees (the F08 limit, the peer's receive window and the
 * rate bounds change with every reply), and the window itself changes with congestion, while
 * mergeMap fixes its concurrency at subscription and buffers whatever its source pushes. Pulling
 * one packet per free slot is mergeMap's contract with a dynamic concurrency and no buffer; with a
 * window of 1 it is concatMap, and spec/connection/send-pipeline.marble.spec.ts shows the two agree.
 *
 * @example
 * ```ts
 * const sender = new ConnectionSender(connection, link, settings, new DataWindows(2_097_152));
 * sender.wake(); // something new to send
 * ```
 */
import { Observable, Subject, map, shareReplay } from 'rxjs';
import { ErrorCode, FrameType, type Frame } from '../wire/types';
import { ConnectionError } from '../errors';
import { buildPacket, type PacketPlan } from './packet-builder';
import { DEFAULT_PROBE_AMOUNTS, probeRate } from './rate-probe';
import { CongestionWindow } from './controllers/congestion-window';
import { MaxPacketAmount } from './controllers/max-packet-amount';
import type { RetryPolicy } from '../operators/retry-policy';
import { type Quote, computeQuote } from './controllers/quote';
import type { DataWindows } from './data-windows';
import type { Link, Outcome } from './transmit';
import type { ExchangeRate } from './types';
import type { SenderHost } from './send/host';
import type { SenderSettings } from './send/settings';
import { ExchangeRateTracker } from './send/exchange-rate-tracker';
import { BlockedProbe } from './send/blocked-probe';
import { CloseSender } from './send/close-sender';
import { ControlQueue } from './send/control-queue';
import { FailureStreak } from './send/failure-streak';
import { isTemporary, judgeUnfulfilled } from './send/reject-verdict';
import { sendWithRetries } from './send/money-retries';
import { nobodyWants, refund, settleFulfilled, settleRejected } from './send/settlement';
import { SendableStreams } from './send/sendable-streams';
import { TrackedTransmit } from './send/tracked-transmit';


/**
 * Probe volleys before a connect gives up (the reference tries 15).
 *
 * @example
 * ```ts
 * probeRate(sendProbe, { amounts: DEFAULT_PROBE_AMOUNTS, maxPacketAmount: max.budget, rounds: PROBE_ROUNDS });
 * ```
 */
export const PROBE_ROUNDS = 12;

/**
 * Sends a connection's packets.
 *
 * @example
 * ```ts
 * const sender = new ConnectionSender(connection, link, settings, windows);
 * sender.probe().subscribe((rate) => console.log(rate.value)); // the client handshake
 * sender.packetsInFlight; // 0
 * sender.stop();          // packets on the wire still settle
 * ```
 */
export class ConnectionSender {
  private readonly control: ControlQueue;
  private inFlight = 0;
  private pumping = false;
  private wakeAgain = false;
  private stopped = false;
  private readonly stopped$ = new Subject<void>();
  private readonly congestion: CongestionWindow;
  private readonly maxPacket: MaxPacketAmount;
  private readonly rates: ExchangeRateTracker;
  private readonly retryPolicy: RetryPolicy;
  private readonly failures: FailureStreak;
  private readonly blocked: BlockedProbe;
  private readonly closer: CloseSender;
  private readonly sendable: SendableStreams;
  private readonly tracked: TrackedTransmit;
  private probing: Observable<ExchangeRate> | undefined;
  private probeRunning = false;

  constructor(
    private readonly connection: SenderHost,
    private readonly link: Link,
    private readonly settings: SenderSettings,
    private readonly windows: DataWindows,
  ) {
    this.control = new ControlQueue(connection.registry);
    this.sendable = new SendableStreams(connection.registry, this.control);
    this.maxPacket = new MaxPacketAmount(settings.maxPacketAmount);
    this.congestion = new CongestionWindow({ initial: settings.initialWindow, max: settings.window });
    this.rates = new ExchangeRateTracker(settings, (rate) => connection.setExchangeRate(rate));
    this.tracked = new TrackedTransmit(link, connection, this.maxPacket, this.rates);
    this.retryPolicy = {
      baseDelayMs: settings.retryBaseDelayMs,
      factor: settings.retryFactor,
      maxDelayMs: settings.retryMaxDelayMs,
      attempts: settings.retryAttempts,
    };
    this.failures = new FailureStreak(settings.maxConsecutiveFailures);
    this.blocked = new BlockedProbe(link.scheduler, windows, {
      quiet: () => !this.stopped && this.inFlight === 0,
      reachable: () => this.canSend(),
      sendableStreams: () => this.sendable.list(),
      send: (frames) => this.sendBlockedProbe(frames),
    });
    this.closer = new CloseSender(link, settings.expiryMs, this.control, connection);
  }

  /** Money and close packets on the wire (or waiting to be retried), not yet settled. */
  get packetsInFlight(): number {
    return this.inFlight;
  }

  /** The peer's ConnectionMaxData arrived: more bytes may go. */
  applyRemoteDataLimit(maxOffset: bigint): void {
    this.windows.applyRemoteLimit(maxOffset);
    this.wake();
  }

  /** Queues a control frame for the next packet or reply. */
  queueFrame(frame: Frame): void {
    this.control.push(frame);
  }

  /** Hands the queued control frames to whoever sends next (a packet or a reply). */
  takeControlFrames(): Frame[] {
    return this.control.take();
  }

  /**
   * Probes the path (client handshake, or before a server's first money); emits the rate. Shared:
   * the handshake, a quote and the send loop may all wait for the same probe.
   */
  probe(): Observable<ExchangeRate> {
    this.probing ??= probeRate((amount) => this.tracked.send({ amount, frames: this.tracked.handshakeFrames(), fulfillable: false, minDestination: 0n }), {
      amounts: DEFAULT_PROBE_AMOUNTS,
      maxPacketAmount: this.maxPacket.budget,
      rounds: PROBE_ROUNDS,
      retryDelayMs: this.settings.retryBaseDelayMs,
      scheduler: this.link.scheduler,
    }).pipe(
      map(({ rate }) => {
        if (this.stopped) throw new ConnectionError('CONNECT_FAILED', 'the connection closed during the handshake');
        const exchangeRate = this.rates.accept(rate);
        this.connection.markOpen();
        this.wake();
        return exchangeRate;
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.probing;
  }

  /**
   * What sending `sourceAmount` is expected to deliver; probes first if the rate is not known yet.
   *
   * @example
   * ```ts
   * sender.quote(10_000n).subscribe((q) => console.log(q.estimatedDelivery));
   * ```
   */
  quote(sourceAmount: bigint): Observable<Quote> {
    return this.probe().pipe(map((rate) => computeQuote(sourceAmount, this.maxPacket.budget, this.rates.current() ?? rate)));
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
    if (this.stopped) return;
    this.pumping = true;
    try {
      do {
        this.wakeAgain = false;
        this.pullPackets();
      } while (this.wakeAgain && !this.stopped);
    } finally {
      this.pumping = false;
    }
    this.blocked.maybeSchedule();
    this.maybeSendClose();
  }

  /** Sends ConnectionClose without waiting for the outcome (destroy, or a violation we detected). */
  sendFinalClose(code: ErrorCode, message: string): void {
    this.closer.sendFinal(code, message);
  }

  /**
   * Stops sending. Packets already on the wire still settle, so money the peer received is
   * counted as delivered even when the connection closed meanwhile (exact accounting, DESIGN §4);
   * packets waiting to be retried settle at once as rejected.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.blocked.cancel();
    this.stopped$.next();
    this.stopped$.complete();
  }

  // ---- internals --------------------------------------------------------------------------------

  /** The connection is open (or closing) and knows where to send. */
  private canSend(): boolean {
    const state = this.connection.state;
    return (state === 'open' || state === 'closing') && this.connection.hasRemoteAddress;
  }

  private pullPackets(): void {
    if (!this.canSend()) return;
    const closing = this.connection.state === 'closing';
    while (this.inFlight < this.congestion.packets && !this.stopped) {
      if (this.rates.rate === undefined && this.sendable.hasMoneyToSend()) {
        this.startProbe();
        return;
      }
      if (this.connection.packetLimitReached) {
        this.failWith(new ConnectionError('PACKET_LIMIT', 'sent 2^31 packets; a new connection is needed', ErrorCode.ProtocolViolation));
        return;
      }
      const tooLow = this.rates.belowMinimum();
      if (tooLow) {
        this.failWith(tooLow);
        return;
      }
      const budget = this.maxPacket.budget;
      if (budget === 0n) {
        this.failWith(new ConnectionError('SEND_FAILED', 'the path max packet amount is 0', undefined, 'F08'));
        return;
      }
      const streams = this.sendable.list();
      // Only when the connection's room is used up is it worth asking whether bytes wait on it.
      const blockedAt = this.windows.sendRoom === 0n ? this.windows.blockedAt(streams.some((stream) => stream.outgoing.pendingBytes > 0)) : undefined;
      if (blockedAt !== undefined) this.control.push({ type: FrameType.ConnectionDataBlocked, maxOffset: blockedAt });
      const control = this.control.take();
      const plan = buildPacket({ streams, budget, rate: this.rates.rate, controlFrames: [...this.tracked.handshakeFrames(), ...control], dataRoom: this.windows.sendRoom });
      // While closing, lone control frames wait for the close packet instead of costing a packet each.
      if (!plan || (closing && plan.amount === 0n && plan.segments.length === 0)) {
        this.control.putBack(control);
        return;
      }
      this.windows.addSent(plan.newBytes);
      if (plan.newBytes > 0n) this.blocked.restart();
      this.sendMoneyPacket(plan, control);
    }
  }

  private startProbe(): void {
    if (this.probeRunning) return;
    this.probeRunning = true;
    this.probe().subscribe({
      complete: () => (this.probeRunning = false),
      error: (error: unknown) => this.failWith(toError(error)),
    });
  }

  private sendMoneyPacket(plan: PacketPlan, control: Frame[]): void {
    const minDestination = this.rates.minDestination(plan.amount);
    this.inFlight += 1;
    if (this.rates.deliversNothing(plan.amount)) {
      this.abandon(plan, new ConnectionError('EXCHANGE_RATE', `a packet of ${plan.amount} delivers nothing at the probed rate`));
      return;
    }
    if (plan.amount > 0n) this.connection.addToTotals({ inFlight: plan.amount });
    sendWithRetries(() => this.tracked.send({ amount: plan.amount, frames: plan.frames, fulfillable: true, minDestination }), {
      policy: this.retryPolicy,
      scheduler: this.link.scheduler,
      congestion: this.congestion,
      // Once every order in it was withdrawn (or its streams closed), a retry would pay for a
      // payment nobody wants any more: the temporary reject settles the packet instead.
      cancelled: () => this.stopped || nobodyWants(plan),
      cancel$: this.stopped$,
    }).subscribe({
      next: (outcome) => this.settle(plan, control, outcome, minDestination),
      error: (error: unknown) => this.abandon(plan, toError(error)),
    });
  }

  /** A packet of its own for the blocked probe; its reply carries the peer's current limits. */
  private sendBlockedProbe(frames: Frame[]): void {
    this.inFlight += 1;
    const settled = (): void => {
      this.inFlight -= 1;
      this.wake();
      if (this.stopped && this.inFlight === 0) this.connection.drained();
    };
    this.tracked.send({ amount: 0n, frames, fulfillable: true, minDestination: 0n }).subscribe({ next: settled, error: settled });
  }

  private settle(plan: PacketPlan, control: Frame[], outcome: Outcome, minDestination: bigint): void {
    // Returning money to a stream wakes the sender; hold that until this packet's outcome is
    // decided, so a reject that ends the connection is not followed by one more packet.
    const wasPumping = this.pumping;
    this.pumping = true;
    try {
      this.settleHeld(plan, control, outcome, minDestination);
    } finally {
      this.pumping = wasPumping;
    }
    this.wake();
    if (this.stopped && this.inFlight === 0) this.connection.drained();
  }

  private settleHeld(plan: PacketPlan, control: Frame[], outcome: Outcome, minDestination: bigint): void {
    this.inFlight -= 1;
    if (outcome.fulfilled) {
      settleFulfilled(plan, outcome, this.connection);
      this.failures.reset();
      this.congestion.onFulfill();
      return;
    }
    settleRejected(plan, control, this.connection, this.control);
    if (isTemporary(outcome) && nobodyWants(plan)) return;
    const verdict = judgeUnfulfilled(outcome, { amount: plan.amount, minDestination, attempts: this.retryPolicy.attempts, stopped: this.stopped });
    if (verdict.kind === 'fail') this.failWith(verdict.error);
    else if (verdict.kind === 'count') {
      const error = this.failures.record(verdict.code, verdict.message);
      if (error) this.failWith(error);
    }
  }

  /** The packet never left (it could not be built into a Prepare): its money goes back, the connection fails. */
  private abandon(plan: PacketPlan, error: Error): void {
    this.inFlight -= 1;
    refund(plan, this.connection);
    this.failWith(error);
    if (this.stopped && this.inFlight === 0) this.connection.drained();
  }

  private maybeSendClose(): void {
    if (this.connection.state !== 'closing' || this.inFlight > 0 || this.closer.sent || this.stopped) return;
    if (this.connection.registry.streams.size > 0) return;
    if (!this.connection.hasRemoteAddress) {
      this.connection.finishEnd();
      return;
    }
    this.inFlight += 1;
    this.closer.sendEnd(() => {
      this.inFlight -= 1;
      this.connection.finishEnd();
    });
  }

  private failWith(error: Error): void {
    if (this.stopped) return;
    const code = error instanceof ConnectionError && error.streamErrorCode !== undefined ? error.streamErrorCode : ErrorCode.InternalError;
    this.closer.sendFinal(code as ErrorCode, error.message);
    this.connection.fail(error);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
