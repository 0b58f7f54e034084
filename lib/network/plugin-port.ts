/**
 * A connector port in front of any {@link Plugin}: the connector hands Prepares to that side
 * through the plugin's `sendData` (or `sendDataObservable`), and serves the Prepares the plugin
 * receives. This is what lets the connector sit between two real plugins, such as the BTP
 * network's two listeners.
 *
 * @example
 * ```ts
 * const client = new PluginPort('client', 'clientToServer', resolved.client, clientListener);
 * const server = new PluginPort('server', 'serverToClient', resolved.server, serverListener);
 * const stop = [servePort(connector, client, server), servePort(connector, server, client)];
 * ```
 */
import { firstValueFrom } from 'rxjs';
import { ildcpResponse, isObservablePlugin, type Plugin, serializeIlpReply } from '../ilp';
import { sendBytes } from '../ilp/observable-plugin';
import type { Connector } from './connector';
import type { ConnectorPort, InFlightPrepare, ReplyListener } from './connector-port';
import type { Direction } from './direction';
import type { MemoryNetworkEnd } from './options';
import { type DirectionStats, emptyDirectionStats } from './stats';

/**
 * A {@link ConnectorPort} whose side is reached through `plugin`.
 *
 * @example
 * ```ts
 * const port = new PluginPort('server', 'serverToClient', { address: 'test.btp.server', assetCode: 'XRP', assetScale: 9 }, plugin);
 * ```
 */
export class PluginPort implements ConnectorPort {
  readonly stats: DirectionStats = emptyDirectionStats();
  readonly inFlight = new Set<InFlightPrepare>();
  readonly ildcpReply: Buffer;
  /** Deliveries waiting for this side's reply, failed at once if its link drops. */
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(
    readonly name: 'client' | 'server',
    readonly direction: Direction,
    readonly config: MemoryNetworkEnd,
    /** The plugin that reaches this side; the connector is its peer. */
    readonly plugin: Plugin,
  ) {
    this.ildcpReply = serializeIlpReply(
      ildcpResponse({ clientAddress: config.address, assetCode: config.assetCode, assetScale: config.assetScale }),
    );
  }

  /** @inheritdoc */
  unreachable(): string | undefined {
    return this.plugin.isConnected() ? undefined : 'is not connected';
  }

  /**
   * Hands the Prepare to this side through the plugin. If the plugin disconnects before the reply
   * (a BTP socket closed), the reply can never come back over that link, so the delivery fails
   * then (answered T00) instead of holding the sender until its expiry.
   */
  deliver(bytes: Buffer, listener: ReplyListener): void {
    let fail: ((error: Error) => void) | undefined;
    const subscription = sendBytes(this.plugin, bytes).subscribe({
      next: (reply) => {
        if (fail) this.waiting.delete(fail);
        listener.next(reply);
      },
      error: (error: unknown) => {
        if (fail) this.waiting.delete(fail);
        listener.error(error);
      },
      complete: () => listener.complete(),
    });
    if (subscription.closed) return;
    fail = (error) => {
      subscription.unsubscribe();
      listener.error(error);
    };
    this.waiting.add(fail);
  }

  /**
   * Starts failing in-flight deliveries when the plugin emits `'disconnect'`; returns the
   * teardown. Plugins without events (no `on`) are left to their own timeouts.
   */
  watchDisconnect(): () => void {
    const { plugin } = this;
    if (typeof plugin.on !== 'function') return () => undefined;
    const onDisconnect = (): void => {
      const waiting = [...this.waiting];
      this.waiting.clear();
      for (const fail of waiting) fail(new Error(`the ${this.name} side disconnected before it answered`));
    };
    plugin.on('disconnect', onDisconnect);
    return () => void (plugin.off ?? plugin.removeListener)?.call(plugin, 'disconnect', onDisconnect);
  }
}

/**
 * Makes `connector` answer every Prepare that `port`'s plugin receives, routing it toward `other`,
 * and fail deliveries to `port` when its plugin disconnects (see {@link PluginPort.deliver}).
 * Returns the teardown that deregisters the handler and the watch. The handler never fails: every outcome is a
 * serialized reply, the connector's own rejects included.
 *
 * @example
 * ```ts
 * const stop = servePort(connector, clientPort, serverPort);
 * stop(); // deregisters
 * ```
 */
export function servePort(connector: Connector, port: PluginPort, other: ConnectorPort): () => void {
  const { plugin } = port;
  if (isObservablePlugin(plugin)) {
    plugin.registerObservableDataHandler((data) => connector.forward(port, other, data));
  } else {
    plugin.registerDataHandler((data) => firstValueFrom(connector.forward(port, other, data)));
  }
  const unwatch = port.watchDisconnect();
  return () => {
    unwatch();
    plugin.deregisterDataHandler();
  };
}
