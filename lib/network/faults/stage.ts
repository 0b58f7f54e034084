/**
 * The fault stage: a list of faults composed around "deliver to the receiver", run per Prepare
 * with its own context, and the money trail every installation records whatever its faults are:
 * each Fulfill the receiver gives (`fulfilledAtReceiver`, `fulfilledTwice`) and each Fulfill the
 * sender gets back (`fulfillSeen`, `corruptFulfillSeen`). The connector and `withFaults` both
 * run one.
 *
 * @example
 * ```ts
 * const stage = new FaultStage([dropPrepare({ every: 2 })], { scheduler, seed: 1, ledger, triggeredBy: 'test.memory' });
 * const run = stage.send(prepare, 'clientToServer', (p) => receiverPort.answer(p)); // any Prepare -> Observable of its reply
 * run.reply$.subscribe((reply) => run.seen(reply.type));
 * ```
 */
import { AsyncSubject, defer, type Observable, type SchedulerLike } from 'rxjs';
import type { IlpPrepare, IlpReply } from '../../ilp';
import { IlpPacketType } from '../../wire/types';
import type { FaultDirection } from './direction';
import type { FaultLedger } from './ledger';
import { type RandomSource, seededRandom } from './random';
import { recordFault } from './when';
import type { Fault, FaultContext, Forward, PacketTrace } from './types';

/**
 * Composes faults into one: the first in the list is the outermost (it sees each Prepare first
 * and its reply last), like a pipeline read left to right.
 *
 * @param faults - the faults, outermost first
 * @returns a fault that applies them all; with none, the identity
 *
 * @example
 * ```ts
 * const flaky = composeFaults(jitter({ max: 20 }), dropReply({ probability: 0.05 }));
 * createPluginPair({ faults: [flaky], seed: 7, scheduler });
 * ```
 */
export function composeFaults(...faults: Fault[]): Fault {
  const composed: Fault = Object.assign((next: Forward) => faults.reduceRight<Forward>((inner, fault) => fault(inner), next), {
    linkDown: (elapsed: number) => faults.some((fault) => fault.linkDown?.(elapsed) === true),
  });
  return composed;
}

/** Options of a {@link FaultStage}. */
export interface FaultStageOptions {
  /** Clock and timer for the faults. */
  scheduler: SchedulerLike;
  /** Seed of the random source every fault draws from. */
  seed: number;
  /** Where the faults and the money trail are recorded. */
  ledger: FaultLedger;
  /** `triggeredBy` of the rejects faults create. */
  triggeredBy: string;
}

/** One Prepare's run through the stage. */
export interface FaultRun {
  /** The reply as the faults let it through; see {@link Forward} for completion and errors. */
  readonly reply$: Observable<IlpReply>;
  /** Call with the reply's type when the sender actually receives it, to record a seen Fulfill. */
  seen(type: IlpPacketType): void;
}

interface StageContext extends FaultContext {
  readonly deliver: (prepare: IlpPrepare) => Observable<IlpReply>;
  fulfills: number;
  arrivedAmount: bigint;
  arrivedPrepare: IlpPrepare | undefined;
}

/**
 * Delivers a copy to the receiver. The delivery is subscribed at once and never cancelled: a
 * Prepare on the wire cannot be recalled, so its Fulfill is recorded even if nobody waits for it.
 */
const deliverToReceiver: Forward = (prepare, ctx) =>
  defer(() => {
    const state = ctx as StageContext;
    const reply = new AsyncSubject<IlpReply>();
    let answered = false;
    state.deliver(prepare).subscribe({
      next: (value) => {
        if (answered) return;
        answered = true;
        if (value.type === IlpPacketType.Fulfill) {
          state.fulfills += 1;
          state.arrivedAmount = prepare.amount;
          state.arrivedPrepare = prepare;
          recordFault(ctx, 'fulfilledAtReceiver', prepare.amount);
          if (state.fulfills > 1) recordFault(ctx, 'fulfilledTwice', prepare.amount);
        }
        reply.next(value);
        reply.complete();
      },
      error: (error: unknown) => {
        if (answered) return;
        answered = true;
        reply.error(error);
      },
      complete: () => {
        if (answered) return;
        answered = true;
        reply.complete();
      },
    });
    return reply;
  });

/**
 * Faults installed in one place (a network's connector or a `withFaults` wrapper), with their
 * seeded random source and their ledger.
 *
 * @example
 * ```ts
 * const stage = new FaultStage(faults, { scheduler, seed, ledger, triggeredBy: '' });
 * stage.linkDown(); // true while a `disconnect` window is open
 * ```
 */
export class FaultStage {
  /** The seeded source all the faults draw from. */
  readonly random: RandomSource;
  private readonly startedAt: number;
  private readonly fault: Fault;
  private readonly chain: Forward;
  private packets = 0;

  constructor(
    faults: readonly Fault[],
    private readonly options: FaultStageOptions,
  ) {
    this.random = seededRandom(options.seed);
    this.startedAt = options.scheduler.now();
    this.fault = composeFaults(...faults);
    this.chain = this.fault(deliverToReceiver);
  }

  /** Milliseconds since the stage was created, on its scheduler. */
  elapsed(): number {
    return this.options.scheduler.now() - this.startedAt;
  }

  /** True while a link fault (`disconnect`) holds the link down. */
  linkDown(): boolean {
    return this.fault.linkDown?.(this.elapsed()) === true;
  }

  /**
   * Runs `prepare` through the faults; `deliver` hands a copy to the receiver and is called once
   * per copy (a duplicating fault calls it twice). Nothing happens until `reply$` is subscribed.
   */
  send(prepare: IlpPrepare, direction: FaultDirection, deliver: (prepare: IlpPrepare) => Observable<IlpReply>): FaultRun {
    const { scheduler, ledger, triggeredBy } = this.options;
    this.packets += 1;
    const packet: PacketTrace = { id: this.packets, corrupted: false };
    const ctx: StageContext = {
      direction,
      scheduler,
      random: this.random,
      ledger,
      triggeredBy,
      packet,
      elapsed: () => this.elapsed(),
      deliver,
      fulfills: 0,
      arrivedAmount: 0n,
      arrivedPrepare: undefined,
    };
    return {
      reply$: defer(() => this.chain(prepare, ctx)),
      seen: (type) => {
        if (type !== IlpPacketType.Fulfill) return;
        if (packet.corrupted) recordFault(ctx, 'corruptFulfillSeen', ctx.arrivedAmount, { prepare: ctx.arrivedPrepare ?? prepare });
        else recordFault(ctx, 'fulfillSeen', ctx.arrivedAmount);
      },
    };
  }
}

