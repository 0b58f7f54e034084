/**
 * What a connection is built from. Kept apart from the Connection class so that what builds one
 * (the client, the server, tests) reads the contract without the machinery.
 *
 * @example
 * ```ts
 * function open(params: ConnectionParams): Connection {
 *   return new Connection(params); // the server does this for each new connection
 * }
 * ```
 */
import type { SchedulerLike } from 'rxjs';
import type { StreamKeys } from '../crypto';
import type { Plugin } from '../ilp';
import type { SenderSettings } from './send/settings';

/**
 * Everything a connection is built from; `createConnection` and the server fill it in.
 *
 * @example
 * ```ts
 * // What createConnection builds once IL-DCP answered:
 * const connection = new Connection({
 *   ...resolveConnectionOptions(options),
 *   plugin,
 *   keys: deriveKeys(sharedSecret),
 *   isServer: false,
 *   sourceAccount: ildcp.clientAddress,
 *   sourceAssetCode: ildcp.assetCode,
 *   sourceAssetScale: ildcp.assetScale,
 *   destinationAccount,
 *   onClose: () => incoming.unsubscribe(),
 * });
 * ```
 */
export interface ConnectionParams extends SenderSettings {
  readonly plugin: Plugin;
  readonly keys: StreamKeys;
  readonly isServer: boolean;
  readonly scheduler: SchedulerLike;
  readonly sourceAccount: string;
  readonly sourceAssetCode: string;
  readonly sourceAssetScale: number;
  readonly destinationAccount?: string;
  readonly connectionTag?: string;
  /** Close after this many ms in which no money or data moved either way; 0 disables. */
  readonly idleTimeoutMs: number;
  /** The most streams the peer may have open at once (default 10: max stream id 20). */
  readonly maxRemoteStreams?: number;
  /** Bytes the peer may send on a stream beyond what its consumer took. */
  readonly streamReceiveWindow: number;
  /** Bytes the peer may send on all streams together beyond what their consumers took. */
  readonly connectionReceiveWindow: number;
  /** Called once when the connection has closed, to release the plugin or the server's slot. */
  readonly onClose?: () => void;
}
