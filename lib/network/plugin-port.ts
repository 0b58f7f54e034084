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
import type { Connector, ConnectorPort, InFlightPrepare, ReplyListener } from './connector';
import type { Direction, MemoryNetworkEnd } from './options';
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

  /** @inheritdoc */
  deliver(bytes: Buffer, listener: ReplyListener): void {
    sendBytes(this.plugin, bytes).subscribe(listener);
  }
}

/**
 * Makes `connector` answer every Prepare that `port`'s plugin receives, routing it toward `other`.
 * Returns the teardown that deregisters the handler. The handler never fails: every outcome is a
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
  return () => plugin.deregisterDataHandler();
}
