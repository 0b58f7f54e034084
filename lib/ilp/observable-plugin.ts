/**
 * The optional Observable transport a {@link Plugin} may offer beside its Promise methods.
 *
 * A Promise always settles on a native microtask, and `TestScheduler.run()` cannot flush
 * microtasks, so a packet that crosses a Promise can never be pinned by a marble test. A plugin
 * that also speaks Observables lets the ILP layer (`sendPrepare`, `incomingPrepares`, `fetchIldcp`)
 * keep every hop on the caller's scheduler: synchronous when the plugin answers synchronously,
 * `timer(ms, scheduler)` when it models latency. Real plugins (ilp-plugin-btp) stay Promise-based
 * and keep working unchanged; the in-memory network's `MemoryPlugin` implements both.
 *
 * @example
 * ```ts
 * if (isObservablePlugin(plugin)) plugin.sendDataObservable(bytes).subscribe((reply) => use(reply));
 * ```
 */
import { Observable } from 'rxjs';
import type { Plugin } from './plugin';

/**
 * Answers one incoming serialized ILP packet with an Observable of the serialized reply. The
 * plugin subscribes once per packet and takes the first value; an error notification means the
 * handler failed (as a rejected promise does for a {@link DataHandler}). Emitting synchronously
 * inside `subscribe` answers synchronously. Unsubscribing tells the handler the answer is no longer
 * wanted.
 *
 * @example
 * ```ts
 * const handler: ObservableDataHandler = (prepare) => of(serializeIlpReply(rejectF06()));
 * ```
 */
export type ObservableDataHandler = (data: Buffer) => Observable<Buffer>;

/**
 * A {@link Plugin} that also offers its two data paths as Observables. Detect it with
 * {@link isObservablePlugin}; implement both methods or neither.
 *
 * - `sendDataObservable(data)` is cold: each subscription sends `data` once and emits the one
 *   serialized reply, then completes, or errors where `sendData`'s promise would reject.
 *   Unsubscribing stops listening; it cannot recall a packet already sent.
 * - `registerObservableDataHandler(handler)` installs the one incoming-packet handler, sharing the
 *   slot with `registerDataHandler` (a plugin may refuse a second handler of either kind), and
 *   `deregisterDataHandler()` removes it.
 *
 * @example
 * ```ts
 * class LoopbackPlugin implements ObservablePlugin {
 *   // ...connect, disconnect, isConnected, sendData, registerDataHandler, deregisterDataHandler...
 *   sendDataObservable(data: Buffer): Observable<Buffer> {
 *     return defer(() => this.handler!(data));
 *   }
 *   registerObservableDataHandler(handler: ObservableDataHandler): void {
 *     this.handler = handler;
 *   }
 * }
 * ```
 */
export interface ObservablePlugin extends Plugin {
  /** Sends one serialized Prepare per subscription; emits the serialized Fulfill or Reject. */
  sendDataObservable(data: Buffer): Observable<Buffer>;
  /** Installs the handler for incoming Prepares, in place of a Promise {@link DataHandler}. */
  registerObservableDataHandler(handler: ObservableDataHandler): void;
}

/**
 * True if `plugin` offers the Observable transport (both methods of {@link ObservablePlugin}).
 * Duck-typed, so it works across duplicate copies of this library.
 *
 * @example
 * ```ts
 * isObservablePlugin(createPluginPair()[0])                      // true
 * isObservablePlugin(new BtpPlugin({ server: 'btp+ws://...' })) // false
 * ```
 */
export function isObservablePlugin(plugin: unknown): plugin is ObservablePlugin {
  if (typeof plugin !== 'object' || plugin === null) return false;
  const candidate = plugin as Partial<Record<keyof ObservablePlugin, unknown>>;
  return typeof candidate.sendDataObservable === 'function' && typeof candidate.registerObservableDataHandler === 'function';
}

/**
 * Sends `data` through any plugin as a cold Observable of the serialized reply: the Observable
 * method when the plugin has one (no Promise anywhere), else `sendData`'s promise. A promise
 * rejection, a synchronous throw or a `sendData` that returns no promise becomes an error
 * notification; the promise is always handled, so it never becomes an unhandled rejection, even
 * after unsubscribing. Internal to the library.
 *
 * @example
 * ```ts
 * sendBytes(plugin, serializeIlpPrepare(prepare)).subscribe({ next: decode, error: retry });
 * ```
 */
export function sendBytes(plugin: Plugin, data: Buffer): Observable<Buffer> {
  if (isObservablePlugin(plugin)) return plugin.sendDataObservable(data);
  return new Observable<Buffer>((subscriber) => {
    const pending = plugin.sendData(data) as unknown;
    if (typeof (pending as PromiseLike<unknown> | undefined)?.then !== 'function') {
      throw new TypeError('plugin.sendData did not return a promise');
    }
    (pending as PromiseLike<Buffer>).then(
      (reply) => {
        subscriber.next(reply);
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
  });
}
