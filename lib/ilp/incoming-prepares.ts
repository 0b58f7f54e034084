/**
 * The Prepares a plugin receives, as an Observable of packets waiting for an answer.
 *
 * @example
 * ```ts
 * incomingPrepares(plugin).subscribe(({ prepare, respond }) => respond(rejectF06()));
 * ```
 */
import { Observable } from 'rxjs';
import { describeError } from './describe-error';
import { IlpPluginError } from './errors';
import type { IlpPrepare, IlpReply } from './packets';
import { isObservablePlugin, type ObservablePlugin } from './observable-plugin';
import type { DataHandler, Plugin } from './plugin';
import { deserializeIlpPrepare } from './prepare-codec';
import { rejectF00, rejectT00 } from './rejects';
import { serializeIlpReply } from './reply-codec';
import { requirePlugin } from './send-prepare';

/** One received Prepare and the way to answer it. */
export interface IncomingPrepare {
  /** The decoded Prepare; `data` and `executionCondition` are views into the received bytes. */
  readonly prepare: IlpPrepare;
  /**
   * Answers the Prepare. The first call wins and later calls are ignored. A reply that cannot be
   * serialized throws {@link IlpArgumentError} and leaves the Prepare unanswered.
   */
  respond(reply: IlpReply): void;
}

const STOPPED_LISTENING = serializeIlpReply(rejectT00('the receiver stopped listening'));

// A fresh copy each time, so a peer that mutates its reply cannot corrupt the others'.
function stoppedListening(): Buffer {
  return Buffer.from(STOPPED_LISTENING);
}

/**
 * Emits every Prepare `plugin` receives while subscribed.
 *
 * Subscribing registers the plugin's data handler and unsubscribing deregisters it, so there is
 * one handler per plugin: a second concurrent subscription fails if the plugin refuses a second
 * handler (`ilp-plugin-btp` and the in-memory network do), with {@link IlpPluginError}
 * `REGISTER_HANDLER_FAILED`. Share the Observable if several consumers need the packets.
 *
 * What the plugin's peer gets back:
 * - the reply passed to `respond`, serialized;
 * - **F00** for incoming data that is not a valid Prepare; nothing is emitted for it;
 * - **T00** for every Prepare still unanswered when the subscription ends (unsubscribe, or an
 *   error in the consumer's pipeline), and for any packet the plugin delivers after that;
 * - nothing, for as long as the consumer neither responds nor unsubscribes: the ILP layer adds no
 *   timer per packet, and the sender's own expiry (R00) covers a consumer that never answers.
 *
 * With no subscription at all no handler is registered, and the plugin answers as it does without
 * one (the in-memory network: T01).
 *
 * On an {@link ObservablePlugin} (the in-memory network) the handler is registered with
 * `registerObservableDataHandler`: each Prepare is emitted when the plugin subscribes to its reply,
 * and a `respond` called synchronously inside `next` answers synchronously, so no Promise or
 * microtask sits between sender and receiver and marble tests can pin the timing. If the plugin
 * stops waiting for a reply (unsubscribes), a later `respond` is ignored. Any other plugin gets a
 * Promise {@link DataHandler}.
 *
 * @param plugin - the plugin to listen on
 * @returns an Observable of {@link IncomingPrepare}; it errors only if registering fails
 *
 * @example
 * ```ts
 * const subscription = incomingPrepares(serverPlugin).subscribe(({ prepare, respond }) => {
 *   respond(prepare.amount > 1000n ? rejectF08(prepare.amount, 1000n) : rejectF06());
 * });
 * ```
 */
export function incomingPrepares(plugin: Plugin): Observable<IncomingPrepare> {
  requirePlugin(plugin, 'plugin', ['registerDataHandler', 'deregisterDataHandler']);
  return new Observable<IncomingPrepare>((subscriber) => {
    const unanswered = new Set<(bytes: Buffer) => void>();

    /**
     * Decodes one packet, emits it, and hands the serialized reply to `deliver` exactly once, now
     * or later. Returns how to forget the packet without answering it (its plugin stopped waiting).
     */
    const receive = (data: Buffer, deliver: (bytes: Buffer) => void): (() => void) | undefined => {
      if (subscriber.closed) {
        deliver(stoppedListening());
        return undefined;
      }
      let prepare: IlpPrepare;
      try {
        prepare = deserializeIlpPrepare(data);
      } catch (error) {
        deliver(serializeIlpReply(rejectF00(`not a valid ILP Prepare: ${describeError(error)}`)));
        return undefined;
      }
      let answered = false;
      const answer = (bytes: Buffer): void => {
        if (answered) return;
        answered = true;
        unanswered.delete(answer);
        deliver(bytes);
      };
      const respond = (reply: IlpReply): void => {
        if (!answered) answer(serializeIlpReply(reply));
      };
      subscriber.next({ prepare, respond });
      if (answered) return undefined; // answered synchronously, the common case: the set is never touched
      // The consumer's pipeline may have failed inside next(), tearing down before this packet was tracked.
      if (subscriber.closed) {
        answer(stoppedListening());
        return undefined;
      }
      unanswered.add(answer);
      return () => {
        answered = true;
        unanswered.delete(answer);
      };
    };

    try {
      if (isObservablePlugin(plugin)) {
        plugin.registerObservableDataHandler(
          (data) =>
            new Observable<Buffer>((reply) =>
              receive(data, (bytes) => {
                reply.next(bytes);
                reply.complete();
              }),
            ),
        );
      } else {
        plugin.registerDataHandler((data) => new Promise<Buffer>((resolve) => void receive(data, resolve)));
      }
    } catch (error) {
      subscriber.error(
        new IlpPluginError('REGISTER_HANDLER_FAILED', `plugin.registerDataHandler threw: ${describeError(error)}`, error),
      );
      return undefined;
    }
    return () => {
      try {
        plugin.deregisterDataHandler();
      } catch {
        // A plugin that cannot deregister must not make unsubscribe() throw; it is answered below.
      }
      for (const answer of [...unanswered]) answer(stoppedListening());
    };
  });
}
