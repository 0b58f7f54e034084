/**
 * Test helper: a plugin that stands between a connection and its in-memory plugin, so that a spec
 * can watch, record or lose the Prepares the connection sends without repeating the plumbing.
 */
import { type Observable, defer } from 'rxjs';
import {
  type DataHandler,
  type IlpPrepare,
  type ObservableDataHandler,
  type ObservablePlugin,
  deserializeIlpPrepare,
  isIldcpRequest,
} from '../../lib';

/**
 * An {@link ObservablePlugin} that forwards every method to `inner` (typically a `MemoryPlugin`
 * of `createMemoryNetwork`). The optional event methods (`on`, `off`, `removeListener`) are not
 * offered, as a plain wrapper would not offer them either.
 *
 * Outgoing Prepares on the Observable path, the one the library's ILP layer takes, go through
 * the overridable hook {@link ForwardingPlugin.sendStreamPrepare}: once per subscription, already
 * deserialized, IL-DCP requests excepted (those always go straight to `inner`). The hook forwards
 * by default; a subclass may record the Prepare, answer for it, pipe its reply, or return `NEVER`
 * to lose it. `sendData` (the Promise path) is forwarded as is.
 *
 * @example
 * ```ts
 * class CountingPlugin extends ForwardingPlugin {
 *   amounts: bigint[] = [];
 *   protected override sendStreamPrepare(prepare: IlpPrepare, data: Buffer): Observable<Buffer> {
 *     this.amounts.push(prepare.amount);
 *     return super.sendStreamPrepare(prepare, data);
 *   }
 * }
 * const network = createMemoryNetwork();
 * const plugin = new CountingPlugin(network.client);
 * const client = await createConnection({ plugin, destinationAccount, sharedSecret });
 * ```
 */
export class ForwardingPlugin implements ObservablePlugin {
  constructor(protected readonly inner: ObservablePlugin) {}

  connect(): Promise<void> {
    return this.inner.connect();
  }
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
  isConnected(): boolean {
    return this.inner.isConnected();
  }
  sendData(data: Buffer): Promise<Buffer> {
    return this.inner.sendData(data);
  }
  registerDataHandler(handler: DataHandler): void {
    this.inner.registerDataHandler(handler);
  }
  registerObservableDataHandler(handler: ObservableDataHandler): void {
    this.inner.registerObservableDataHandler(handler);
  }
  deregisterDataHandler(): void {
    this.inner.deregisterDataHandler();
  }

  /** Deserializes each Prepare when subscribed; IL-DCP goes to `inner`, the rest through {@link sendStreamPrepare}. */
  sendDataObservable(data: Buffer): Observable<Buffer> {
    return defer(() => {
      const prepare = deserializeIlpPrepare(data);
      return isIldcpRequest(prepare) ? this.inner.sendDataObservable(data) : this.sendStreamPrepare(prepare, data);
    });
  }

  /**
   * The hook: sends one Prepare that is not an IL-DCP request, `prepare` being `data`
   * deserialized; called once per subscription. Forwards `data` to `inner` unless overridden.
   */
  protected sendStreamPrepare(_prepare: IlpPrepare, data: Buffer): Observable<Buffer> {
    return this.inner.sendDataObservable(data);
  }
}
