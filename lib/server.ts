/**
 * A STREAM server (RFC 29 §4.1–§4.2): hands out an address and shared secret per connection,
 * recognises them statelessly from the server secret (in ilp-protocol-stream 2.7.1's token format,
 * so a service can switch implementations keeping its credentials), and emits each new
 * connection once on `connections$`.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin });
 * server.connections$
 *   .pipe(
 *     mergeMap((connection) =>
 *       connection.streams$.pipe(
 *         mergeMap((stream) => stream.money$),
 *         // A peer may close with an error: one connection's end must not end the server.
 *         catchError((error: Error) => (console.warn(error.message), EMPTY)),
 *       ),
 *     ),
 *   )
 *   .subscribe((amount) => console.log('received', amount));
 * const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
 * ```
 */
import { Observable, Subject, defer, firstValueFrom, map, switchMap, type Subscription } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { type ConnectionTokenKeys, CryptoInputError, deriveConnectionTokenKeys, deriveKeys } from './crypto';
import { IlpErrorCode, connectPlugin, fetchIldcp, ilpReject, incomingPrepares, rejectF02, rejectF06, rejectT00, type IlpPrepare, type IlpReply, type Plugin } from './ilp';
import { canonicalTokenSegment } from './crypto/connection-token';
import { Connection } from './connection/connection';
import { answerClosed, openPacket } from './connection/incoming';
import { ErrorCode, IlpPacketType } from './wire/types';
import { type ConnectionTuning, type ResolvedTuning, resolveConnectionOptions } from './connection/options';

/** What a server needs. */
export interface ServerOptions extends ConnectionTuning {
  /** The plugin to receive on; connected here if it is not yet. */
  plugin: Plugin;
  /** 32 bytes; tokens and shared secrets derive from it. Default: random per server. */
  serverSecret?: Uint8Array;
  /**
   * The most connections open at once. A Prepare that would open one more is rejected with
   * T03 (Connector Busy, RFC 27 §3.3: "rejecting requests due to overloading. Try again later"),
   * so a well-behaved client retries with backoff; nothing is kept for it, and open connections
   * are unaffected. A slot frees as soon as a connection has closed (ended, destroyed, failed or
   * idle: see `idleTimeoutMs`). Default 10,000: an open idle server connection costs about
   * 5.4 KiB of heap on Node 20 (spec/faults/flood.spec.ts measures it), so a full default pool
   * is about 55 MB, and 10,000 tokens of closed connections about 2.5 MB more; but each
   * connection may also hold up to `connectionReceiveWindow` bytes for a reader that does not
   * read, so a server accepting data from untrusted clients should lower the windows or this.
   */
  maxConnections?: number;
}

/**
 * The default of {@link ServerOptions.maxConnections}.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin, maxConnections: DEFAULT_MAX_CONNECTIONS / 10 });
 * ```
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * A snapshot of a server's connection pool.
 *
 * @example
 * ```ts
 * const { open, opened, refused } = server.stats;
 * console.log(`${open} open, ${opened} opened so far, ${refused} refused (T03)`);
 * ```
 */
export interface ServerStats {
  /** Connections open now (in the pool), including ones still closing. */
  readonly open: number;
  /** Connections opened since the server started. */
  readonly opened: number;
  /** Connections that have closed and left the pool. */
  readonly closed: number;
  /** New connections refused with T03 because `maxConnections` were open. */
  readonly refused: number;
  /** Closed connections whose late packets are still answered with ConnectionClose. */
  readonly rememberedClosed: number;
}

/** Credentials for one client: give both to it over a secure channel (e.g. SPSP). */
export interface AddressAndSecret {
  readonly destinationAccount: string;
  readonly sharedSecret: Buffer;
}

/**
 * A running STREAM server.
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret } = server.generateAddressAndSecret('order-42');
 * ```
 */
