/**
 * Opening a STREAM connection as a client: learn our address and asset over IL-DCP, answer the
 * server's Prepares on the same plugin, then run the handshake and rate probe (RFC 29 §4.1–§4.3).
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * ```
 */
import { Observable, catchError, defer, finalize, firstValueFrom, map, switchMap, throwError } from 'rxjs';
import { deriveKeys } from './crypto';
import { connectPlugin, fetchIldcp, incomingPrepares, rejectF02, rejectT00, type IldcpInfo, type Plugin } from './ilp';
import { Connection } from './connection/connection';
import { type ConnectionTuning, type ResolvedTuning, resolveConnectionOptions } from './connection/options';
import { ConnectionError } from './errors';

/** What a client needs to connect. */
export interface ConnectionOptions extends ConnectionTuning {
  /** The plugin to send through; connected here if it is not yet. One connection per plugin. */
  plugin: Plugin;
  /** The server's ILP address for this connection (from SPSP or `generateAddressAndSecret`). */
  destinationAccount: string;
  /** The 32-byte shared secret that goes with it. */
  sharedSecret: Uint8Array;
}

/**
 * Connects to a STREAM server and resolves once the connection is open.
 *
 * @example
 * ```ts
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * ```
 */
export function createConnection(options: ConnectionOptions): Promise<Connection> {
  return firstValueFrom(openConnection(options));
}

/**
 * The cold Observable form of {@link createConnection}: subscribing opens a connection and
 * emits it once open; unsubscribing ends it cleanly. Errors if the connection cannot open or
 * closes with an error; completes when it closes cleanly.
 *
 * @example
 * ```ts
 * connect({ plugin, destinationAccount, sharedSecret })
 *   .pipe(switchMap((c) => c.createStream().sendMoney(1000)))
 *   .subscribe();
 * ```
 */
export function connect(options: ConnectionOptions): Observable<Connection> {
  return new Observable<Connection>((subscriber) => {
    let connection: Connection | undefined;
    const opening = openConnection(options).subscribe({
      next: (opened) => {
        connection = opened;
        subscriber.next(opened);
        subscriber.add(opened.state$.subscribe({ complete: () => subscriber.complete(), error: (e: unknown) => subscriber.error(e) }));
      },
      error: (error: unknown) => subscriber.error(error),
    });
    return () => {
      opening.unsubscribe();
      void connection?.end();
    };
  });
}

/**
 * Opens a connection: connect the plugin if needed, IL-DCP, then the handshake and rate probe.
 * Emits the open connection and completes; unsubscribing early destroys a half-open connection.
 * Everything after the plugin's `connect()` runs on Observables, so with a plugin that offers the
 * virtual-time transport the whole opening is driven by the injected scheduler.
 */
function openConnection(options: ConnectionOptions): Observable<Connection> {
  return defer(() => {
    validateClientOptions(options);
    const tuning = resolveConnectionOptions(options);
    const { plugin } = options;
    return connectPlugin(plugin).pipe(
      switchMap(() => fetchIldcp(plugin, { scheduler: tuning.scheduler })),
      switchMap((ildcp) => {
        const connection = buildClientConnection(options, tuning, ildcp);
        return connection.open().pipe(
          map(() => connection),
          catchError((error: unknown) => {
            void connection.destroy();
            return throwError(() => (error instanceof ConnectionError ? error : new ConnectionError('CONNECT_FAILED', String(error))));
          }),
          finalize(() => {
            if (connection.state === 'connecting') void connection.destroy();
          }),
        );
      }),
    );
  });
}

function buildClientConnection(options: ConnectionOptions, tuning: ResolvedTuning, ildcp: IldcpInfo): Connection {
  const { plugin } = options;
  let connection: Connection | undefined = undefined;
  const incoming = incomingPrepares(plugin).subscribe({
    next: ({ prepare, respond }) => {
      const destined = prepare.destination === ildcp.clientAddress || prepare.destination.startsWith(ildcp.clientAddress + '.');
      let reply;
      try {
        reply = connection && destined ? connection.handlePrepare(prepare) : rejectF02('', ildcp.clientAddress);
      } catch {
        // Never throws out of the handler: a bug or a hostile packet becomes a temporary reject.
        reply = rejectT00('', ildcp.clientAddress);
      }
      respond(reply);
    },
    // The plugin refused our data handler: the server cannot reach us, so the connection ends.
    error: (error: unknown) => void connection?.destroy(error instanceof Error ? error : new Error(String(error))),
  });
  connection = new Connection({
    ...tuning,
    plugin,
    keys: deriveKeys(options.sharedSecret),
    isServer: false,
    sourceAccount: ildcp.clientAddress,
    sourceAssetCode: ildcp.assetCode,
    sourceAssetScale: ildcp.assetScale,
    destinationAccount: options.destinationAccount,
    onClose: () => incoming.unsubscribe(),
  });
  return connection;
}

function validateClientOptions(options: ConnectionOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('options must be an object');
  if (!options.plugin || typeof options.plugin.sendData !== 'function') throw new TypeError('options.plugin must be an ILP plugin');
  if (typeof options.destinationAccount !== 'string' || options.destinationAccount.length === 0) {
    throw new TypeError('options.destinationAccount must be a non-empty ILP address');
  }
  if (!(options.sharedSecret instanceof Uint8Array) || options.sharedSecret.length === 0) {
    throw new TypeError('options.sharedSecret must be a non-empty Uint8Array (32 bytes from SPSP)');
  }
}
