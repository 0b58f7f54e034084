/**
 * node:http servers on 127.0.0.1 for the SPSP specs, each closed (keep-alive sockets included)
 * by `closeAll()` in an afterEach, so jest exits without open handles.
 */
import { type RequestListener, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MemoryNetwork, type Server, createMemoryNetwork, createServer as createStreamServer } from '../../lib';

export interface LocalHttp {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  close(): Promise<void>;
}

const open: Array<() => Promise<void>> = [];

/** Listens on an ephemeral port of 127.0.0.1. */
export async function listenLocal(listener: RequestListener): Promise<LocalHttp> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      // fetch keeps sockets alive; close() alone would wait for them to time out.
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  open.push(close);
  return { port, origin: `http://127.0.0.1:${port}`, close };
}

/** A STREAM server over a fresh in-memory network, closed by `closeAll()`. */
export async function streamServer(): Promise<{ network: MemoryNetwork; server: Server }> {
  const network = createMemoryNetwork();
  const server = await createStreamServer({ plugin: network.server });
  open.push(() => server.close());
  return { network, server };
}

/** Registers any other teardown for `closeAll()`. */
export function onClose(teardown: () => Promise<void>): void {
  open.push(teardown);
}

/** Closes everything opened since the last call, newest first. */
export async function closeAll(): Promise<void> {
  for (const close of open.splice(0).reverse()) await close();
}

/** A raw GET with the given headers, for checking exactly what the endpoint answers. */
export async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { method, headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A request through node:http, which (unlike fetch) sends no Accept header unless told to. */
export function rawRequest(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
