/**
 * Drives both implementations through one small interface, so every end-to-end scenario runs the
 * same steps against this library and against ilp-protocol-stream 2.7.1, both ends of the same
 * implementation over the same in-memory network from `lib/network`.
 *
 * The receiving side does what an application does: accept every stream without a limit and
 * listen for its money. The reference needs `setReceiveMax` for that (its default is 0); ours
 * accepts up to 2^64-1 by default. For bytes, the server either hands every chunk to
 * {@link ServerDataOptions.onData} (ours: a `data$` subscriber; the reference: a `'data'`
 * listener) or, with {@link ServerDataOptions.paused}, leaves them unread, so the receive window
 * fills and the sender blocks (ours: no `data$` subscriber and `pauseData()`; the reference:
 * `stream.pause()`).
 *
 * @example
 * ```ts
 * const network = createMemoryNetwork({ maxPacketAmount: 1000 });
 * const server = await ours.startServer(network.server);
 * const client = await ours.connect(network.client, server.credentials());
 * await client.createStream().sendTotal(1_000_000);
 * await client.end();
 * await server.close();
 * ```
 */
import type { Connection as RefConnection, DataAndMoneyStream as RefStream, Server as RefServer } from 'ilp-protocol-stream';
import { createConnection, createServer, type Connection, type DataAndMoneyStream, type MemoryPlugin, type Server } from '../../lib';
import { reference as referenceModule } from '../../spec/interop/reference-shim';

/**
 * A server's credentials for one client.
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret }: Credentials = server.credentials();
 * ```
 */
export interface Credentials {
  readonly destinationAccount: string;
  readonly sharedSecret: Buffer;
}

/**
 * What a server does with the bytes of its incoming streams. Without these options it does
 * nothing about them (what the money scenarios want).
 *
 * @example
 * ```ts
 * let received = 0;
 * const server = await ours.startServer(network.server, { onData: (chunk) => (received += chunk.length) });
 * const stalled = await reference.startServer(other.server, { paused: true }); // bytes left unread
 * ```
 */
export interface ServerDataOptions {
  /** Called with every chunk of every incoming stream, in stream order. */
  readonly onData?: (chunk: Buffer) => void;
  /**
   * Never reads: ours subscribes nothing to `data$` and calls `pauseData()`, the reference calls
   * `stream.pause()`, so incoming bytes wait in the stream up to its receive window.
   */
  readonly paused?: boolean;
}

/**
 * A running server of either implementation.
 *
 * @example
 * ```ts
 * const server: BenchServer = await reference.startServer(network.server);
 * ```
 */
export interface BenchServer {
  /** Mints credentials for one connection. */
  credentials(): Credentials;
  /** Money events the server's streams emitted so far (a cheap check that money arrived). */
  readonly moneyEvents: number;
  /** Ends every connection and disconnects the plugin. */
  close(): Promise<void>;
}

/**
 * One stream of a client connection.
 *
 * @example
 * ```ts
 * await client.createStream().sendTotal(1e6);
 * ```
 */
export interface BenchStream {
  /** Resolves once this stream's fulfilled total reaches `total` source units. */
  sendTotal(total: number): Promise<void>;
  /** Starts writing `data` on this stream (nothing else is written on it) and returns at once. */
  sendData(data: Buffer): BenchDataSend;
}

/**
 * One write in progress, as {@link BenchStream.sendData} started it.
 *
 * @example
 * ```ts
 * const send = client.createStream().sendData(Buffer.alloc(1 << 20));
 * setTimeout(() => console.log(send.movedBytes()), 100);
 * await send.done;
 * ```
 */
export interface BenchDataSend {
  /**
   * Bytes of the write the sender has moved so far; stops growing while the sender is blocked.
   * Ours: bytes the peer acknowledged (DataProgress.acknowledged). The reference: its outgoing
   * offset, i.e. bytes put in packets (it has no acknowledgement counter; once it is blocked
   * every packet has settled, so the two agree then).
   */
  movedBytes(): number;
  /**
   * Ours: resolves once the peer acknowledged every byte (`sendData` completed), rejects if it
   * errors. The reference: resolves once its write callback ran, i.e. every byte was put in a
   * packet. Never an unhandled rejection: it has a no-op handler attached.
   */
  readonly done: Promise<void>;
}

/**
 * An open client connection of either implementation.
 *
 * @example
 * ```ts
 * const client: BenchClient = await ours.connect(network.client, server.credentials());
 * await client.end();
 * ```
 */
export interface BenchClient {
  createStream(): BenchStream;
  /** Closes the connection cleanly. */
  end(): Promise<void>;
  /** Closes the connection at once, dropping whatever is still queued (a blocked write). */
  destroy(): Promise<void>;
}

