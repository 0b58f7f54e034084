/**
 * The dashboard's web server: plain `node:http` on 127.0.0.1. `GET /` is the page, `GET /events`
 * a server-sent event stream of the current payment (`info` once, then `snapshot`s), `POST /pay`
 * starts a payment when none is running. Nothing is fetched from anywhere else.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboardServer({ port: 0, payment: { amount: 100_000n } });
 * console.log(dashboard.url); // http://127.0.0.1:<port>/
 * await dashboard.startPayment();
 * await dashboard.close();
 * ```
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { map, Observable, Subject, type Subscription } from 'rxjs';
import { openPaymentSession, type PaymentOptions, type PaymentResult, type PaymentSession } from './payment';
import { infoToWire, snapshotToWire, sseMessage } from './wire';

/**
 * Options of {@link startDashboardServer}.
 *
 * @example
 * ```ts
 * const options: DashboardServerOptions = { port: 8080, payment: { exchangeRate: '0.5' } };
 * ```
 */
export interface DashboardServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Options of every payment this server starts. */
  readonly payment?: PaymentOptions;
}

/**
 * A running dashboard.
 *
 * @example
 * ```ts
 * dashboard.sessions$.subscribe((session) => console.log('paying', session.info.amount));
 * ```
 */
export interface DashboardServer {
  /** The page's address, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string;
  /** Each payment session as it opens (before any money moves). */
  readonly sessions$: Observable<PaymentSession>;
  /** Starts a payment and resolves with the library's final totals; rejects if one is running. */
  startPayment(): Promise<PaymentResult>;
  /** Ends the event streams, tears down a running payment and closes the server. */
  close(): Promise<void>;
}

const PAGE = readFileSync(join(__dirname, 'page.html'));

/** The latest `info` and `snapshot` messages, replayed to a page that connects late. */
interface Broadcast {
  info?: string;
  snapshot?: string;
}

function validPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in 0..65535, got ${String(port)}`);
  return port;
}

/**
 * Starts the dashboard server on 127.0.0.1. No payment starts by itself: call `startPayment()` or
 * press the page's button (`POST /pay`).
 *
 * @param options - see {@link DashboardServerOptions}
 * @returns the running server, once it listens
 *
 * @example
 * ```ts
 * const dashboard = await startDashboardServer({ port: Number(process.env.PORT ?? 0) });
 * void dashboard.startPayment().catch(console.error);
 * ```
 */
export async function startDashboardServer(options: DashboardServerOptions = {}): Promise<DashboardServer> {
  const port = validPort(options.port ?? 0);
  const messages = new Subject<string>();
  const sessions = new Subject<PaymentSession>();
  const latest: Broadcast = {};
  const responses = new Set<ServerResponse>();
  let running: { session?: PaymentSession; subscription?: Subscription } | undefined;
  let closing: Promise<void> | undefined;

  const publish = (kind: keyof Broadcast, message: string): void => {
    latest[kind] = message;
    messages.next(message);
  };

  async function startPayment(): Promise<PaymentResult> {
    if (running) throw new Error('a payment is already running');
    const current: { session?: PaymentSession; subscription?: Subscription } = {};
    running = current;
    try {
      const session = await openPaymentSession(options.payment);
      current.session = session;
      if (closing) {
        // close() ran while the connection was being opened: nothing may outlive the server.
        await session.destroy();
        throw new Error('the dashboard server closed');
      }
      delete latest.snapshot;
      publish('info', sseMessage('info', infoToWire(session.info)));
      current.subscription = session.snapshots$
        .pipe(map((snapshot) => sseMessage('snapshot', snapshotToWire(snapshot))))
        .subscribe((message) => publish('snapshot', message));
      sessions.next(session);
      return await session.pay();
    } finally {
      running = undefined;
    }
  }

  function events(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // Reconnect quickly if the stream drops; then replay where the payment stands.
    response.write('retry: 1000\n\n');
    if (latest.info) response.write(latest.info);
    if (latest.snapshot) response.write(latest.snapshot);
    responses.add(response);
    const subscription = messages.subscribe((message) => response.write(message));
    request.on('close', () => {
      subscription.unsubscribe();
      responses.delete(response);
    });
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (path === '/' && request.method === 'GET') return send(200, 'text/html; charset=utf-8', PAGE);
    if (path === '/events' && request.method === 'GET') return events(request, response);
    if (path === '/pay' && request.method === 'POST') {
      if (running) return send(409, 'application/json', JSON.stringify({ error: 'a payment is already running' }));
      // The outcome reaches the page as snapshots; a failure is logged (unless close() caused it),
      // never left unhandled.
      startPayment().catch((error: unknown) => {
        if (!closing) console.error('dashboard payment failed:', error);
      });
      return send(202, 'application/json', JSON.stringify({ started: true }));
    }
    if (path === '/' || path === '/events' || path === '/pay') return send(405, 'text/plain', 'method not allowed\n');
    return send(404, 'text/plain', 'not found\n');
  }

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}/`,
    sessions$: sessions.asObservable(),
    startPayment,
    close() {
      closing ??= (async () => {
        const current = running;
        await current?.session?.destroy();
        current?.subscription?.unsubscribe();
        messages.complete();
        sessions.complete();
        for (const response of responses) response.end();
        responses.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
