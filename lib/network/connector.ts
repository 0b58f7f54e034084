/**
 * The tiny connector in the middle of the test networks: it sits between two ports (the in-memory
 * network's two plugins, or the BTP network's two listeners), carries Prepares between them with
 * the configured latency, answers IL-DCP, routes, enforces the max packet amount, applies the
 * exchange rate by patching the amount bytes, and carries replies back unchanged.
 *
 * A Prepare reaches the connector `latency` ms after it entered and is checked there, in this
 * order: decodable (else F01), not expired (else R00), the `onPrepare` hook, IL-DCP (answered with
 * the sending port's config), routable to the other port (else F02), at most the max packet amount
 * in source units (else F08 with RFC data), the other port reachable (else T01). The reply, from
 * the other port or from the connector, takes another `latency` ms back. So every answer arrives
 * after 2 x latency. The hops are actions on the scheduler, one per millisecond of departures
 * (see `latencyHop`); at latency 0 there is no hop at
 * all: a port that answers synchronously gets its reply synchronously, with no timer, Promise or
 * microtask in between.
 *
 * Replies pass back byte for byte, with two exceptions a real connector also makes: a Fulfill that
 * comes back after the Prepare's expiry becomes R00 (RFC 27 §overview step 10), and, with
 * `verifyFulfillments`, a Fulfill whose SHA-256 is not the condition becomes F05. Expiry costs no
 * timer: a port that never answers leaves the sender waiting, and the sender's own timeout
 * (`sendPrepare`'s R00) covers it. An amount that floors to 0 is delivered as 0, as the reference
 * mock plugin does; inject R01 with `onPrepare` where a test needs a connector that refuses it.
 *
 * @example
 * ```ts
 * const connector = new Connector(resolveOptions({ latency: 10 }));
 * connector.forward(clientPort, serverPort, serializeIlpPrepare(prepare)).subscribe(decode);
 * ```
 */
import { createHash } from 'node:crypto';
import { Observable, type SchedulerLike } from 'rxjs';
import {
  deserializeIlpFulfill,
  deserializeIlpPrepare,
  type IlpPrepare,
  type IlpReject,
  isIldcpRequest,
  rejectF01,
  rejectF02,
  rejectF08,
  rejectR00,
  rejectT00,
  rejectT01,
  ilpReject,
  serializeIlpReject,
  withPrepareAmount,
} from '../ilp';
import { describeError } from '../ilp/describe-error';
import { IlpPacketType } from '../wire/types';
import { runThroughFaults } from './connector-faults';
import { type ConnectorPort, InFlightPrepare, type ReplyListener } from './connector-port';
import type { Direction } from './direction';
import { MemoryNetworkError } from './errors';
import { convertAmount, type ExactRate, invertRate, maxConvertibleAmount } from './exchange-rate';
import { FaultLedger } from './faults/ledger';
import { FaultStage } from './faults/stage';
import type { Fault } from './faults/types';
import { type Hop, latencyHop } from './latency-hop';
import type { PrepareHook, ResolvedOptions } from './options';

/**
 * The connector; see the module notes for the checks and the timing.
 *
 * @example
 * ```ts
 * connector.setMaxPacketAmount(1000n);
 * ```
 */
export class Connector {
  private readonly scheduler: SchedulerLike;
  private readonly triggeredBy: string;
  private readonly verifyFulfillments: boolean;
  private onPrepare: PrepareHook | undefined;
  private maxPacketAmount: bigint;
  private rates!: Record<Direction, ExactRate>;
  private limits!: Record<Direction, bigint>;
  /** Every trip across the wire, Prepare or reply; see `latencyHop`. */
  private readonly hop: Hop;
  private faults: FaultStage | undefined;
  private readonly seed: number;
  /** What the installed faults did, and the money trail while any are installed. */
  readonly faultLedger = new FaultLedger();

  constructor(options: ResolvedOptions) {
    this.scheduler = options.scheduler;
    this.hop = latencyHop(options.scheduler, options.latency);
    this.triggeredBy = options.connectorAddress;
    this.verifyFulfillments = options.verifyFulfillments;
    this.onPrepare = options.onPrepare;
    this.maxPacketAmount = options.maxPacketAmount;
    this.seed = options.seed;
    this.setRate(options.rate);
    this.setFaults(options.faults);
  }

  /**
   * Replaces the faults (none: the plain path). Their schedules and the seeded source start over
   * from this call; the ledger keeps counting.
   */
  setFaults(faults: readonly Fault[]): void {
    this.faults =
      faults.length === 0
        ? undefined
        : new FaultStage(faults, { scheduler: this.scheduler, seed: this.seed, ledger: this.faultLedger, triggeredBy: this.triggeredBy });
  }