export interface Server {
  /** Each new incoming connection, once, before its first packet's frames are applied. */
  readonly connections$: Observable<Connection>;
  /** The server's ILP address (from IL-DCP). */
  readonly serverAccount: string;
  /** The server's asset code and scale (from IL-DCP). */
  readonly assetCode: string;
  readonly assetScale: number;
  /** Connections open now: the size of the pool (the same as `stats.open`). */
  readonly connectionCount: number;
  /** Counters of the connection pool, read at the moment of the call. */
  readonly stats: ServerStats;
  /** Mints an address and shared secret; the optional tag (`[A-Za-z0-9_~-]`) comes back as `connection.connectionTag`. */
  generateAddressAndSecret(connectionTag?: string): AddressAndSecret;
  /** Ends every connection cleanly, stops receiving and disconnects the plugin. */
  close(): Promise<void>;
}

/**
 * Starts a server on `options.plugin` and resolves once it is listening.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin, serverSecret });
 * ```
 */
export function createServer(options: ServerOptions): Promise<Server> {
  return firstValueFrom(startServer(options));
}

/**
 * The cold Observable form of {@link createServer}: subscribing starts the server and emits it;
 * unsubscribing closes it (every connection ends cleanly, the plugin disconnects).
 *
 * @example
 * ```ts
 * listen({ plugin }).pipe(switchMap((server) => server.connections$)).subscribe(handle);
 * ```
 */
export function listen(options: ServerOptions): Observable<Server> {
  return new Observable<Server>((subscriber) => {
    let server: Server | undefined;
    const starting = startServer(options).subscribe({
      next: (started) => {
        server = started;
        subscriber.next(started);
      },
      error: (error: unknown) => subscriber.error(error),
    });
    return () => {
      starting.unsubscribe();
      // Teardown cannot report errors; a plugin that fails to disconnect must not become an unhandled rejection.
      server?.close().catch(() => undefined);
    };
  });
}

function startServer(options: ServerOptions): Observable<Server> {
  return defer(() => {
    if (!options || !options.plugin || typeof options.plugin.sendData !== 'function') {
      throw new TypeError('options.plugin must be an ILP plugin');
    }
    const serverSecret = options.serverSecret ?? randomBytes(32);
    if (!(serverSecret instanceof Uint8Array) || serverSecret.length !== 32) {
      throw new CryptoInputError('INVALID_LENGTH', 'serverSecret', 'must be 32 bytes');
    }
    const tuning = resolveConnectionOptions(options);
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
      throw new RangeError(`maxConnections must be a safe integer >= 1, got ${String(maxConnections)}`);
    }
    const { plugin } = options;
    return connectPlugin(plugin).pipe(
      switchMap(() => fetchIldcp(plugin, { scheduler: tuning.scheduler })),
      map(
        (ildcp): Server =>
          new StreamServer(plugin, deriveConnectionTokenKeys(serverSecret), { ...tuning, maxConnections }, ildcp.clientAddress, ildcp.assetCode, ildcp.assetScale),
      ),
    );
  });
}

/** How many closed connections a server remembers to answer their late packets with ConnectionClose. */
export const CLOSED_CONNECTIONS_REMEMBERED = 10_000;

class StreamServer implements Server {
  private readonly connections = new Map<string, Connection>();
  /**
   * Tokens of recently closed connections, oldest first, so a late or retried packet gets
   * ConnectionClose instead of silently opening a second connection for the same credentials
   * (and money split across two connection objects). Only the token: the keys derive from it
   * again if a late packet comes, so a flood of closed connections leaves ~100 bytes each.
   * Bounded: the oldest are forgotten first.
   */
  private readonly closedTokens = new Set<string>();
  private opened = 0;
  private closed = 0;
  private refused = 0;
  private readonly connectionsSubject = new Subject<Connection>();
  private readonly incoming: Subscription;
  readonly connections$ = this.connectionsSubject.asObservable();

