/**
 * Sending one ILP Prepare as a cold Observable of its reply.
 *
 * @example
 * ```ts
 * sendPrepare(plugin, prepare).subscribe((reply) => console.log(reply.type));
 * ```
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { clipMessage, describeError } from './describe-error';
import { IlpArgumentError } from './errors';
import { describe } from './oer';
import { type ObservablePlugin, sendBytes } from './observable-plugin';
import type { IlpPrepare, IlpReply } from './packets';
import type { Plugin } from './plugin';
import { serializeIlpPrepare } from './prepare-codec';
import { rejectF01, rejectR00, rejectT00 } from './rejects';
import { deserializeIlpReply } from './reply-codec';

/** Options for {@link sendPrepare}. */
export interface SendPrepareOptions {
  /** Clock for the expiry and timer for the timeout. Default: `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Stop waiting after this many ms even if the Prepare expires later. Default: wait until
   * `prepare.expiresAt`, never longer, since a fulfillment after expiry does not count
   * (RFC 27 §overview step 10).
   */
  timeoutMs?: number;
}

/**
 * Checks that `plugin` has the methods the ILP layer calls.
 *
 * @example
 * ```ts
 * requirePlugin(plugin, 'plugin');
 * ```
 */
export function requirePlugin(plugin: unknown, argument: string, methods: readonly string[] = ['sendData']): Plugin {
  if (typeof plugin !== 'object' || plugin === null) {
    throw new IlpArgumentError(argument, `must be a plugin object, got ${describe(plugin)}`);
  }
  for (const method of methods) {
    if (typeof (plugin as Record<string, unknown>)[method] !== 'function') {
      throw new IlpArgumentError(argument, `must have a ${method}() method`);
    }
  }
  return plugin as Plugin;
}

/**
 * Sends `prepare` through `plugin` and emits its one reply, then completes.
 *
 * The Observable is cold: nothing is sent until it is subscribed, and each subscription sends the
 * Prepare once (the bytes are serialized once, when `sendPrepare` is called). Every outcome is a
 * value, never an error notification, so a sender decides what to retry from the reply alone:
 *
 * - the peer's Fulfill or Reject, as decoded;
 * - **T00** when `plugin.sendData` throws or its promise rejects, or `sendDataObservable` errors
 *   (the plugin is disconnected or broken; a T-family code makes a sender back off and retry, which is what a reconnecting plugin
 *   needs);
 * - **F01** when the reply cannot be decoded as a Fulfill or a Reject (the peer is broken; F01 is
 *   final, so a sender stops instead of retrying into the same garbage. The money of such a packet
 *   is uncertain);
 * - **R00** when no reply has arrived by `prepare.expiresAt` (or after `timeoutMs`), measured on
 *   the scheduler. A Prepare already expired at subscription is not sent at all.
 *
 * With an {@link ObservablePlugin} (the in-memory network) the bytes go through
 * `sendDataObservable` and no Promise is involved: a plugin that answers synchronously makes this
 * Observable emit synchronously, and one that models latency on the scheduler makes it emit at
 * exactly the virtual time of the reply, so marble tests can pin whole connections. Any other
 * plugin is called through `sendData`.
 *
 * Synthesized rejects have an empty `triggeredBy`. Unsubscribing before the reply cancels the timer
 * and stops listening to the plugin; a Promise plugin's promise is still handled when it settles,
 * so it can never become an unhandled rejection. Invalid arguments throw {@link IlpArgumentError}
 * at call time.
 *
 * @param plugin - the plugin to send through; only `sendDataObservable` or `sendData` is used
 * @param prepare - the Prepare to send
 * @param options - scheduler and timeout
 * @returns an Observable that emits exactly one {@link IlpReply} and completes
 *
 * @example
 * ```ts
 * sendPrepare(plugin, prepare, { scheduler }).subscribe((reply) => {
 *   if (reply.type === IlpPacketType.Reject) console.log(reply.code);
 * });
 * // Output (nothing answers within 30 s): R00
 * ```
 */
export function sendPrepare(plugin: Plugin, prepare: IlpPrepare, options: SendPrepareOptions = {}): Observable<IlpReply> {
  requirePlugin(plugin, 'plugin');
  const bytes = serializeIlpPrepare(prepare);
  const expiresAtMs = prepare.expiresAt.getTime();
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new IlpArgumentError('options.scheduler', 'must be a SchedulerLike');
  }
  const timeoutMs = options.timeoutMs ?? Infinity;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new IlpArgumentError('options.timeoutMs', `must be a number >= 0, got ${describe(timeoutMs)}`);
  }

  return new Observable<IlpReply>((subscriber) => {
    const untilExpiry = expiresAtMs - scheduler.now();
    if (untilExpiry <= 0) {
      subscriber.next(rejectR00(`not sent: the Prepare expired at ${new Date(expiresAtMs).toISOString()}`));
      subscriber.complete();
      return undefined;
    }

    let timer: Subscription | undefined;
    const settle = (reply: IlpReply): void => {
      if (subscriber.closed) return;
      timer?.unsubscribe();
      subscriber.next(reply);
      subscriber.complete();
    };
    const sending = sendBytes(plugin, bytes).subscribe({
      next: (data) => {
        if (subscriber.closed) return;
        let reply: IlpReply;
        try {
          reply = deserializeIlpReply(data);
        } catch (error) {
          reply = rejectF01(clipMessage(`reply could not be decoded: ${describeError(error)}`));
        }
        settle(reply);
      },
      error: (error: unknown) => settle(rejectT00(`plugin.sendData failed: ${describeError(error)}`)),
      complete: () => settle(rejectT00('plugin.sendData completed without a reply')),
    });
    // A plugin that answered synchronously (the in-memory network at latency 0) needs no timer:
    // arming it only after sending saves a schedule and a cancel per packet on the hot path.
    if (subscriber.closed) return undefined;

    // Measured from now, not from subscription: a synchronous send takes no virtual time, and
    // real time spent in it comes off the wait, so the R00 still lands at the expiry.
    const remaining = Math.max(0, expiresAtMs - scheduler.now());
    const wait = Math.min(remaining, timeoutMs);
    timer = scheduler.schedule(() => {
      const reason = wait < remaining ? `within ${timeoutMs} ms` : `before the Prepare expired at ${new Date(expiresAtMs).toISOString()}`;
      settle(rejectR00(`no reply ${reason}`));
    }, wait);
    return () => {
      timer?.unsubscribe();
      sending.unsubscribe();
    };
  });
}