  /** Replaces the client-to-server rate (and its inverse). */
  setRate(rate: ExactRate): void {
    this.rates = { clientToServer: rate, serverToClient: invertRate(rate) };
    this.updateLimits();
  }

  /** Replaces the max packet amount (2^64-1 for none). */
  setMaxPacketAmount(amount: bigint): void {
    this.maxPacketAmount = amount;
    this.updateLimits();
  }

  /** Replaces the fault-injection hook. */
  setOnPrepare(hook: PrepareHook | undefined): void {
    this.onPrepare = hook;
  }

  /**
   * Carries `bytes` from `from` toward `to`; emits the reply as `from` receives it, then
   * completes. Subscribing sends; unsubscribing only stops listening, since a Prepare on the wire
   * cannot be recalled: it still arrives, is answered and is counted.
   */
  forward(from: ConnectorPort, to: ConnectorPort, bytes: Buffer): Observable<Buffer> {
    return new Observable<Buffer>((subscriber) => this.enter(from, to, bytes, subscriber));
  }

  /**
   * {@link forward} for a listener that already exists (a plugin's own subscriber, or a promise's
   * callbacks), saving a layer on the hot path. Returns the teardown that stops it listening.
   */
  enter(from: ConnectorPort, to: ConnectorPort, bytes: Buffer, listener: ReplyListener): () => void {
    const packet = new InFlightPrepare(from, to, bytes, listener);
    from.inFlight.add(packet);
    this.hop(() => this.arrive(packet));
    return () => {
      packet.listener = undefined;
      packet.cancel?.();
    };
  }

  /** Fails every Prepare `port` is still waiting on, as a real plugin does when its link drops. */
  abandon(port: ConnectorPort): void {
    const waiting = [...port.inFlight];
    port.inFlight.clear();
    for (const packet of waiting) {
      const listener = packet.listener;
      packet.listener = undefined;
      listener?.error(new MemoryNetworkError('DISCONNECTED', `the ${port.name} plugin disconnected before the reply arrived`));
    }
  }

  private updateLimits(): void {
    const limit = (direction: Direction): bigint => {
      const convertible = maxConvertibleAmount(this.rates[direction]);
      return convertible < this.maxPacketAmount ? convertible : this.maxPacketAmount;
    };
    this.limits = { clientToServer: limit('clientToServer'), serverToClient: limit('serverToClient') };
  }

  private arrive(packet: InFlightPrepare): void {
    try {
      this.route(packet);
    } catch (error) {
      this.answer(packet, serializeIlpReject(rejectT00(`the connector failed: ${describeError(error)}`, this.triggeredBy)));
    }
  }

  private route(packet: InFlightPrepare): void {
    const { from, to } = packet;
    let prepare: IlpPrepare;
    try {
      prepare = deserializeIlpPrepare(packet.bytes);
    } catch (error) {
      return this.reject(packet, rejectF01(`not a valid ILP Prepare: ${describeError(error)}`, this.triggeredBy));
    }
    const ildcp = isIldcpRequest(prepare);
    if (ildcp) from.stats.ildcp += 1;
    else {
      packet.counted = true;
      from.stats.prepares += 1;
    }
    packet.expiresAtMs = prepare.expiresAt.getTime();
    if (packet.expiresAtMs < this.scheduler.now()) {
      return this.reject(packet, rejectR00(`expired at ${prepare.expiresAt.toISOString()} before it arrived`, this.triggeredBy));
    }
    const injected = this.injectedReject(prepare, from.direction);
    if (injected) return this.answer(packet, injected);
    if (ildcp) return this.answer(packet, Buffer.from(from.ildcpReply));

    const destination = to.config.address;
    if (prepare.destination !== destination && !prepare.destination.startsWith(`${destination}.`)) {
      return this.reject(packet, rejectF02(`no route to ${prepare.destination}`, this.triggeredBy));
    }
    const limit = this.limits[from.direction];
    if (prepare.amount > limit) return this.reject(packet, rejectF08(prepare.amount, limit, this.triggeredBy));
    const unreachable = to.unreachable();
    if (unreachable !== undefined) return this.reject(packet, rejectT01(`${destination} ${unreachable}`, this.triggeredBy));

    packet.sourceAmount = prepare.amount;
    packet.destinationAmount = convertAmount(prepare.amount, this.rates[from.direction]);
    packet.condition = prepare.executionCondition;
    if (this.faults) {
      return runThroughFaults(this.faults, packet, { ...prepare, amount: packet.destinationAmount }, this.triggeredBy, {
        reply: (reply) => this.returnReply(packet, reply),
        fail: (error) => this.fail(packet, error),
      });
    }
    const forwarded =
      packet.destinationAmount === prepare.amount ? packet.bytes : withPrepareAmount(packet.bytes, packet.destinationAmount);
    from.stats.delivered += 1;
    this.deliver(packet, forwarded);
  }

