/**
 * One end of the in-memory network as a {@link Plugin}: it starts disconnected, emits `'connect'`
 * and `'disconnect'`, refuses a second data handler, and fails `sendData` while disconnected,
 * like ilp-plugin-btp. It is also an {@link ObservablePlugin}, so this library's ILP layer moves
 * its packets without a single Promise: synchronously at latency 0, on the scheduler otherwise.
 *
 * @example
 * ```ts
 * const { client } = createMemoryNetwork();
 * await client.connect();
 * ```
 */
import { EventEmitter } from 'node:events';
import { Observable } from 'rxjs';
import type { DataHandler, ObservableDataHandler, ObservablePlugin } from '../ilp';
import type { Connector } from './connector';
import { MemoryNetworkError } from './errors';
import type { EndHandler, MemoryEnd } from './memory-end';

/**
 * A plugin of the in-memory network. Beyond {@link ObservablePlugin} it is a Node `EventEmitter`
 * and names the end it is.
 *
 * @example
 * ```ts
 * client.on('disconnect', () => console.log('link down'));
 * ```
 */
export class MemoryPlugin extends EventEmitter implements ObservablePlugin {
  /** @internal Built by `createMemoryNetwork`; not meant to be constructed directly. */
  constructor(
    private readonly connector: Connector,
    private readonly end: MemoryEnd,
    private readonly peer: MemoryEnd,
  ) {
    super();
  }

  /** `'client'` or `'server'`. */
  get side(): 'client' | 'server' {
    return this.end.name;
  }

  /** Connects; emits `'connect'` the first time. Resolves at once (and is connected synchronously). */
  connect(): Promise<void> {
    if (!this.end.connected) {
      this.end.connected = true;
      this.emit('connect');
    }
    return Promise.resolve();
  }

  /**
   * Disconnects; every send still waiting for its reply fails with {@link MemoryNetworkError}
   * `DISCONNECTED`, and Prepares for this end get T01. Emits `'disconnect'`.
   */
  disconnect(): Promise<void> {
    if (this.end.connected) {
      this.end.connected = false;
      this.connector.abandon(this.end);
      this.emit('disconnect');
    }
    return Promise.resolve();
  }

  /** True between `connect()` and `disconnect()`. */
  isConnected(): boolean {
    return this.end.connected;
  }

  /**
   * Sends a serialized Prepare through the network; resolves with the serialized reply. Rejects
   * with {@link MemoryNetworkError} `NOT_CONNECTED` while disconnected. The network reads `data`
   * when it arrives, so do not modify it after the call. Prefer {@link sendDataObservable}, which
   * the ILP layer uses: a promise always settles on a microtask, which virtual time cannot flush.
   */
  sendData(data: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const refused = this.refusal(data);
      if (refused) reject(refused);
      else this.connector.enter(this.end, this.peer, data, { next: resolve, error: reject, complete: () => undefined });
    });
  }

  /**
   * Sends a serialized Prepare per subscription; emits the serialized reply and completes. At
   * latency 0 with a synchronous receiver the reply is emitted before `subscribe` returns; with
   * latency it arrives exactly 2 x latency later on the network's scheduler. Errors with
   * {@link MemoryNetworkError} `NOT_CONNECTED` while disconnected, `DISCONNECTED` if this end
   * disconnects first. Unsubscribing stops listening; the Prepare still travels on.
   */
  sendDataObservable(data: Buffer): Observable<Buffer> {
    return new Observable<Buffer>((subscriber) => {
      const refused = this.refusal(data);
      if (refused) throw refused;
      return this.connector.enter(this.end, this.peer, data, subscriber);
    });
  }

  /** Installs a Promise handler for incoming Prepares; throws `HANDLER_ALREADY_REGISTERED` if one is set. */
  registerDataHandler(handler: DataHandler): void {
    this.install(handler, { promise: handler });
  }

  /** Installs an Observable handler for incoming Prepares; same slot and rules as {@link registerDataHandler}. */
  registerObservableDataHandler(handler: ObservableDataHandler): void {
    this.install(handler, { observable: handler });
  }

  /** Removes the handler, of either kind; Prepares for this end then get T01. */
  deregisterDataHandler(): void {
    this.end.handler = undefined;
  }

  /** Why this end cannot send `data` now, as a real plugin would refuse it. */
  private refusal(data: unknown): MemoryNetworkError | undefined {
    if (!this.end.connected) return new MemoryNetworkError('NOT_CONNECTED', `the ${this.end.name} plugin is not connected`);
    if (!Buffer.isBuffer(data)) return new MemoryNetworkError('INVALID_ARGUMENT', 'sendData(data) needs a Buffer');
    return undefined;
  }

  private install(handler: unknown, wrapped: EndHandler): void {
    if (typeof handler !== 'function') {
      throw new MemoryNetworkError('INVALID_ARGUMENT', 'registerDataHandler(handler) needs a function');
    }
    if (this.end.handler !== undefined) {
      throw new MemoryNetworkError('HANDLER_ALREADY_REGISTERED', `the ${this.end.name} plugin already has a data handler`);
    }
    this.end.handler = wrapped;
  }
}
