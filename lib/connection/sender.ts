/**
 * The send loop of a connection: a pull loop that asks the packet builder for the next packet
 * whenever a packet settles or new money is queued, keeping as many packets in flight as the
 * congestion window allows (DESIGN §4). One controller per concern: the congestion window
 * (controllers/congestion-window.ts), the max packet amount (controllers/max-packet-amount.ts), the rate
 * bounds (controllers/rate-bounds.ts) and per-packet retries (../operators/retry-policy.ts); the loop itself
 * settles money exactly and decides when the path is hopeless.
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
import { Observable, Subject, type Subscription, defer, map, of, shareReplay, tap, timeout, timer } from 'rxjs';
import { ErrorCode, FrameType, IlpPacketType, type Frame } from '../wire/types';
import { ConnectionError } from '../errors';
import type { StreamRegistry } from './stream-registry';
import { buildPacket, type PacketPlan } from './packet-builder';
import { type Ratio, compareRatios, multiplyFloor, ratioToNumber } from './ratio';
import { DEFAULT_PROBE_AMOUNTS, f08ExactMaxInSource, probeRate } from './rate-probe';
import { CongestionWindow } from './controllers/congestion-window';
import { MaxPacketAmount } from './controllers/max-packet-amount';
import { RateBounds } from './controllers/rate-bounds';
import { type RetryPolicy, retryTemporary } from '../operators/retry-policy';
import { type Quote, computeQuote } from './controllers/quote';
import type { DataWindows } from './data-windows';
import type { DataAndMoneyStream } from '../stream/stream';
import { type Link, type Outcome, transmit } from './transmit';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from './types';

/**
 * Tunables of the send loop; `createConnection` documents the defaults.
 *
 * @example
 * ```ts
 * // resolveConnectionOptions fills them in (ResolvedTuning extends SenderSettings):
 * const settings: SenderSettings = resolveConnectionOptions({ slippage: 0.005 });
 * settings.slippage; // { numerator: 5n, denominator: 1000n }
 * settings.expiryMs; // 30_000, the packetExpiryMs default
 * ```
 */
export interface SenderSettings {
  /** How far below the probed rate a packet may still be accepted (e.g. 1/100). */
  readonly slippage: Ratio;
  /** If set, the least rate accepted (overrides slippage); a lower probed rate fails the connect. */
  readonly minExchangeRate: Ratio | undefined;
  /** The most source units one packet may carry, before the path says otherwise. */
  readonly maxPacketAmount: bigint;
  /** The most packets in flight; the congestion window grows up to it. */
  readonly window: number;
  /** Packets in flight before the first reply. */
  readonly initialWindow: number;
  /** Milliseconds until a Prepare expires. */
  readonly expiryMs: number;
  /** First backoff after a temporary (T) error. */
  readonly retryBaseDelayMs: number;
  /** Each further backoff is this many times longer. */
  readonly retryFactor: number;
  /** Longest backoff. */
  readonly retryMaxDelayMs: number;
  /** How many times one packet is sent at most after temporary errors. */
  readonly retryAttempts: number;
  /** Consecutive packets that end rejected (other than F08) before the connection gives up. */
  readonly maxConsecutiveFailures: number;
}

/**
 * What the sender needs from the connection it sends for.
 *
 * @example
 * ```ts
 * // The connection passes itself as the host (in its constructor):
 * this.sender = new ConnectionSender(this, link, params, this.data);
 * // a fulfilled packet of 1,000 that delivered 500 then comes back as
 * host.addToTotals({ sent: 1000n, delivered: 500n, inFlight: -1000n });
 * ```
 */
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
 * How long `end()` waits for the reply to its ConnectionClose before closing anyway.
 *
 * @example
 * ```ts
 * // A peer may drop the close; the wait ends after 1 s, or at packet expiry if that is sooner:
 * transmit(link, close).pipe(
 *   timeout({ first: Math.min(CLOSE_REPLY_WAIT_MS, settings.expiryMs), with: () => of(undefined), scheduler: link.scheduler }),
 * );
 * ```
 */
