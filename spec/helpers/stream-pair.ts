/**
 * Test helper for the stream data specs (spec/stream/data-stream.spec.ts, duplex.spec.ts): our
 * server and our client over the in-memory network with every stream each side sees collected, a
 * teardown list run after each test, and the small waiting and hashing helpers those specs share.
 */
import { createHash } from 'node:crypto';
import {
  type Connection,
  type ConnectionTuning,
  type DataAndMoneyStream,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryPlugin,
  type Plugin,
  type StreamKeys,
  createConnection,
  createMemoryNetwork,
  createServer,
  deriveKeys,
} from '../../lib';

/**
 * Hex SHA-256 of `bytes`: two buffers are byte-identical when their digests are equal.
 *
 * @example
 * ```ts
 * expect(sha256(received.bytes())).toBe(sha256(payload));
 * ```
 */
export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await sleep(100); // long enough for a sender that was going to send more to do so
 * ```
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `predicate()` holds (checked every 5 ms); rejects naming `what` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitFor('the server stream to close', () => serverStream.state === 'closed');
 * ```
 */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

const teardowns: Array<() => Promise<void>> = [];

/**
 * Registers `teardown` to run at the next {@link runTeardowns}, so that what a test opened is
 * closed even when the test failed half-way.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin: network.server });
 * onTeardown(() => server.close());
 * ```
 */
export function onTeardown(teardown: () => Promise<void>): void {
  teardowns.push(teardown);
}

/**
 * Runs every teardown registered since the last call, the latest first, each failure ignored.
 *
 * @example
 * ```ts
 * afterEach(runTeardowns);
 * ```
 */
export async function runTeardowns(): Promise<void> {
  for (const teardown of teardowns.splice(0).reverse()) await teardown().catch(() => undefined);
}

/**
 * What {@link streamPair} sets up.
 *
 * @example
 * ```ts
 * const options: StreamPairOptions = { network: { latency: 5 }, client: { window: 1 }, onServerStream: (s) => s.pauseData() };
 * ```
 */
export interface StreamPairOptions {
  /** The memory network's options (latency, rate, max packet amount…). */
  network?: MemoryNetworkOptions;
  /** Our server's tuning. */
  server?: ConnectionTuning;
  /** Our client connection's tuning. */
  client?: ConnectionTuning;
  /** Wraps the client's plugin, e.g. to record or lose its packets. */
  clientPlugin?: (plugin: MemoryPlugin) => Plugin;
  /** Runs synchronously for each stream as the server's connection sees it appear. */
  onServerStream?: (stream: DataAndMoneyStream) => void;
}

/**
 * Our server and client, connected by {@link streamPair}.
 *
 * @example
 * ```ts
 * const pair: StreamPair = await streamPair();
 * const serverStream = await pair.serverStream();
 * ```
 */
export interface StreamPair {
  network: MemoryNetwork;
  client: Connection;
  /** The server's side of the connection. */
  serverConnection: Connection;
  /** Streams the client opened, as the server sees them, in arrival order. */
  serverStreams: DataAndMoneyStream[];
  /** Streams the server opened, as the client sees them. */
  clientStreams: DataAndMoneyStream[];
  /** The connection's keys, to decrypt the packets the network's hooks see. */
  keys: StreamKeys;
  /** Waits (10 s at most) for the server's side of the first stream the client opened. */
  serverStream(): Promise<DataAndMoneyStream>;
  /** Destroys both connections and closes the server (also registered with {@link onTeardown}). */
  close(): Promise<void>;
}

/**
 * Our server and our client connected over a fresh in-memory network; each side's streams are
 * collected as they appear (stream errors are left to the tests that assert them), and the pair
 * is closed at the next {@link runTeardowns} if the test does not close it itself.
 *
 * @example
 * ```ts
 * afterEach(runTeardowns);
 * const pair = await streamPair({ network: { latency: 1 }, server: { streamReceiveWindow: 65_536 } });
 * await lastValueFrom(pair.client.createStream().sendData('hello'));
 * const serverStream = await pair.serverStream();
 * ```
 */
export async function streamPair(options: StreamPairOptions = {}): Promise<StreamPair> {
  const network = createMemoryNetwork(options.network);
  const server = await createServer({ plugin: network.server, ...options.server });
  const serverStreams: DataAndMoneyStream[] = [];
  let serverConnection: Connection | undefined;
  server.connections$.subscribe((connection) => {
    serverConnection ??= connection;
    connection.streams$.subscribe({
      next: (stream) => {
        serverStreams.push(stream);
        options.onServerStream?.(stream);
      },
      error: () => undefined, // the connection's error is asserted where it matters
    });
  });
  const credentials = server.generateAddressAndSecret();
  const plugin = options.clientPlugin ? options.clientPlugin(network.client) : network.client;
  const client = await createConnection({ plugin, ...credentials, ...options.client });
  const clientStreams: DataAndMoneyStream[] = [];
  client.streams$.subscribe({ next: (stream) => clientStreams.push(stream), error: () => undefined });
  if (!serverConnection) throw new Error('the server saw no connection');
  const connection = serverConnection;
  const close = async (): Promise<void> => {
    await client.destroy();
    await connection.destroy();
    await server.close();
  };
  onTeardown(close);
  return {
    network,
    client,
    serverConnection: connection,
    serverStreams,
    clientStreams,
    keys: deriveKeys(credentials.sharedSecret),
    async serverStream() {
      await waitFor('the server to see the stream', () => serverStreams.length > 0);
      return serverStreams[0] as DataAndMoneyStream;
    },
    close,
  };
}
