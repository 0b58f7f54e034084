/**
 * A BTP client plugin (RFC 23) over the WHATWG WebSocket API, so that a page can reach a
 * connector or a STREAM server: `new BtpWebSocketPlugin({ server: 'btp+wss://:token@host' })`.
 * It needs no Node module: the browser's `WebSocket` by default, `ws`'s class in Node.
 *
 * What it does: the auth handshake (`auth`, `auth_username`, `auth_token`), Messages carrying
 * ILP packets both ways with request ids and Responses/Errors, a timeout per request on an RxJS
 * scheduler, `'connect'`/`'disconnect'` events, and, with the `reconnect` option, getting a
 * dropped link back by itself. What it does not do: settle money (BTP Transfers are refused).
 *
 * @example
 * ```ts
 * const plugin = new BtpWebSocketPlugin({ server: 'btp+ws://:secret@127.0.0.1:7768' });
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * ```
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { BtpPluginError } from './btp-errors';
import { type BtpReconnectOptions, type ResolvedBtpReconnect, reconnectAttempts, resolveBtpReconnect } from './btp-reconnect';
import { authMessage, btpError, decodeBtp, ilpMessage, ilpResponse, type DecodedBtp } from './btp-frames';
import { type BtpAnswer, PendingRequests } from './btp-pending-requests';
import { parseBtpServerUrl, type BtpEndpoint } from './btp-url';
import { globalWebSocket, messageBytes, WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './btp-websocket';
import type { DataHandler, Plugin } from './plugin';

/**
 * Options of {@link BtpWebSocketPlugin}.
 *
 * @example
 * ```ts
 * const options: BtpWebSocketPluginOptions = { server: 'btp+wss://alice:token@connector.example', responseTimeout: 10_000 };
 * ```
 */
export interface BtpWebSocketPluginOptions {
  /** `btp+ws://user:token@host:port/path` (also `btp+wss`, `ws`, `wss`); credentials go into the auth message. */
  readonly server: string;
  /** Overrides the URL's username for `auth_username`. */
  readonly username?: string;
  /** Overrides the URL's password for `auth_token`. */
  readonly token?: string;
  /** The WebSocket class; default the global one (browsers). In Node pass `ws`'s `WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** Milliseconds to wait for the answer to each request (auth included). Default 30,000. */
  readonly responseTimeout?: number;
  /** Times the request timeouts and the reconnect waits. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Reconnect (and authenticate again) when the link drops by itself: `true` for the defaults of
   * {@link BtpReconnectOptions}, or an object. A `disconnect()` call is never undone. A link that
   * drops again within `maxDelayMs` of coming back continues the same outage: its attempts count
   * towards `maxAttempts` and the waits keep growing. On giving up the plugin emits
   * `'reconnect_failed'` with the last error and stays down. Default off:
   * `sendData` rejects `NOT_CONNECTED` until you call `connect()` again. While the link is down,
   * STREAM counts the failed sends as temporary (T00) and retries them within its retry budget.
   */
  readonly reconnect?: boolean | BtpReconnectOptions;
}

/** Default wait for an answer, a little above ILP's usual 30 s Prepare expiry budget. */
export const BTP_DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

type Listener = (...args: unknown[]) => void;
type PluginEvent = 'connect' | 'disconnect' | 'reconnect_failed';

/** One WebSocket and the state that lives and dies with it. */
interface Session {
  readonly socket: WebSocketLike;
  readonly requests: PendingRequests;
  authenticated: boolean;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
}

/**
 * The plugin. One connection at a time; `connect()` after a disconnect opens a new socket and
 * authenticates again (RFC 23: a reconnected link must re-authenticate).
 *
 * @example
 * ```ts
 * const plugin = new BtpWebSocketPlugin({ server, WebSocket }); // WebSocket from 'ws' in Node
 * await plugin.connect();
 * plugin.registerDataHandler(async (prepare) => answer(prepare));
 * const reply = await plugin.sendData(serializedPrepare);
 * ```
 */