export const CLOSE_REPLY_WAIT_MS = 1_000;

/**
 * While bytes wait on the peer's data limit and nothing is in flight, the sender asks again with
 * StreamDataBlocked after this long, doubling up to {@link BLOCKED_PROBE_MAX_MS}: a peer that only
 * reports its window in replies (ilp-protocol-stream with a flowing reader) would otherwise never
 * tell us it has room.
 *
 * @example
 * ```ts
 * // Waits between blocked probes: 5, 10, 20, 40, 80, 160, 320, 640, 1_000, 1_000, ... ms;
 * // a packet that carries new bytes starts the sequence again at BLOCKED_PROBE_FIRST_MS.
 * ```
 */
export const BLOCKED_PROBE_FIRST_MS = 5;
/**
 * The longest wait between two blocked probes.
 *
 * @example
 * ```ts
 * this.blockedProbeDelay = Math.min(delay * 2, BLOCKED_PROBE_MAX_MS); // after 640 ms comes 1_000, not 1_280
 * ```
 */
export const BLOCKED_PROBE_MAX_MS = 1_000;

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
  private control: Frame[] = [];
  private inFlight = 0;
  private pumping = false;
  private wakeAgain = false;
  private stopped = false;
  private readonly stopped$ = new Subject<void>();
  private remoteKnowsUs: boolean;
  private readonly congestion: CongestionWindow;
  private readonly maxPacket: MaxPacketAmount;
  private readonly bounds = new RateBounds();
  private readonly retryPolicy: RetryPolicy;
  private rate: Ratio | undefined;
  private minimum: Ratio | undefined;
  private probing: Observable<ExchangeRate> | undefined;
  private failures = 0;
  private closeSent = false;
  private probeRunning = false;
  private blockedProbe: Subscription | undefined;
  private blockedProbeDelay = BLOCKED_PROBE_FIRST_MS;
  private reportedStreamIdLimit: bigint | undefined;

  constructor(
    private readonly connection: SenderHost,
    private readonly link: Link,
    private readonly settings: SenderSettings,
    private readonly windows: DataWindows,
  ) {
    this.remoteKnowsUs = connection.registry.isServer;
    this.maxPacket = new MaxPacketAmount(settings.maxPacketAmount);
    this.congestion = new CongestionWindow({ initial: settings.initialWindow, max: settings.window });
    this.retryPolicy = {
      baseDelayMs: settings.retryBaseDelayMs,
      factor: settings.retryFactor,
      maxDelayMs: settings.retryMaxDelayMs,
      attempts: settings.retryAttempts,
    };
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
    if (this.connection.registry.maxStreamIdChanged) {
      this.connection.registry.maxStreamIdChanged = false;
      this.control.push({ type: FrameType.ConnectionMaxStreamId, maxStreamId: this.connection.registry.localMaxStreamId });
    }
    const frames = this.control;
    this.control = [];
    return frames;
  }

  /**
   * Probes the path (client handshake, or before a server's first money); emits the rate. Shared:
   * the handshake, a quote and the send loop may all wait for the same probe.
   */
  probe(): Observable<ExchangeRate> {
    this.probing ??= probeRate((amount) => this.sendTracked({ amount, frames: this.handshakeFrames(), fulfillable: false, minDestination: 0n }), {
      amounts: DEFAULT_PROBE_AMOUNTS,
      maxPacketAmount: this.maxPacket.budget,
      rounds: PROBE_ROUNDS,
      retryDelayMs: this.settings.retryBaseDelayMs,
      scheduler: this.link.scheduler,
    }).pipe(
      map(({ rate }) => {
        if (this.stopped) throw new ConnectionError('CONNECT_FAILED', 'the connection closed during the handshake');
        if (rate.numerator === 0n) {
          throw new ConnectionError('EXCHANGE_RATE', `the largest probe (${rate.denominator}) delivered nothing: the path rate is too small to pay`);
        }
        const { minExchangeRate } = this.settings;
        if (minExchangeRate && compareRatios(rate, minExchangeRate) < 0) {
          throw new ConnectionError('EXCHANGE_RATE', `the path rate ${ratioToNumber(rate)} is below minExchangeRate ${ratioToNumber(minExchangeRate)}`);
        }
        this.rate = rate;
        this.minimum = minExchangeRate ?? multiply(rate, complement(this.settings.slippage));
        const exchangeRate = this.publishRate();
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
    return this.probe().pipe(map((rate) => computeQuote(sourceAmount, this.maxPacket.budget, this.currentRate() ?? rate)));
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
    this.maybeProbeBlocked();
    this.maybeSendClose();
  }

  /** Streams whose new bytes wait on the peer's limits (not on the congestion window). */
  private dataBlockedStreams(): DataAndMoneyStream[] {
    const connectionFull = this.windows.sendRoom === 0n;
    return this.sendableStreams().filter(
      (stream) => stream.state !== 'closed' && stream.outgoing.waitsOnPeer(connectionFull),
    );
  }

  /** Schedules a blocked probe if bytes wait on the peer and no reply is coming that could lift it. */
  private maybeProbeBlocked(): void {
    if (this.stopped || this.inFlight > 0 || this.blockedProbe) return;
    const state = this.connection.state;
    if ((state !== 'open' && state !== 'closing') || !this.connection.hasRemoteAddress) return;
    if (this.dataBlockedStreams().length === 0) return;
    const delay = this.blockedProbeDelay;
    this.blockedProbeDelay = Math.min(delay * 2, BLOCKED_PROBE_MAX_MS);
    this.blockedProbe = timer(delay, this.link.scheduler).subscribe(() => {
      this.blockedProbe = undefined;
      this.sendBlockedProbe();
    });
  }

  /** A packet of its own saying where we are blocked; the peer's reply carries its current limits. */
  private sendBlockedProbe(): void {
    if (this.stopped || this.inFlight > 0) return;
    const streams = this.dataBlockedStreams();
    if (streams.length === 0) return;
    const frames: Frame[] = streams.map((stream) => ({ type: FrameType.StreamDataBlocked, streamId: stream.id, maxOffset: stream.outgoing.remoteMaxOffset }));
    if (this.windows.sendRoom === 0n) frames.push({ type: FrameType.ConnectionDataBlocked, maxOffset: this.windows.remoteLimitValue });
    this.inFlight += 1;
    const settled = (): void => {
      this.inFlight -= 1;
      this.wake();
      if (this.stopped && this.inFlight === 0) this.connection.drained();
    };
    this.sendTracked({ amount: 0n, frames, fulfillable: true, minDestination: 0n }).subscribe({ next: settled, error: settled });
  }

  private pullPackets(): void {
    const state = this.connection.state;
    if (state !== 'open' && state !== 'closing') return;
    if (!this.connection.hasRemoteAddress) return;
    while (this.inFlight < this.congestion.packets && !this.stopped) {
      if (this.rate === undefined && this.hasMoneyToSend()) {
        this.startProbe();
        return;
      }
      if (this.connection.packetLimitReached) {
        this.failWith(new ConnectionError('PACKET_LIMIT', 'sent 2^31 packets; a new connection is needed', ErrorCode.ProtocolViolation));
        return;
      }
      if (this.rateBelowMinimum()) return;
      const budget = this.maxPacket.budget;
      if (budget === 0n) {
        this.failWith(new ConnectionError('SEND_FAILED', 'the path max packet amount is 0', undefined, 'F08'));
        return;
      }
      const streams = this.sendableStreams();
      // Only when the connection's room is used up is it worth asking whether bytes wait on it.
      const blockedAt = this.windows.sendRoom === 0n ? this.windows.blockedAt(streams.some((stream) => stream.outgoing.pendingBytes > 0)) : undefined;
      if (blockedAt !== undefined) this.control.push({ type: FrameType.ConnectionDataBlocked, maxOffset: blockedAt });
      const control = this.takeControlFrames();
      const plan = buildPacket({ streams, budget, rate: this.rate, controlFrames: [...this.handshakeFrames(), ...control], dataRoom: this.windows.sendRoom });
      // While closing, lone control frames wait for the close packet instead of costing a packet each.
      if (!plan || (state === 'closing' && plan.amount === 0n && plan.segments.length === 0)) {
        this.control = control.concat(this.control);
        return;
      }
      this.windows.addSent(plan.newBytes);
      if (plan.newBytes > 0n) this.blockedProbeDelay = BLOCKED_PROBE_FIRST_MS;
      this.sendMoneyPacket(plan, control);
    }
  }

  /** Sends ConnectionClose without waiting for the outcome (destroy, or a violation we detected). */
  sendFinalClose(code: ErrorCode, message: string): void {
    if (this.closeSent || !this.connection.hasRemoteAddress) return;
    this.closeSent = true;
    const frames = this.closeFrames(code, message);
    // The outcome does not matter: we are closing either way. Errors are swallowed, never unhandled,
    // and the wait is capped like end()'s, so a peer that never answers keeps no timer alive.
    transmit(this.link, { amount: 0n, frames, fulfillable: false, minDestination: 0n })
      .pipe(timeout({ first: Math.min(CLOSE_REPLY_WAIT_MS, this.settings.expiryMs), with: () => of(undefined), scheduler: this.link.scheduler }))
      .subscribe({ error: () => undefined });
  }

  /**
   * Stops sending. Packets already on the wire still settle, so money the peer received is
   * counted as delivered even when the connection closed meanwhile (exact accounting, DESIGN §4);
   * packets waiting to be retried settle at once as rejected.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.blockedProbe?.unsubscribe();
    this.blockedProbe = undefined;
    this.stopped$.next();
    this.stopped$.complete();
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

  /**
   * Sends a packet; every authentic reply (to a probe, a money packet or a retry) applies its
   * frames, narrows the rate bounds and tells the max packet amount what got through.
   */
  private sendTracked(transmission: Parameters<typeof transmit>[1]): Observable<Outcome> {
    return transmit(this.link, transmission).pipe(
      tap((outcome) => {
        const { reply, replyPacket } = outcome;
        const exactMax = f08ExactMaxInSource(transmission.amount, outcome);
        if (reply.type === IlpPacketType.Reject && reply.code === 'F08') this.maxPacket.onTooLarge(transmission.amount, exactMax);
        if (!replyPacket) return;
        this.remoteKnowsUs = true;
        this.connection.touch();
        if (transmission.amount > 0n) {
          this.maxPacket.onDelivered(transmission.amount);
          // A fulfilling receiver accepted at least our minimum, whatever it claims (E28): one
          // lying reply must not drag the rate bounds below what the packet certainly delivered.
          const claimed = replyPacket.prepareAmount;
          const arrived = outcome.fulfilled && claimed < transmission.minDestination ? transmission.minDestination : claimed;
          if (this.bounds.observe(transmission.amount, arrived) && this.rate) {
            this.rate = this.clampedRate(this.rate);
            this.publishRate();
          }
        }
        this.connection.applyReplyFrames(replyPacket.frames);
      }),
    );
  }

  private sendMoneyPacket(plan: PacketPlan, control: Frame[]): void {
    const minimum = this.minimum;
    const minDestination = minimum ? multiplyFloor(plan.amount, minimum) : 0n;
    if (plan.amount > 0n && this.rate && multiplyFloor(plan.amount, this.rate) === 0n) {
      // At this rate the packet would deliver nothing: the money would only feed the connectors.
      this.inFlight += 1;
      this.abandon(plan, new ConnectionError('EXCHANGE_RATE', `a packet of ${plan.amount} delivers nothing at the probed rate`));
      return;
    }
    this.inFlight += 1;
    if (plan.amount > 0n) this.connection.addToTotals({ inFlight: plan.amount });
    let epoch = this.congestion.epoch;
    // Each attempt (the first and every retry) notes the window's epoch when it leaves.
    defer(() => {
      epoch = this.congestion.epoch;
      return this.sendTracked({ amount: plan.amount, frames: plan.frames, fulfillable: true, minDestination });
    })
      .pipe(
        retryTemporary(this.retryPolicy, this.link.scheduler, {
          isTemporary: (outcome) => isTemporary(outcome),
          onTemporary: (outcome) => {
            if (outcome.reply.type === IlpPacketType.Reject && signalsCongestion(outcome.reply.code)) this.congestion.onCongestion(epoch);
          },
          // Once every order in it was withdrawn (or its streams closed), a retry would pay for a
          // payment nobody wants any more: the temporary reject settles the packet instead.
          cancelled: () => this.stopped || nobodyWants(plan),
          cancel$: this.stopped$,
        }),
      )
      .subscribe({
        next: (outcome) => this.settle(plan, control, outcome, minDestination),
        error: (error: unknown) => this.abandon(plan, toError(error)),
      });
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
      // The receiver reports what arrived; it accepted at least our minimum (E28).
      const claimed = outcome.replyPacket?.prepareAmount ?? 0n;
      const delivered = claimed > outcome.packet.prepareAmount ? claimed : outcome.packet.prepareAmount;
      const shares = splitDelivered(delivered, plan);
      // Totals first: settling a stream can re-enter the sender and send the next packet.
      this.connection.addToTotals({ sent: plan.amount, delivered, inFlight: -plan.amount });
      plan.allocations.forEach(({ stream, allocation }, i) => stream.settleMoney(allocation, true, shares[i] ?? 0n));
      for (const { stream, segment } of plan.segments) stream.settleData(segment, true);
      this.failures = 0;
      this.congestion.onFulfill();
    } else {
      if (plan.amount > 0n) this.connection.addToTotals({ inFlight: -plan.amount });
      for (const { stream, allocation } of plan.allocations) stream.settleMoney(allocation, false, 0n);
      // A Reject NACKs every frame (29-3.6-a): bytes are sent again as they were, control frames go back in the queue.
      for (const { stream, segment } of plan.segments) stream.settleData(segment, false);
      this.control.push(...control.filter((f) => f.type === FrameType.StreamClose || f.type === FrameType.ConnectionMaxStreamId));
      for (const frame of plan.frames) if (frame.type === FrameType.StreamMaxMoney) this.connection.registry.streams.get(frame.streamId)?.readvertiseReceiveMax();
      if (isTemporary(outcome) && nobodyWants(plan)) return;
      this.onReject(outcome, plan.amount, minDestination);
    }
  }

  /** The packet never left (it could not be built into a Prepare): its money goes back, the connection fails. */
  private abandon(plan: PacketPlan, error: Error): void {
    this.inFlight -= 1;
    if (plan.amount > 0n) this.connection.addToTotals({ inFlight: -plan.amount });
    for (const { stream, allocation } of plan.allocations) stream.settleMoney(allocation, false, 0n);
    for (const { stream, segment } of plan.segments) stream.settleData(segment, false);
    this.failWith(error);
    if (this.stopped && this.inFlight === 0) this.connection.drained();
  }

  private onReject(outcome: Outcome, amount: bigint, minDestination: bigint): void {
    if (this.stopped || outcome.reply.type !== IlpPacketType.Reject) {
      if (outcome.reply.type === IlpPacketType.Fulfill) this.countFailure('F05', 'the fulfillment does not match the condition');
      return;
    }
    const { code, message } = outcome.reply;
    if (code === 'F08') {
      // The max packet amount already learned from it (sendTracked); the money goes out again smaller.
      return;
    }
    if (code === 'F99' && outcome.replyPacket) {
      const arrived = outcome.replyPacket.prepareAmount;
      if (amount > 0n && arrived < minDestination) {
        this.rateFellBelowMinimum(amount, arrived, minDestination);
        return;
      }
      // The receiver refused with its reasons in the reply frames, already applied; bounded.
      this.countFailure(code, message);
      return;
    }
    if (isTemporary(outcome)) {
      this.failWith(new ConnectionError('SEND_FAILED', `a packet failed ${this.retryPolicy.attempts} times; last ${code} ${message}`.trim(), undefined, code));
      return;
    }
    if (code === 'F99') {
      this.countFailure(code, message);
      return;
    }
    this.failWith(new ConnectionError('SEND_FAILED', `packet rejected with ${code} ${message}`.trim(), undefined, code));
  }

  private rateFellBelowMinimum(amount: bigint, arrived: bigint, minDestination: bigint): void {
    this.failWith(
      new ConnectionError('EXCHANGE_RATE', `the exchange rate fell below the minimum: ${amount} arrived as ${arrived}, the least accepted is ${minDestination}`),
    );
  }

  /** True (and the connection failed) if the tracked rate is certainly below the minimum. */
  private rateBelowMinimum(): boolean {
    const interval = this.bounds.current;
    if (!interval || !this.minimum || compareRatios(interval.upper, this.minimum) > 0) return false;
    this.failWith(new ConnectionError('EXCHANGE_RATE', `the exchange rate is below ${ratioToNumber(interval.upper)}, under the minimum ${ratioToNumber(this.minimum)}`));
    return true;
  }

  private countFailure(code: string, message: string): void {
    this.failures += 1;
    if (this.failures >= this.settings.maxConsecutiveFailures) {
      this.failWith(new ConnectionError('SEND_FAILED', `${this.failures} packets in a row failed; last ${code} ${message}`.trim(), undefined, code));
    }
  }

  /** The exchange rate with the current bounds, published on the connection. */
  private publishRate(): ExchangeRate {
    const exchangeRate = this.currentRate();
    if (!exchangeRate) throw new Error('publishRate before the probe');
    this.connection.setExchangeRate(exchangeRate);
    return exchangeRate;
  }

  /**
   * The rate kept inside the tracked bounds: once replies pin the rate more precisely than the
   * probe did (or the rate moved), the lower bound is the best estimate that never overstates.
   */
  private clampedRate(rate: Ratio): Ratio {
    const interval = this.bounds.current;
    if (!interval) return rate;
    if (compareRatios(rate, interval.lower) < 0 || compareRatios(rate, interval.upper) >= 0) return interval.lower;
    return rate;
  }

  private currentRate(): ExchangeRate | undefined {
    const { rate, minimum } = this;
    if (!rate || !minimum) return undefined;
    const interval = this.bounds.current;
    return {
      rate,
      minimum,
      lowerBound: interval?.lower ?? rate,
      upperBound: interval?.upper ?? { numerator: rate.numerator + 1n, denominator: rate.denominator },
      value: ratioToNumber(rate),
    };
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

/** T-family rejects, R00 and expiry are worth another attempt of the same packet (RFC 27 §T, §R). */
function isTemporary(outcome: Outcome): boolean {
  if (outcome.reply.type !== IlpPacketType.Reject) return false;
  const { code } = outcome.reply;
  return code.startsWith('T') || code === 'R00';
}

/** Rejects that say the path is crowded: a connector short of liquidity, or a packet that expired. */
function signalsCongestion(code: string): boolean {
  return code === 'T04' || code === 'R00';
}

function multiply(a: Ratio, b: Ratio): Ratio {
  return { numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator };
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

/**
 * True when a packet carries only money, and every order that money came from was withdrawn (its
 * subscriber left) or its stream closed: retrying it would deliver money the application gave up.
 */
function nobodyWants(plan: PacketPlan): boolean {
  if (plan.segments.length > 0 || plan.allocations.length === 0) return false;
  return plan.allocations.every(({ stream, allocation }) => stream.state === 'closed' || allocation.parts.every(([order]) => order.withdrawn));
}
