/**
 * Sending one money packet again after temporary rejects (T-family, R00, expiry), with the
 * connection's backoff. Each attempt notes the congestion window's epoch when it leaves, so a
 * crowded-path reject shrinks the window once per epoch, not once per packet that was already
 * on its way when the window shrank.
 *
 * @example
 * ```ts
 * sendWithRetries(() => tracked.send(transmission), { policy, scheduler, congestion, cancelled, cancel$ })
 *   .subscribe((outcome) => settle(outcome));
 * ```
 */
import { type Observable, type SchedulerLike, defer } from 'rxjs';
import { IlpPacketType } from '../../wire/types';
import { type RetryPolicy, retryTemporary } from '../../operators/retry-policy';
import type { CongestionWindow } from '../controllers/congestion-window';
import type { Outcome } from '../transmit';
import { isTemporary, signalsCongestion } from './reject-verdict';

/**
 * What {@link sendWithRetries} needs besides the packet.
 *
 * @example
 * ```ts
 * const context: MoneyRetryContext = {
 *   policy: { baseDelayMs: 100, factor: 2, maxDelayMs: 5_000, attempts: 10 },
 *   scheduler: link.scheduler,
 *   congestion,
 *   cancelled: () => stopped || nobodyWants(plan),
 *   cancel$: stopped$,
 * };
 * ```
 */
export interface MoneyRetryContext {
  readonly policy: RetryPolicy;
  readonly scheduler: SchedulerLike;
  readonly congestion: Pick<CongestionWindow, 'epoch' | 'onCongestion'>;
  /** True once a retry must not go out: the temporary reject settles the packet instead. */
  cancelled(): boolean;
  /** Emits when retrying must stop; a backoff in progress ends at once. */
  readonly cancel$: Observable<unknown>;
}

/**
 * Subscribes to `attempt()` once per try, until an outcome is not temporary, the attempts are used
 * up or retrying is cancelled; emits that last outcome.
 *
 * @example
 * ```ts
 * // T04, T04, then a Fulfill: emits the Fulfill after two backoffs (100 then 200 ms with the policy above);
 * // each retry left after the window shrank, so each T04 halved it once
 * sendWithRetries(() => tracked.send(transmission), context).subscribe(settle);
 * ```
 */
export function sendWithRetries(attempt: () => Observable<Outcome>, context: MoneyRetryContext): Observable<Outcome> {
  const { congestion } = context;
  let epoch = congestion.epoch;
  return defer(() => {
    epoch = congestion.epoch;
    return attempt();
  }).pipe(
    retryTemporary(context.policy, context.scheduler, {
      isTemporary: (outcome) => isTemporary(outcome),
      onTemporary: (outcome) => {
        if (outcome.reply.type === IlpPacketType.Reject && signalsCongestion(outcome.reply.code)) congestion.onCongestion(epoch);
      },
      cancelled: () => context.cancelled(),
      cancel$: context.cancel$,
    }),
  );
}