  constructor(
    private readonly plugin: Plugin,
    private readonly tokens: ConnectionTokenKeys,
    private readonly tuning: ResolvedTuning & { readonly maxConnections: number },
    readonly serverAccount: string,
    readonly assetCode: string,
    readonly assetScale: number,
  ) {
    this.incoming = incomingPrepares(plugin).subscribe({
      next: ({ prepare, respond }) => respond(this.answer(prepare)),
      // The plugin refused our data handler: nothing more can arrive, so close what we have.
      error: (error: unknown) => void this.closeConnections(error instanceof Error ? error : new Error(String(error))),
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get stats(): ServerStats {
    return { open: this.connections.size, opened: this.opened, closed: this.closed, refused: this.refused, rememberedClosed: this.closedTokens.size };
  }

  generateAddressAndSecret(connectionTag?: string): AddressAndSecret {
    const { token, sharedSecret } = this.tokens.create(connectionTag === undefined ? {} : { connectionTag });
    return { destinationAccount: `${this.serverAccount}.${token}`, sharedSecret };
  }

  async close(): Promise<void> {
    this.incoming.unsubscribe();
    await Promise.all([...this.connections.values()].map((c) => c.end()));
    this.connectionsSubject.complete();
    await this.plugin.disconnect();
  }

  private async closeConnections(error: Error): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.destroy(error)));
    this.connectionsSubject.error(error);
  }

  private rememberClosed(token: string): void {
    this.closedTokens.add(token);
    if (this.closedTokens.size > CLOSED_CONNECTIONS_REMEMBERED) {
      const oldest = this.closedTokens.values().next().value;
      if (oldest !== undefined) this.closedTokens.delete(oldest);
    }
  }

  /** Never throws: a bug or a hostile packet becomes a temporary reject, not a crashed process. */
  private answer(prepare: IlpPrepare): IlpReply {
    try {
      return this.route(prepare);
    } catch {
      return rejectT00('', this.serverAccount);
    }
  }

  /** Finds or creates the connection a Prepare is for; anything unrecognisable is F02, as the reference does. */
  private route(prepare: IlpPrepare): IlpReply {
    const prefix = this.serverAccount + '.';
    if (!prepare.destination.startsWith(prefix)) return rejectF02('', this.serverAccount);
    // The token is the segment after ours; anything after it is the client's own (29-4.2-a).
    const end = prepare.destination.indexOf('.', prefix.length);
    const token = end === -1 ? prepare.destination.slice(prefix.length) : prepare.destination.slice(prefix.length, end);
    const existing = this.connections.get(token);
    if (existing) return existing.handlePrepare(prepare);
    // One token has many spellings (either base64 alphabet, padding, the unused low bits of its
    // last character). Keyed by its one canonical spelling, an alias reaches the connection that
    // exists instead of opening a second one with the same secret, where a replayed Prepare would
    // find a fresh sequence window and be applied again (E7).
    const key = canonicalTokenSegment(token);
    if (key === undefined) return rejectF02('', this.serverAccount);
    const aliased = key === token ? undefined : this.connections.get(key);
    if (aliased) return aliased.handlePrepare(prepare);
    const opened = this.tokens.open(token);
    if (!opened) return rejectF02('', this.serverAccount);
    const keys = deriveKeys(opened.sharedSecret);
    const sourceAccount = `${prefix}${key}`;
    if (this.closedTokens.has(key)) return answerClosed({ keys, sourceAccount }, prepare, ErrorCode.NoError);
    // A new connection needs a first packet that proves the client holds the secret.
    const packet = openPacket(keys, prepare.data);
    if (!packet) return rejectF02('', this.serverAccount);
    // An authentic packet that is not a Prepare (E4) is refused as an open connection refuses it,
    // but before anything is kept for it.
    if (packet.ilpPacketType !== IlpPacketType.Prepare) return rejectF06(undefined, sourceAccount);
    if (this.connections.size >= this.tuning.maxConnections) {
      // Checked after authentication, so only a real client is told to come back later.
      this.refused += 1;
      return ilpReject(IlpErrorCode.T03_CONNECTOR_BUSY, 'server at its connection limit', undefined, this.serverAccount);
    }

    const connection = new Connection({
      ...this.tuning,
      plugin: this.plugin,
      keys,
      isServer: true,
      sourceAccount,
      sourceAssetCode: this.assetCode,
      sourceAssetScale: this.assetScale,
      ...(opened.connectionTag === undefined ? {} : { connectionTag: opened.connectionTag }),
      onClose: () => {
        if (this.connections.get(key) !== connection) return;
        this.connections.delete(key);
        this.closed += 1;
        this.rememberClosed(key);
      },
    });
    this.connections.set(key, connection);
    this.opened += 1;
    this.connectionsSubject.next(connection);
    return connection.handlePrepare(prepare);
  }
}
