/**
 * One end of the in-memory network as the connector sees it: the state its `MemoryPlugin` flips
 * (connected, the data handler) and how a forwarded Prepare reaches that handler.
 *
 * @example
 * ```ts
 * const end = new MemoryEnd('client', 'clientToServer', DEFAULT_CLIENT_END);
 * ```
 */
import { isObservable, type Observer } from 'rxjs';
import { type DataHandler, ildcpResponse, type ObservableDataHandler, serializeIlpReply } from '../ilp';
import type { ConnectorPort, InFlightPrepare, ReplyListener } from './connector-port';
import type { Direction } from './direction';
import type { MemoryNetworkEnd } from './options';
import { type DirectionStats, emptyDirectionStats } from './stats';

/**
 * The registered handler, in the form it was given: a Promise handler (ilp-protocol-stream and
 * other plain-plugin users) or an Observable one (this library's ILP layer).
 */
export type EndHandler = { readonly promise: DataHandler } | { readonly observable: ObservableDataHandler };

/**
 * A {@link ConnectorPort} for one end of the in-memory network.
 *
 * @example
 * ```ts
 * end.handler = { observable: (bytes) => of(reply) };
 * ```
 */
export class MemoryEnd implements ConnectorPort {
  readonly stats: DirectionStats = emptyDirectionStats();
  readonly inFlight = new Set<InFlightPrepare>();
  readonly ildcpReply: Buffer;
  /** Set by the plugin's connect()/disconnect(). */
  connected = false;
  /** Set by the plugin's register…/deregisterDataHandler(). */
  handler: EndHandler | undefined;

  constructor(
    readonly name: 'client' | 'server',
    readonly direction: Direction,
    readonly config: MemoryNetworkEnd,
  ) {
    this.ildcpReply = serializeIlpReply(
      ildcpResponse({ clientAddress: config.address, assetCode: config.assetCode, assetScale: config.assetScale }),
    );
  }

  /** @inheritdoc */
  unreachable(): string | undefined {
    if (!this.connected) return 'is not connected';
    return this.handler === undefined ? 'has no data handler' : undefined;
  }

  /** @inheritdoc */
  deliver(bytes: Buffer, listener: ReplyListener): void {
    const handler = this.handler;
    if (handler === undefined) throw new Error('no data handler');
    if ('observable' in handler) {
      const reply$ = handler.observable(bytes) as unknown;
      if (!isObservable(reply$)) throw new TypeError('the handler did not return an Observable');
      reply$.subscribe(listener as Observer<unknown>);
      return;
    }
    const pending = handler.promise(bytes) as unknown;
    if (typeof (pending as PromiseLike<unknown> | undefined)?.then !== 'function') {
      throw new TypeError('the handler did not return a promise');
    }
    (pending as PromiseLike<Buffer>).then(
      (reply) => listener.next(reply),
      (error: unknown) => listener.error(error),
    );
  }
}