/**
 * One implementation as the scenarios see it.
 *
 * @example
 * ```ts
 * for (const impl of [ours, reference]) console.log(impl.label);
 * ```
 */
export interface Implementation {
  readonly label: string;
  /** Connects `plugin`, fetches IL-DCP and listens; `data` says what to do with incoming bytes. */
  startServer(plugin: MemoryPlugin, data?: ServerDataOptions): Promise<BenchServer>;
  /** IL-DCP, handshake and rate probe; resolves once the connection is open. */
  connect(plugin: MemoryPlugin, credentials: Credentials): Promise<BenchClient>;
}

/**
 * This library (`lib/`).
 *
 * @example
 * ```ts
 * const server = await ours.startServer(network.server);
 * ```
 */
export const ours: Implementation = {
  label: 'ilp-stream-rx',
  async startServer(plugin, data) {
    const server: Server = await createServer({ plugin });
    let moneyEvents = 0;
    const { onData, paused = false } = data ?? {};
    server.connections$.subscribe((connection) =>
      connection.streams$.subscribe((stream) => {
        stream.money$.subscribe(() => (moneyEvents += 1));
        if (onData) stream.data$.subscribe(onData);
        if (paused) stream.pauseData();
      }),
    );
    return {
      credentials: () => server.generateAddressAndSecret(),
      get moneyEvents() {
        return moneyEvents;
      },
      close: () => server.close(),
    };
  },
  async connect(plugin, credentials) {
    const connection: Connection = await createConnection({ plugin, ...credentials });
    return {
      createStream: () => {
        const stream = connection.createStream();
        return { sendTotal: (total) => stream.sendTotal(total), sendData: (bytes) => sendOursData(stream, bytes) };
      },
      end: () => connection.end(),
      destroy: () => connection.destroy(),
    };
  },
};

/** Ours' `sendData`, subscribed once, as a {@link BenchDataSend}. */
function sendOursData(stream: DataAndMoneyStream, bytes: Buffer): BenchDataSend {
  let acknowledged = 0;
  const done = new Promise<void>((resolve, reject) => {
    stream.sendData(bytes).subscribe({ next: (progress) => (acknowledged = progress.acknowledged), error: reject, complete: resolve });
  });
  done.catch(() => undefined);
  return { movedBytes: () => acknowledged, done };
}

/** The reference's `write`, as a {@link BenchDataSend}. */
function sendRefData(stream: RefStream, bytes: Buffer): BenchDataSend {
  const done = new Promise<void>((resolve, reject) => {
    stream.write(bytes, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
  done.catch(() => undefined);
  // Its `outgoingOffset` is protected; `_getOutgoingOffsets` is the public view of it.
  return { movedBytes: () => stream._getOutgoingOffsets().current, done };
}

// The reference accepts money up to its stream's receive max; this is u64 max, i.e. no limit.
const REF_NO_LIMIT = '18446744073709551615';

/**
 * ilp-protocol-stream 2.7.1, loaded through the Node >= 18 shim.
 *
 * @example
 * ```ts
 * const server = await reference.startServer(network.server);
 * ```
 */
export const reference: Implementation = {
  label: 'ilp-protocol-stream 2.7.1',
  async startServer(plugin, data) {
    // The reference types its plugin parameter with its own copy of the plugin interface.
    const server: RefServer = await referenceModule.createServer({ plugin: plugin as never });
    let moneyEvents = 0;
    const { onData, paused = false } = data ?? {};
    server.on('connection', (connection: RefConnection) =>
      connection.on('stream', (stream: RefStream) => {
        stream.setReceiveMax(REF_NO_LIMIT);
        stream.on('money', () => (moneyEvents += 1));
        if (onData) stream.on('data', onData);
        if (paused) stream.pause();
      }),
    );
    return {
      credentials: () => server.generateAddressAndSecret(),
      get moneyEvents() {
        return moneyEvents;
      },
      close: () => server.close(),
    };
  },
  async connect(plugin, credentials) {
    const connection: RefConnection = await referenceModule.createConnection({ plugin: plugin as never, ...credentials });
    return {
      createStream: () => {
        const stream = connection.createStream();
        return { sendTotal: (total) => stream.sendTotal(total), sendData: (bytes) => sendRefData(stream, bytes) };
      },
      end: () => connection.end(),
      destroy: () => connection.destroy(),
    };
  },
};

/**
 * Both, keyed as the table's columns.
 *
 * @example
 * ```ts
 * const { ours, ref } = implementations;
 * ```
 */
export const implementations = { ours, ref: reference } as const;
