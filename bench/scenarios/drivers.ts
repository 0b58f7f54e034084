/**
 * Drives both implementations through one small interface, so every end-to-end scenario runs the
 * same steps against this library and against ilp-protocol-stream 2.7.1, both ends of the same
 * implementation over the same in-memory network from `lib/network`.
 *
 * The receiving side does what an application does: accept every stream without a limit and
 * listen for its money. The reference needs `setReceiveMax` for that (its default is 0); ours
 * accepts up to 2^64-1 by default.
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
import { createConnection, createServer, type Connection, type MemoryPlugin, type Server } from '../../lib';
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
  /** Connects `plugin`, fetches IL-DCP and listens. */
  startServer(plugin: MemoryPlugin): Promise<BenchServer>;
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
  async startServer(plugin) {
    const server: Server = await createServer({ plugin });
    let moneyEvents = 0;
    server.connections$.subscribe((connection) =>
      connection.streams$.subscribe((stream) => stream.money$.subscribe(() => (moneyEvents += 1))),
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
      createStream: () => connection.createStream(),
      end: () => connection.end(),
    };
  },
};

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
  async startServer(plugin) {
    // The reference types its plugin parameter with its own copy of the plugin interface.
    const server: RefServer = await referenceModule.createServer({ plugin: plugin as never });
    let moneyEvents = 0;
    server.on('connection', (connection: RefConnection) =>
      connection.on('stream', (stream: RefStream) => {
        stream.setReceiveMax(REF_NO_LIMIT);
        stream.on('money', () => (moneyEvents += 1));
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
        return { sendTotal: (total) => stream.sendTotal(total) };
      },
      end: () => connection.end(),
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
