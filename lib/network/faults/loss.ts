/**
 * Faults that lose packets: a Prepare that never reaches the receiver, a reply that never gets
 * back, a peer that stops answering. Each answers R00 at the Prepare's expiry, timed on the
 * scheduler, which is what the sender would conclude on its own.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [dropPrepare({ probability: 0.1 }), dropReply({ every: 7 })], seed: 3 });
 * ```
 */
import { defer, ignoreElements, map, merge, type Observable, take, tap, timer } from 'rxjs';
import { type IlpPrepare, type IlpReply, rejectR00 } from '../../ilp';
import { IlpPacketType } from '../../wire/types';
import type { Fault, FaultContext } from './types';
import { type FaultWhen, recordFault, selectiveFault } from './when';

/**
 * R00 at `prepare`'s expiry on the context's scheduler (at once if it has already expired).
 *
 * @example
 * ```ts
 * return expiryReject(prepare, ctx, 'dropped');
 * ```
 */
export function expiryReject(prepare: IlpPrepare, ctx: FaultContext, why: string): Observable<IlpReply> {
  return defer(() => {
    const wait = Math.max(0, prepare.expiresAt.getTime() - ctx.scheduler.now());
    return timer(wait, ctx.scheduler).pipe(map(() => rejectR00(`${why}; no reply before the Prepare expired`, ctx.triggeredBy)));
  });
}

/**
 * Loses the Prepare before the receiver: nothing moves, and the sender gets R00 at expiry.
 * Records `droppedPrepare`.
 *
 * @param when - which Prepares; see {@link FaultWhen}. Default: all
 *
 * @example
 * ```ts
 * const network = createMemoryNetwork({ faults: [dropPrepare({ every: 2 })], scheduler });
 * // the 2nd, 4th, ... Prepare is answered R00 at its expiry
 * ```
 */
export function dropPrepare(when?: FaultWhen): Fault {
  return selectiveFault(when, 'dropPrepare', (prepare, ctx) => {
    recordFault(ctx, 'droppedPrepare', prepare.amount);
    return expiryReject(prepare, ctx, 'the Prepare was lost');
  });
}

/**
 * Delivers the Prepare but loses its reply: if the receiver fulfilled, it has the money while the
 * sender gets R00 at expiry (in real ILP the connector that lost the Fulfill bears that loss; the
 * ledger's money trail shows it as `unseen`). Records `droppedReply` with the amount when the lost
 * reply was a Fulfill.
 *
 * @param when - which Prepares; see {@link FaultWhen}. Default: all
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [dropReply({ limit: 1 })], scheduler });
 * ```
 */
export function dropReply(when?: FaultWhen): Fault {
  return selectiveFault(when, 'dropReply', (prepare, ctx, next) => {
    const lost = next(prepare, ctx).pipe(
      tap((reply) => recordFault(ctx, 'droppedReply', reply.type === IlpPacketType.Fulfill ? prepare.amount : 0n, { detail: reply.type === IlpPacketType.Fulfill ? 'fulfill' : `reject ${reply.code}` })),
      ignoreElements(),
    );
    return merge(lost, expiryReject(prepare, ctx, 'the reply was lost')).pipe(take(1));
  });
}

/** Options of {@link stopAnswering}. */
export interface StopAnsweringOptions {
  /** From this many ms after installation, nothing is answered. Default 0. */
  from?: number;
  /** ... until this many ms (exclusive). Default: forever. */
  until?: number;
  /** Only Prepares going this way. */
  direction?: FaultWhen['direction'];
}

/**
 * A peer that stops answering: from `from` (until `until`) every Prepare is lost, so every sender
 * waits for its expiry and gets R00. Records `droppedPrepare`.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [stopAnswering({ from: 2_000 })], scheduler });
 * ```
 */
export function stopAnswering(options: StopAnsweringOptions = {}): Fault {
  return dropPrepare({ ...options });
}
