/**
 * A real ILP topology over WebSockets, for tests, the demo and benchmarks: two BTP listeners on
 * 127.0.0.1 joined by the same connector as the in-memory network (IL-DCP, exchange rate, max
 * packet amount with F08 data, routing, the fault hook, the counters). Each side connects an
 * ordinary `ilp-plugin-btp` client to its URL, so every packet crosses two real WebSocket hops
 * and the BTP codec, as it would through ilp-connector.
 *
 * @example
 * ```ts
 * const network = await createBtpNetwork({ exchangeRate: 0.5, maxPacketAmount: 1000 });
 * const serverPlugin = new BtpPlugin({ server: network.serverUrl });
 * const clientPlugin = new BtpPlugin({ server: network.clientUrl });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { BtpListener } from './btp-listener';
import { Connector } from './connector';
import { type NetworkControls, networkControls } from './controls';
import { BtpNetworkError, isMemoryNetworkError } from './errors';
import { type MemoryNetworkEnd, type MemoryNetworkOptions, resolveOptions } from './options';
import { PluginPort, servePort } from './plugin-port';

/**
 * Options for {@link createBtpNetwork}: those of the in-memory network (rate, max packet amount,
 * ends, fault hook, `verifyFulfillments`; `latency` adds that many ms each way on top of the real
 * loopback, timed on `scheduler`), plus the listeners' ports and secrets. The ends default to
 * `test.btp.client` and `test.btp.server` (XRP, scale 9) and the connector to `test.btp`.
 */
export interface BtpNetworkOptions extends MemoryNetworkOptions {
  /** TCP port of the client side's listener on 127.0.0.1. Default 0: a free port chosen by the OS. */
  clientPort?: number;
  /** TCP port of the server side's listener on 127.0.0.1. Default 0: a free port chosen by the OS. */
  serverPort?: number;
  /** Token the client side's plugin must present (letters, digits, `-._~`). Default: random. */
  clientSecret?: string;
  /** Token the server side's plugin must present (letters, digits, `-._~`). Default: random. */
  serverSecret?: string;
}

/** A running BTP network: where each side connects, the counters and setters, and how to stop it. */
export interface BtpNetwork extends NetworkControls {
  /** `btp+ws://:secret@127.0.0.1:port` for the client side: `new BtpPlugin({ server: clientUrl })`. */
  readonly clientUrl: string;
  /** `btp+ws://:secret@127.0.0.1:port` for the server side: `new BtpPlugin({ server: serverUrl })`. */
  readonly serverUrl: string;
  /**
   * Closes both listeners and resolves once their ports are released. Disconnect the client
   * plugins first: a BTP client whose server vanishes keeps trying to reconnect.
   */
  close(): Promise<void>;
}

const SECRET = /^[A-Za-z0-9._~-]{1,256}$/;

function invalid(detail: string): BtpNetworkError {
  return new BtpNetworkError('INVALID_OPTION', detail);
}

function checkPort(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65_535) {
    throw invalid(`${name} must be an integer in 0..65535, got ${String(value)}`);
  }
  return value;
}

function checkSecret(value: unknown, name: string): string {
  // Random by default, so two networks in one process never accept each other's clients.
  if (value === undefined) return randomBytes(16).toString('hex');
  if (typeof value !== 'string' || !SECRET.test(value)) {
    throw invalid(`${name} must be 1-256 characters from A-Z a-z 0-9 - . _ ~ (it goes into a URL unescaped)`);
  }
  return value;
}

/** This network's default address under an end option; anything else is left for validation to refuse. */
function withAddress(end: unknown, address: string): Partial<MemoryNetworkEnd> {
  if (end === undefined) return { address };
  return typeof end === 'object' && end !== null ? { address, ...end } : (end as Partial<MemoryNetworkEnd>);
}

/** Runs `action`, turning the shared option validation's error into this network's. */
function asBtpError<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (isMemoryNetworkError(error, 'INVALID_OPTION')) throw invalid(error.message.replace(/^INVALID_OPTION: /, ''));
    throw error;
  }
}

/**
 * Starts the network: two BTP listeners on 127.0.0.1, each in ilp-plugin-btp's server mode with
 * its own secret, and the connector between them. Resolves once both listen; each side then
 * connects with `new BtpPlugin({ server: url })`. Bad options reject with
 * {@link BtpNetworkError} `INVALID_OPTION`, a port that cannot be bound with `LISTEN_FAILED`.
 *
 * The connector answers IL-DCP for each side from its end config, routes Prepares to the other
 * side's address (or below it), enforces the max packet amount (F08 with RFC data), converts the
 * amount at the exact rate, answers T01 while the other side has no client logged in, and counts
 * every packet in `stats`, exactly as the in-memory network does.
 *
 * @param options - see {@link BtpNetworkOptions}
 * @returns the running network
 *
 * @example
 * ```ts
 * const network = await createBtpNetwork({ exchangeRate: 0.5, maxPacketAmount: 1000 });
 * const server = await createServer({ plugin: new BtpPlugin({ server: network.serverUrl }) });
 * // ... createConnection({ plugin: new BtpPlugin({ server: network.clientUrl }), ... }) ...
 * console.log(network.stats.clientToServer.fulfilled);
 * await network.close();
 * ```
 */
export async function createBtpNetwork(options: BtpNetworkOptions = {}): Promise<BtpNetwork> {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  const resolved = asBtpError(() =>
    resolveOptions({
      ...options,
      client: withAddress(options.client, 'test.btp.client'),
      server: withAddress(options.server, 'test.btp.server'),
      connectorAddress: options.connectorAddress ?? 'test.btp',
    }),
  );
  const secrets = { client: checkSecret(options.clientSecret, 'clientSecret'), server: checkSecret(options.serverSecret, 'serverSecret') };
  const clientListener = new BtpListener(checkPort(options.clientPort, 'clientPort'), secrets.client);
  const serverListener = new BtpListener(checkPort(options.serverPort, 'serverPort'), secrets.server);

  const connector = new Connector(resolved);
  const clientSide = new PluginPort('client', 'clientToServer', resolved.client, clientListener);
  const serverSide = new PluginPort('server', 'serverToClient', resolved.server, serverListener);
  servePort(connector, clientSide, serverSide);
  servePort(connector, serverSide, clientSide);

  const listeners = [clientListener, serverListener] as const;
  const started = await Promise.allSettled(listeners.map((listener) => listener.start()));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(listeners.map((listener) => listener.stop()));
    throw failure.reason;
  }
  const [clientPort, serverPort] = started.map((result) => (result as PromiseFulfilledResult<number>).value);
  const controls = networkControls(connector, { clientToServer: clientSide.stats, serverToClient: serverSide.stats });
  let closed: Promise<void> | undefined;
  return {
    clientUrl: `btp+ws://:${secrets.client}@127.0.0.1:${clientPort}`,
    serverUrl: `btp+ws://:${secrets.server}@127.0.0.1:${serverPort}`,
    ...controls,
    setExchangeRate: (rate) => asBtpError(() => controls.setExchangeRate(rate)),
    setMaxPacketAmount: (amount) => asBtpError(() => controls.setMaxPacketAmount(amount)),
    setOnPrepare: (hook) => asBtpError(() => controls.setOnPrepare(hook)),
    close: () => (closed ??= Promise.all(listeners.map((listener) => listener.stop())).then(() => undefined)),
  };
}
