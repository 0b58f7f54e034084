/**
 * An ilp-plugin-btp instance in server mode on 127.0.0.1, started and stopped deterministically.
 *
 * ilp-plugin-btp's `connect()` resolves only once a client has logged in, and the plugin offers no
 * public way to learn when its WebSocket server listens, on which port, or when it has closed.
 * The subclass reads its protected `_wss` (what subclassing the abstract plugin is for) so the
 * network can wait for exactly those moments and hand out a port chosen by the OS.
 *
 * @example
 * ```ts
 * const listener = new BtpListener(0, 'secret');
 * const port = await listener.start();
 * // ... a client connects to btp+ws://:secret@127.0.0.1:port ...
 * await listener.stop();
 * ```
 */
import type { AddressInfo } from 'node:net';
import BtpPlugin from 'ilp-plugin-btp';
import { describeError } from '../ilp/describe-error';
import { BtpNetworkError } from './errors';

/** The part of ws's server the listener needs. */
interface SocketServer {
  address(): AddressInfo | string | null;
  once(event: 'listening' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * A BTP server-mode plugin bound to 127.0.0.1. It is a full {@link Plugin} (it is the network's
 * side of the link), plus {@link start} and {@link stop}. One client at a time: a second login
 * replaces the first, as ilp-plugin-btp does.
 *
 * @example
 * ```ts
 * const port = await new BtpListener(0, 'secret').start();
 * ```
 */
/** How long the listener waits for its client to answer a BTP request. */
export const LISTENER_RESPONSE_TIMEOUT_MS = 5_000;

export class BtpListener extends BtpPlugin {
  private socketServer: SocketServer | undefined;
  private stopped = false;

  /**
   * @param port - the TCP port; 0 lets the OS pick a free one
   * @param secret - the token clients must present
   */
  constructor(port: number, secret: string) {
    // A 5 s response timeout instead of ilp-plugin-btp's 35 s: the clients are on loopback and
    // answer in milliseconds, and the plugin never clears a pending timer on disconnect, so a lost
    // reply would otherwise keep the process (and a test run) alive for 35 s after stop().
    super({ listener: { port, secret, wsOpts: { host: '127.0.0.1', port } }, responseTimeout: LISTENER_RESPONSE_TIMEOUT_MS });
  }

  /**
   * Starts listening; resolves with the port once the socket listens. Rejects with
   * {@link BtpNetworkError} `LISTEN_FAILED` if it cannot (the port is taken, say).
   */
  async start(): Promise<number> {
    // Resolves when the first client logs in, which may be never; rejects if stopped before that.
    const firstLogin = this.connect();
    firstLogin.catch(() => undefined);
    const server = this._wss as unknown as SocketServer | null;
    if (server === null) {
      const cause = await firstLogin.then(() => undefined, (error: unknown) => error);
      throw new BtpNetworkError('LISTEN_FAILED', `ilp-plugin-btp did not start its WebSocket server: ${describeError(cause)}`, { cause });
    }
    this.socketServer = server;
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => {
          server.off('listening', onListening);
          reject(error);
        };
        const onListening = (): void => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
      });
    } catch (error) {
      await this.stop();
      throw new BtpNetworkError('LISTEN_FAILED', `cannot listen on 127.0.0.1: ${describeError(error)}`, { cause: error });
    }
    // ws re-emits socket errors; without a listener one would crash the process. Clients see the drop.
    server.on('error', () => undefined);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new BtpNetworkError('LISTEN_FAILED', 'the server has no TCP address');
    return address.port;
  }

  /** Disconnects the client, closes the socket, and resolves once the port is released. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const server = this.socketServer;
    const released = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => void server.once('close', resolve));
    await this.disconnect();
    await released;
  }
}
