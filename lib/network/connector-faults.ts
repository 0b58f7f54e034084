/**
 * How the connector runs a Prepare through its faults: after routing, the max packet amount and the
 * exchange rate, before delivery, so rate, F08 and latency stay realistic around them. Each copy
 * the faults let through is delivered to the other end as the connector delivers without faults
 * (a handler that fails or answers nothing is answered T00; an end gone meanwhile gets T01).
 * It sits beside the connector, not in faults/, because it handles the connector's own packets;
 * the faults stay a layer below that knows nothing of the connector.
 *
 * @example
 * ```ts
 * runThroughFaults(stage, packet, convertedPrepare, 'test.memory', { reply: (b) => returnReply(packet, b), fail });
 * ```
 */
import { Observable } from 'rxjs';
import {
  deserializeIlpReply,
  type IlpPrepare,
  type IlpReply,
  rejectT00,
  rejectT01,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../ilp';
import { describeError } from '../ilp/describe-error';
import type { InFlightPrepare } from './connector-port';
import type { FaultStage } from './faults/stage';

/**
 * Where the outcome of a faulted Prepare goes.
 *
 * @example
 * ```ts
 * const hooks: FaultedPrepareHooks = { reply: (bytes) => returnReply(packet, bytes), fail: (error) => fail(packet, error) };
 * ```
 */
export interface FaultedPrepareHooks {
  /** The reply the faults let through, serialized, on its way back to the sender. */
  reply(bytes: Buffer): void;
  /** The link failed (a `disconnect` fault): the sender's send fails with `error`. */
  fail(error: unknown): void;
}

function deliverCopy(packet: InFlightPrepare, copy: IlpPrepare, triggeredBy: string): Observable<IlpReply> {
  return new Observable<IlpReply>((subscriber) => {
    const { to } = packet;
    if (!packet.deliveredOnce) {
      packet.deliveredOnce = true;
      packet.from.stats.delivered += 1;
      packet.destinationAmount = copy.amount;
    }
    let settled = false;
    const settle = (reply: IlpReply): void => {
      if (settled) return;
      settled = true;
      subscriber.next(reply);
      subscriber.complete();
    };
    const failed = (why: string): void => settle(rejectT00(why, triggeredBy));
    // A fault may have held the Prepare back while this end disconnected.
    const unreachable = to.unreachable();
    if (unreachable !== undefined) return settle(rejectT01(`${to.config.address} ${unreachable}`, triggeredBy));
    try {
      to.deliver(serializeIlpPrepare(copy), {
        next: (bytes) => {
          try {
            settle(deserializeIlpReply(bytes));
          } catch (error) {
            failed(`the ${to.name}'s data handler answered garbage: ${describeError(error)}`);
          }
        },
        error: (error: unknown) => failed(`the ${to.name}'s data handler failed: ${describeError(error)}`),
        complete: () => failed(`the ${to.name}'s data handler completed without a reply`),
      });
    } catch (error) {
      failed(`the ${to.name}'s data handler threw: ${describeError(error)}`);
    }
    return undefined;
  });
}

/**
 * Runs `prepare` (already converted to the receiver's units) through `stage` for `packet`. The
 * run is cancelled through `packet.cancel` when the sender stops waiting; deliveries already made
 * still run their course, and the money trail still records their Fulfills.
 *
 * @example
 * ```ts
 * runThroughFaults(stage, packet, { ...prepare, amount: packet.destinationAmount }, this.triggeredBy, hooks);
 * ```
 */
export function runThroughFaults(stage: FaultStage, packet: InFlightPrepare, prepare: IlpPrepare, triggeredBy: string, hooks: FaultedPrepareHooks): void {
  const run = stage.send(prepare, packet.from.direction, (copy) => deliverCopy(packet, copy, triggeredBy));
  packet.seen = run.seen;
  const subscription = run.reply$.subscribe({
    next: (reply) => hooks.reply(serializeIlpReply(reply)),
    error: (error: unknown) => hooks.fail(error),
  });
  if (!subscription.closed) packet.cancel = () => subscription.unsubscribe();
}