  private injectedReject(prepare: IlpPrepare, direction: Direction): Buffer | undefined {
    if (this.onPrepare === undefined) return undefined;
    let injected: IlpReject | undefined;
    try {
      injected = this.onPrepare(prepare, direction);
      return injected === undefined ? undefined : serializeIlpReject(injected);
    } catch (error) {
      const what = injected === undefined ? 'onPrepare threw' : 'onPrepare returned an invalid reject';
      return serializeIlpReject(rejectT00(`${what}: ${describeError(error)}`, this.triggeredBy));
    }
  }

  private deliver(packet: InFlightPrepare, forwarded: Buffer): void {
    const side = packet.to.name;
    let settled = false;
    const failed = (why: string): void => {
      if (settled) return;
      settled = true;
      this.reject(packet, rejectT00(why, this.triggeredBy));
    };
    // The first value is the answer; a port that keeps going after it is left to run down: a
    // reply cannot be taken back.
    const listener: ReplyListener = {
      next: (reply) => {
        if (settled) return;
        settled = true;
        try {
          this.returnReply(packet, reply);
        } catch (error) {
          this.reject(packet, rejectT00(`the connector failed: ${describeError(error)}`, this.triggeredBy));
        }
      },
      error: (error: unknown) => failed(`the ${side}'s data handler failed: ${describeError(error)}`),
      complete: () => failed(`the ${side}'s data handler completed without a reply`),
    };
    try {
      packet.to.deliver(forwarded, listener);
    } catch (error) {
      failed(`the ${side}'s data handler threw: ${describeError(error)}`);
    }
  }

  private returnReply(packet: InFlightPrepare, reply: unknown): void {
    if (!Buffer.isBuffer(reply)) {
      return this.reject(packet, rejectT00(`the ${packet.to.name}'s data handler answered with a non-Buffer`, this.triggeredBy));
    }
    if (reply[0] === IlpPacketType.Fulfill) {
      if (this.scheduler.now() > packet.expiresAtMs) {
        return this.reject(packet, rejectR00('fulfilled after the Prepare expired', this.triggeredBy));
      }
      if (this.verifyFulfillments && !this.fulfills(reply, packet.condition)) {
        return this.reject(packet, ilpReject('F05', 'fulfillment does not match the condition', undefined, this.triggeredBy));
      }
    }
    this.answer(packet, reply);
  }

  private fulfills(reply: Buffer, condition: Buffer | undefined): boolean {
    try {
      const { fulfillment } = deserializeIlpFulfill(reply);
      return condition !== undefined && createHash('sha256').update(fulfillment).digest().equals(condition);
    } catch {
      // Garbage passes through unchanged; the sender's own decoding turns it into F01.
      return true;
    }
  }

  /** A fault failed the link under `packet`: its sender's send fails, as a plugin's would. */
  private fail(packet: InFlightPrepare, error: unknown): void {
    if (packet.reply !== undefined || !packet.from.inFlight.delete(packet)) return;
    const listener = packet.listener;
    packet.listener = undefined;
    listener?.error(error);
  }

  private reject(packet: InFlightPrepare, reject: IlpReject): void {
    this.answer(packet, serializeIlpReject(reject));
  }

  private answer(packet: InFlightPrepare, reply: Buffer): void {
    // Answered once: a port that throws after answering synchronously must not answer twice.
    if (packet.reply !== undefined) return;
    packet.reply = reply;
    this.hop(() => this.settle(packet));
  }

  private settle(packet: InFlightPrepare): void {
    const { from, reply } = packet;
    // Gone means the sender disconnected meanwhile and was already told so.
    if (!from.inFlight.delete(packet) || reply === undefined) return;
    if (packet.counted) {
      if (reply[0] === IlpPacketType.Fulfill) {
        from.stats.fulfilled += 1;
        from.stats.sourceAmountFulfilled += packet.sourceAmount;
        from.stats.destinationAmountFulfilled += packet.destinationAmount;
      } else {
        from.stats.rejected += 1;
      }
    }
    const listener = packet.listener;
    packet.listener = undefined;
    if (listener) packet.seen?.(reply[0] as IlpPacketType);
    listener?.next(reply);
    listener?.complete();
  }
}