export class BtpWebSocketPlugin implements Plugin {
  private readonly endpoint: BtpEndpoint;
  private readonly WebSocketClass: WebSocketConstructor;
  private readonly responseTimeout: number;
  private readonly scheduler: SchedulerLike;
  private readonly listeners = new Map<string, Set<Listener>>();
  private dataHandler: DataHandler | undefined;
  private session: Session | undefined;
  private connecting: Promise<void> | undefined;
  private readonly reconnect: ResolvedBtpReconnect | undefined;
  private reconnecting: Subscription | undefined;
  /** Reconnect attempts spent on the current outage, and when the link last came up. */
  private reconnectSpent = 0;
  private upSince = Number.NEGATIVE_INFINITY;

  /** Validates the options; throws {@link BtpPluginError} `INVALID_OPTION`. Opens nothing yet. */
  constructor(options: BtpWebSocketPluginOptions) {
    if (typeof options !== 'object' || options === null) throw new BtpPluginError('INVALID_OPTION', 'options must be an object');
    const parsed = parseBtpServerUrl(options.server);
    this.endpoint = {
      url: parsed.url,
      username: optionalString(options.username, 'username') ?? parsed.username,
      token: optionalString(options.token, 'token') ?? parsed.token,
    };
    const WebSocketClass = options.WebSocket ?? globalWebSocket();
    if (typeof WebSocketClass !== 'function') {
      throw new BtpPluginError('INVALID_OPTION', 'this runtime has no global WebSocket: pass options.WebSocket (in Node, the WebSocket class of ws)');
    }
    this.WebSocketClass = WebSocketClass;
    const timeout = options.responseTimeout ?? BTP_DEFAULT_RESPONSE_TIMEOUT_MS;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
      throw new BtpPluginError('INVALID_OPTION', 'responseTimeout must be a positive number of milliseconds');
    }
    this.responseTimeout = timeout;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.reconnect = resolveBtpReconnect(options.reconnect);
  }

  /**
   * Opens the socket and authenticates. Resolves once the server accepted the credentials;
   * rejects with `AUTH_REJECTED` (the server answered with a BTP Error), `CONNECTION_CLOSED`
   * (the socket could not open or closed first) or `TIMEOUT`. Concurrent calls share one attempt.
   */
  connect(): Promise<void> {
    // The caller's own connect starts afresh: an outage given up on is not held against it.
    this.reconnectSpent = 0;
    return this.open();
  }

  private open(): Promise<void> {
    if (this.session?.authenticated === true) return Promise.resolve();
    this.connecting ??= this.openSession().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Closes the socket and stops any reconnecting; in-flight requests fail with
   * `CONNECTION_CLOSED`. Resolves once it has closed.
   */
  async disconnect(): Promise<void> {
    this.stopReconnecting();
    const session = this.session;
    if (session === undefined) return;
    this.endSession(session, 'disconnect() was called', true);
    closeQuietly(session.socket, 1000, 'disconnect');
    await session.closed;
  }

  /** True between a successful auth and the socket closing. */
  isConnected(): boolean {
    return this.session?.authenticated === true && this.session.socket.readyState === WEBSOCKET_OPEN;
  }

  /**
   * Sends a serialized ILP Prepare in a BTP Message and resolves with the serialized reply from
   * the Response. Rejects with {@link BtpPluginError}: `INVALID_ARGUMENT`, `NOT_CONNECTED`,
   * `PEER_ERROR` (a BTP Error, or a Response without ILP data), `TIMEOUT`, `CONNECTION_CLOSED`.
   */
  async sendData(data: Buffer): Promise<Buffer> {
    if (!(data instanceof Uint8Array)) throw new BtpPluginError('INVALID_ARGUMENT', 'data must be a Buffer or Uint8Array');
    const session = this.session;
    if (session === undefined || !this.isConnected()) throw new BtpPluginError('NOT_CONNECTED', 'connect() first, or again after a disconnect');
    const answer = await this.request(session, (requestId) => ilpMessage(requestId, data));
    if (answer.kind === 'error') {
      throw new BtpPluginError('PEER_ERROR', `the peer answered with BTP ${answer.code} ${answer.errorName}: ${answer.data}`, answer.code);
    }
    if (answer.ilp === undefined) throw new BtpPluginError('PEER_ERROR', 'the peer answered without an ILP packet');
    return answer.ilp;
  }

  /** Installs the handler for the peer's Prepares; throws `HANDLER_ALREADY_REGISTERED` if one is set. */
  registerDataHandler(handler: DataHandler): void {
    if (typeof handler !== 'function') throw new BtpPluginError('INVALID_ARGUMENT', 'the data handler must be a function');
    if (this.dataHandler !== undefined) throw new BtpPluginError('HANDLER_ALREADY_REGISTERED', 'deregister the current data handler first');
    this.dataHandler = handler;
  }

  /** Removes the data handler; Prepares then get a BTP Error F00. */
  deregisterDataHandler(): void {
    this.dataHandler = undefined;
  }

  /**
   * Listens for `'connect'` (after each successful auth), `'disconnect'` (each time the link goes
   * down) and `'reconnect_failed'` (the `reconnect` option gave up; the listener gets the last error).
   */
  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** The EventEmitter name for {@link off}. */
  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  private emit(event: PluginEvent, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch {
        // A listener's failure must not break the plugin's state handling.
      }
    }
  }

  private async openSession(): Promise<void> {
    const previous = this.session;
    if (previous !== undefined) {
      this.endSession(previous, 'replaced by a new connect()');
      closeQuietly(previous.socket, 1000, 'reconnect');
    }
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketClass(this.endpoint.url);
    } catch (error) {
      throw new BtpPluginError('CONNECTION_CLOSED', `cannot open a WebSocket to ${this.endpoint.url}: ${String(error)}`);
    }
    socket.binaryType = 'arraybuffer';
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const session: Session = { socket, requests: new PendingRequests(this.scheduler, this.responseTimeout), authenticated: false, closed };
    this.session = session;

    const opened = new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onclose = (event: { code?: number }) => {
        reject(new BtpPluginError('CONNECTION_CLOSED', `the WebSocket to ${this.endpoint.url} closed (code ${String(event.code)}) before BTP auth`));
        this.onSocketClosed(session, markClosed);
      };
    });
    // Errors are followed by a close event, which is where the state changes; ws also needs a
    // listener here or it would throw the error out of its EventEmitter.
    socket.onerror = () => undefined;
    socket.onmessage = (event: { data: unknown }) => this.onMessage(session, event.data);

    try {
      await opened;
      socket.onclose = () => this.onSocketClosed(session, markClosed);
      const { username, token } = this.endpoint;
      const answer = await this.request(session, (requestId) => authMessage(requestId, username, token));
      if (answer.kind === 'error') {
        throw new BtpPluginError('AUTH_REJECTED', `the server refused the credentials: ${answer.code} ${answer.errorName}: ${answer.data}`, answer.code);
      }
      if (this.session !== session || socket.readyState !== WEBSOCKET_OPEN) {
        throw new BtpPluginError('CONNECTION_CLOSED', 'the WebSocket closed during BTP auth');
      }
    } catch (error) {
      // RFC 23: a client that got an Error, or no answer, to its auth closes the connection.
      this.endSession(session, 'BTP auth failed');
      closeQuietly(socket, 1000, 'auth failed');
      throw error;
    }
    session.authenticated = true;
    this.upSince = this.scheduler.now();
    this.emit('connect');
  }

  /** Sends one request on `session` and waits for its answer. */
  private request(session: Session, build: (requestId: number) => Buffer): Promise<BtpAnswer> {
    const { requestId, answer } = session.requests.open();
    try {
      session.socket.send(build(requestId));
    } catch (error) {
      session.requests.fail(requestId, new BtpPluginError('CONNECTION_CLOSED', `cannot send on the WebSocket: ${String(error)}`));
    }
    return answer;
  }

  private onMessage(session: Session, data: unknown): void {
    const bytes = messageBytes(data);
    // RFC 23 §Flow: unreadable packets and answers to nothing get no answer of ours.
    const packet = bytes && decodeBtp(bytes);
    if (packet === undefined) return;
    switch (packet.kind) {
      case 'response':
        session.requests.settle(packet.requestId, { kind: 'response', ilp: packet.ilp });
        return;
      case 'error':
        session.requests.settle(packet.requestId, packet);
        return;
      default:
        // Requests from the peer only count once it has accepted us.
        if (session.authenticated) this.answerRequest(session, packet);
    }
  }

  private answerRequest(session: Session, packet: Extract<DecodedBtp, { kind: 'message' | 'transfer' }>): void {
    const reply = (bytes: Buffer): void => {
      if (this.session === session && session.socket.readyState === WEBSOCKET_OPEN) sendQuietly(session.socket, bytes);
    };
    const refuse = (detail: string): void => reply(btpError(packet.requestId, 'F00', 'NotAcceptedError', detail, this.scheduler.now()));
    if (packet.kind === 'transfer') return refuse('this plugin does not accept BTP transfers');
    if (packet.ilp === undefined) return reply(ilpResponse(packet.requestId));
    const handler = this.dataHandler;
    if (handler === undefined) return refuse('no data handler is registered');
    let handled: Promise<Buffer>;
    try {
      handled = Promise.resolve(handler(packet.ilp));
    } catch (error) {
      handled = Promise.reject(error);
    }
    handled.then(
      (ilpReply) => (ilpReply instanceof Uint8Array ? reply(ilpResponse(packet.requestId, ilpReply)) : refuse('the data handler returned no packet')),
      (error: unknown) => refuse(`the data handler failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private onSocketClosed(session: Session, markClosed: () => void): void {
    this.endSession(session, 'the WebSocket closed');
    markClosed();
  }

  /**
   * Fails what waits on `session` and, if it was the live one and was up, emits `'disconnect'`
   * and, unless the caller asked for it, starts reconnecting.
   */
  private endSession(session: Session, why: string, asked = false): void {
    session.requests.failAll(new BtpPluginError('CONNECTION_CLOSED', why));
    if (this.session !== session) return;
    this.session = undefined;
    const wasUp = session.authenticated;
    session.authenticated = false;
    if (!wasUp) return;
    // Before the event: a listener that calls disconnect() then stops it.
    if (!asked) this.startReconnecting();
    this.emit('disconnect');
  }

  private startReconnecting(): void {
    if (this.reconnect === undefined) return;
    // Only a link that was up drops, so an earlier run of attempts has just succeeded: replace it.
    this.reconnecting?.unsubscribe();
    const options = this.reconnect;
    // A link that stayed up for the longest wait was healthy again: a new outage starts afresh.
    if (this.scheduler.now() - this.upSince >= options.maxDelayMs) this.reconnectSpent = 0;
    this.reconnecting = reconnectAttempts(() => this.open(), options, this.scheduler, this.reconnectSpent).subscribe({
      next: (spent) => (this.reconnectSpent = spent),
      // Attempts spent, or credentials refused: the plugin stays down until connect().
      error: (error: unknown) => this.emit('reconnect_failed', error),
    });
  }

  private stopReconnecting(): void {
    this.reconnecting?.unsubscribe();
    this.reconnecting = undefined;
  }
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new BtpPluginError('INVALID_OPTION', `${name} must be a string`);
}

function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closing or closed.
  }
}

function sendQuietly(socket: WebSocketLike, bytes: Buffer): void {
  try {
    socket.send(bytes);
  } catch {
    // The socket went down between the check and the send; the close event handles the rest.
  }
}
