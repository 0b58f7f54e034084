/**
 * Test helper: a real ilp-connector 23.0.2 between our ends, over BTP on 127.0.0.1, either in this
 * process ({@link startConnector}) or as a child process that can be killed and restarted
 * ({@link spawnConnector}, which runs `spec/helpers/connector-process.ts`).
 *
 * How the connector is configured (see {@link ConnectorSpec}):
 * - every account is one `ilp-plugin-btp` link. An account without `connectTo` listens on a free
 *   port of 127.0.0.1 with a random secret ({@link IlpConnector.url} gives a client its URL); one
 *   with `connectTo` dials another connector's listener (a chain);
 * - exchange rates come from {@link FixedRateBackend}, which is this very module loaded by the
 *   connector as its `backend` (the connector `require`s a backend by path; its built-in
 *   `one-to-one` only shifts asset scales, `ecb` fetches rates from the Internet). The rate is
 *   `rates[to] / rates[from] × (1 − spread)`, shifted by the scale difference, rounded to 15
 *   significant digits as the built-in backends do; the connector floors `amount × rate`;
 * - `spread` 0 by default (exact accounting), store `memory`, the admin API off, route broadcasts
 *   on but unused (children neither send nor receive routes; a `parent` account gets them off);
 * - every account has a balance (minimum `-Infinity`, maximum `Infinity`), so the connector's
 *   balance middleware keeps books: an incoming Prepare adds its amount to the sender's account
 *   (refunded if it is rejected), a fulfilled outgoing Prepare subtracts its amount from the
 *   receiver's. {@link IlpConnector.balances} reads them from the connector's own middleware.
 *
 * Teardown: everything started here is registered when it exists, and {@link closeAllConnectors}
 * releases it in order, also after a failed test: connections (while their plugins still carry a
 * ConnectionClose), then our plugins, then the connectors. A BTP client whose listener vanished
 * first would reconnect forever and hold jest open; a connector must disconnect its listeners
 * itself, because its `shutdown()` skips every account that is not connected at that moment.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import BigNumber from 'bignumber.js';
import BtpPlugin from 'ilp-plugin-btp';
import { Type as IlpType, deserializeIlpReject, serializeIlpReject } from 'ilp-packet';
import { freePort } from './free-port';
import { within } from './within';

export { freePort };

/**
 * One account of a connector: one BTP link.
 *
 * @example
 * ```ts
 * const alice: ConnectorAccountSpec = { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: 1000n };
 * const up: ConnectorAccountSpec = { relation: 'parent', assetCode: 'EUR', assetScale: 4, connectTo: c1.url('down') };
 * ```
 */
export interface ConnectorAccountSpec {
  /** `child` gets its address from the connector (IL-DCP); `parent` gives the connector its address. */
  readonly relation: 'child' | 'parent' | 'peer';
  readonly assetCode: string;
  readonly assetScale: number;
  /** Incoming Prepares above this (in this account's units) are rejected with F08 and its data. */
  readonly maxPacketAmount?: bigint;
  /** Dial this BTP URL (another connector's listener) instead of listening for a client. */
  readonly connectTo?: string;
  /**
   * The connector's token bucket for incoming Prepares of this account (T05 when empty). Its
   * default, kept when this is absent: 10,000 per minute, bursts of up to 10,000.
   */
  readonly rateLimit?: { readonly refillCount: number; readonly refillPeriod?: number; readonly capacity?: number };
}

/**
 * One connector: its address (omit it to inherit one from a `parent` account over IL-DCP), the
 * value of one unit of each asset in a common unit (e.g. `{ USD: '1', EUR: '0.9' }`), its spread
 * and its accounts.
 *
 * @example
 * ```ts
 * const spec: ConnectorSpec = { ilpAddress: 'test.conn', rates: { USD: '1', EUR: '0.9' }, accounts: { alice, bob } };
 * ```
 */
export interface ConnectorSpec {
  readonly ilpAddress?: string;
  readonly rates: Readonly<Record<string, string>>;
  /** The connector's margin, as its `spread` option. Default 0. */
  readonly spread?: number;
  readonly accounts: Readonly<Record<string, ConnectorAccountSpec>>;
}

/**
 * A spec with a port and a secret fixed for every listening account, so a restart reuses them.
 *
 * @example
 * ```ts
 * const { port, secret } = (await resolveSpec(spec)).listeners.alice;
 * ```
 */
export interface ResolvedConnectorSpec extends ConnectorSpec {
  readonly listeners: Readonly<Record<string, { readonly port: number; readonly secret: string }>>;
}

/**
 * A running connector, wherever it runs.
 *
 * @example
 * ```ts
 * const connector: IlpConnector = await startConnector(spec);
 * expect(await connector.balances()).toEqual({ alice: 100_000n, bob: -9_000_000n });
 * ```
 */
export interface IlpConnector {
  /** The spec it runs, with its ports and secrets. */
  readonly spec: ResolvedConnectorSpec;
  /** The BTP URL (secret included) a client of listening account `account` connects to. */
  url(account: string): string;
  /** Every account's balance, from the connector's perspective, in that account's units. */
  balances(): Promise<Record<string, bigint>>;
  /** The connector's log lines so far (its logs are kept, not printed), for a failure message. */
  logs(): string;
  /** Shuts the connector down and closes every listener; idempotent. */
  stop(): Promise<void>;
}

/**
 * A connector in a child process: it can be killed and started again on the same ports.
 *
 * @example
 * ```ts
 * const connector: ConnectorProcess = await spawnConnector(spec);
 * await connector.kill();
 * await connector.restart();
 * ```
 */
export interface ConnectorProcess extends IlpConnector {
  /** The running process's id (a new one after {@link restart}). */
  readonly pid: number;
  /** SIGKILLs the process (no shutdown, no goodbye on any socket) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts a fresh process with the same spec (ports, secrets): its balances start at 0. */
  restart(): Promise<void>;
}

/** How long a connector may take to listen on all its ports. A child process needs ts-node first. */
const START_TIMEOUT_MS = 20_000;
/** The connector waits this long for its accounts to connect before it starts anyway. */
const INITIAL_CONNECT_TIMEOUT_MS = 3000;
/** How long teardown waits for each registered close before it moves on. */
const CLOSE_DEADLINE_MS = 2000;
/** Log lines kept per connector. */
const LOG_LINES = 400;

/**
 * The exchange-rate backend the connectors of these tests load (`backend: <this file>`): fixed
 * rates from `backendConfig.rates`, no network access. A backend is constructed by the connector
 * with its options and an API giving each account's info.
 *
 * @example
 * ```ts
 * const backend = new FixedRateBackend({ rates: { USD: '1', EUR: '0.9' } }, { getInfo: (id) => infos[id] });
 * await backend.getRate('alice', 'bob'); // 90 for USD scale 2 → EUR scale 4
 * ```
 */
export default class FixedRateBackend {
  private readonly rates: Readonly<Record<string, string>>;
  private readonly spread: number;
  private readonly getInfo: (account: string) => { assetCode: string; assetScale: number } | undefined;

  constructor(
    options: { rates?: Record<string, string>; spread?: number },
    api: { getInfo: (account: string) => { assetCode: string; assetScale: number } | undefined },
  ) {
    if (!options.rates) throw new Error('FixedRateBackend: backendConfig.rates is missing');
    this.rates = options.rates;
    this.spread = options.spread ?? 0;
    this.getInfo = api.getInfo;
  }

  async connect(): Promise<void> {}

  /** Destination units per source unit, both in base units (asset scales applied). */
  async getRate(sourceAccount: string, destinationAccount: string): Promise<number> {
    const from = this.getInfo(sourceAccount);
    const to = this.getInfo(destinationAccount);
    if (!from || !to) throw new Error(`FixedRateBackend: unknown account ${from ? destinationAccount : sourceAccount}`);
    const fromValue = this.rates[from.assetCode];
    const toValue = this.rates[to.assetCode];
    if (fromValue === undefined || toValue === undefined) {
      throw new Error(`FixedRateBackend: no rate for ${fromValue === undefined ? from.assetCode : to.assetCode}`);
    }
    const rate = new BigNumber(toValue)
      .div(fromValue)
      .times(new BigNumber(1).minus(this.spread))
      .shiftedBy(to.assetScale - from.assetScale);
    return Number(rate.toPrecision(15));
  }

  async submitPayment(): Promise<void> {}
}

/**
 * The rate a {@link FixedRateBackend} gives between two assets, as a decimal string: what the
 * connector multiplies a Prepare's amount by (then floors).
 *
 * @example
 * ```ts
 * connectorRate({ USD: '1', EUR: '0.9' }, { code: 'USD', scale: 2 }, { code: 'EUR', scale: 4 }); // '90'
 * ```
 */
export function connectorRate(
  rates: Readonly<Record<string, string>>,
  from: { code: string; scale: number },
  to: { code: string; scale: number },
  spread = 0,
): string {
  const rate = new BigNumber(rates[to.code] ?? NaN)
    .div(rates[from.code] ?? NaN)
    .times(new BigNumber(1).minus(spread))
    .shiftedBy(to.scale - from.scale);
  return new BigNumber(rate.toPrecision(15)).toFixed();
}

/**
 * What the connector forwards for a Prepare of `amount` at `rate` (from {@link connectorRate}):
 * `floor(amount × rate)`, as its route builder computes it.
 *
 * @example
 * ```ts
 * forwardedAmount(1000n, '90'); // 90000n
 * ```
 */
export function forwardedAmount(amount: bigint, rate: string): bigint {
  return BigInt(new BigNumber(amount.toString()).times(rate).integerValue(BigNumber.ROUND_FLOOR).toFixed());
}

/**
 * Fixes a port and a secret for every listening account of `spec`.
 *
 * @example
 * ```ts
 * const resolved = await resolveSpec({ ilpAddress: 'test.c', rates, accounts: { alice: { relation: 'child', assetCode: 'USD', assetScale: 2 } } });
 * resolved.listeners.alice.port; // e.g. 40613
 * ```
 */
export async function resolveSpec(spec: ConnectorSpec): Promise<ResolvedConnectorSpec> {
  const listeners: Record<string, { port: number; secret: string }> = {};
  for (const [id, account] of Object.entries(spec.accounts)) {
    if (account.connectTo === undefined) listeners[id] = { port: await freePort(), secret: randomBytes(16).toString('hex') };
  }
  return { ...spec, listeners };
}

/** The URL of a listener, for a BTP client. */
function listenerUrl(spec: ResolvedConnectorSpec, account: string): string {
  const listener = spec.listeners[account];
  if (!listener) throw new Error(`account ${account} does not listen (it has connectTo, or does not exist)`);
  return `btp+ws://:${listener.secret}@127.0.0.1:${listener.port}`;
}

/** The options `createApp` takes for `spec`. */
function connectorOptions(spec: ResolvedConnectorSpec): object {
  const accounts: Record<string, object> = {};
  for (const [id, account] of Object.entries(spec.accounts)) {
    const listener = spec.listeners[id];
    accounts[id] = {
      relation: account.relation,
      assetCode: account.assetCode,
      assetScale: account.assetScale,
      plugin: 'ilp-plugin-btp',
      balance: { minimum: '-Infinity', maximum: 'Infinity' },
      ...(account.maxPacketAmount === undefined ? {} : { maxPacketAmount: account.maxPacketAmount.toString() }),
      ...(account.rateLimit === undefined ? {} : { rateLimit: account.rateLimit }),
      // A parent's route broadcasts would only be refused by a parent that sees us as its child.
      ...(account.relation === 'parent' ? { sendRoutes: false, receiveRoutes: false } : {}),
      options: listener
        ? { listener: { port: listener.port, secret: listener.secret, wsOpts: { host: '127.0.0.1', port: listener.port } } }
        : { server: account.connectTo, reconnectInterval: 100 },
    };
  }
  return {
    env: 'test',
    ...(spec.ilpAddress === undefined ? {} : { ilpAddress: spec.ilpAddress }),
    backend: __filename,
    backendConfig: { rates: spec.rates },
    spread: spec.spread ?? 0,
    store: 'memory',
    adminApi: false,
    initialConnectTimeout: INITIAL_CONNECT_TIMEOUT_MS,
    accounts,
  };
}

/** The part of ilp-connector's app this helper drives. */
interface ConnectorApp {
  listen(): Promise<void>;
  shutdown(): Promise<void>;
  getPlugin(id: string): { disconnect(): Promise<void> };
}

/** The connector's balance middleware, as its admin API reads it. */
interface BalanceMiddleware {
  getStatus(): { accounts: Record<string, { balance: string }> };
}

/**
 * A dependency container of the kind ilp-connector's services expect (`deps(Class)` gives the one
 * instance of `Class`), so this helper can reach the connector's middleware afterwards.
 */
function container(): (constructor: new (deps: unknown) => unknown) => unknown {
  const instances = new Map<unknown, unknown>();
  const deps = (constructor: new (deps: unknown) => unknown): unknown => {
    if (!instances.has(constructor)) instances.set(constructor, new constructor(deps));
    return instances.get(constructor);
  };
  return deps;
}

/** Keeps the last {@link LOG_LINES} lines written to it. */
class LogTail extends Writable {
  private readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.add(chunk.toString());
    callback();
  }

  add(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
  }

  text(): string {
    return [...this.lines, this.partial].join('\n');
  }
}

/** Resolves once every port accepts a TCP connection; rejects after `timeoutMs`. */
async function untilListening(ports: readonly number[], timeoutMs: number, isGone: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      const gone = isGone();
      if (gone !== undefined) throw new Error(gone);
      if (await accepts(port)) break;
      if (Date.now() > deadline) throw new Error(`the connector did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A connector in this process, its log lines written to `output` (ilp-connector has one log
 * output per process: the last connector started here decides it).
 */
async function startHere(spec: ResolvedConnectorSpec, output: NodeJS.WritableStream, logs: () => string): Promise<IlpConnector> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { setOutputStream } = require('ilp-connector/dist/common/log') as { setOutputStream(stream: NodeJS.WritableStream): void };
  setOutputStream(output);
  // Its app module, not its index: the index installs source-map-support, which garbles the
  // stack traces (and jest's failure locations) of everything else in the process.
  const createApp = (require('ilp-connector/dist/app') as { default(options: object, deps: unknown): ConnectorApp }).default;
  const MiddlewareManager = (require('ilp-connector/dist/services/middleware-manager') as { default: new (deps: unknown) => unknown }).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const deps = container();
  const app = createApp(connectorOptions(spec), deps);
  const listening = app.listen();
  let stopping: Promise<void> | undefined;
  const connector: IlpConnector = {
    spec,
    url: (account) => listenerUrl(spec, account),
    logs,
    async balances() {
      const middleware = (deps(MiddlewareManager) as { getMiddleware(name: string): unknown }).getMiddleware('balance') as BalanceMiddleware;
      const { accounts } = middleware.getStatus();
      return Object.fromEntries(Object.entries(accounts).map(([id, { balance }]) => [id, BigInt(balance)]));
    },
    stop() {
      stopping ??= (async () => {
        // listen() resolves once every account connected, or after INITIAL_CONNECT_TIMEOUT_MS;
        // shutting down before it would leave its later start-up (a 30 s interval) running.
        await listening.catch(() => undefined);
        await app.shutdown().catch(() => undefined);
        // shutdown() only disconnects the accounts connected right now; a listener whose client
        // already left would keep its port open.
        await Promise.allSettled(
          Object.keys(spec.accounts).map(async (id) => {
            const plugin = app.getPlugin(id);
            await plugin.disconnect();
            abandonPendingCalls(plugin);
          }),
        );
      })();
      return stopping;
    },
  };
  try {
    await untilListening(Object.values(spec.listeners).map((l) => l.port), START_TIMEOUT_MS);
  } catch (error) {
    await connector.stop();
    throw error;
  }
  return connector;
}

/** What a test started, released by {@link closeAllConnectors} in three ordered steps. */
const pending = {
  connections: [] as Array<() => Promise<void>>,
  plugins: [] as Array<{ disconnect(): Promise<void> }>,
  connectors: [] as IlpConnector[],
};

/**
 * Starts ilp-connector in this process, listening on free ports of 127.0.0.1; resolves once every
 * listening account's port accepts connections. Registered for {@link closeAllConnectors}.
 *
 * @example
 * ```ts
 * const connector = await startConnector({
 *   ilpAddress: 'test.conn',
 *   rates: { USD: '1', EUR: '0.9' },
 *   accounts: {
 *     alice: { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: 1000n },
 *     bob: { relation: 'child', assetCode: 'EUR', assetScale: 4 },
 *   },
 * });
 * const plugin = connectorPlugin(connector.url('alice'));
 * ```
 */
export async function startConnector(spec: ConnectorSpec): Promise<IlpConnector> {
  const log = new LogTail();
  const connector = await startHere(await resolveSpec(spec), log, () => log.text());
  pending.connectors.push(connector);
  return connector;
}

/** The messages between {@link spawnConnector} and its child process. */
type ToChild = { type: 'start'; spec: SerializedSpec } | { type: 'balances'; id: number } | { type: 'stop' };
type FromChild =
  | { type: 'started' }
  | { type: 'failed'; error: string }
  | { type: 'balances'; id: number; balances: Record<string, string> }
  | { type: 'stopped' };
/** A spec as it crosses the IPC channel (JSON: bigints as strings). */
type SerializedSpec = Omit<ResolvedConnectorSpec, 'accounts'> & {
  accounts: Record<string, Omit<ConnectorAccountSpec, 'maxPacketAmount'> & { maxPacketAmount?: string }>;
};

function serializeSpec(spec: ResolvedConnectorSpec): SerializedSpec {
  const accounts = Object.fromEntries(
    Object.entries(spec.accounts).map(([id, { maxPacketAmount, ...rest }]) => [
      id,
      { ...rest, ...(maxPacketAmount === undefined ? {} : { maxPacketAmount: maxPacketAmount.toString() }) },
    ]),
  );
  return { ...spec, accounts };
}

function deserializeSpec(spec: SerializedSpec): ResolvedConnectorSpec {
  const accounts = Object.fromEntries(
    Object.entries(spec.accounts).map(([id, { maxPacketAmount, ...rest }]) => [
      id,
      { ...rest, ...(maxPacketAmount === undefined ? {} : { maxPacketAmount: BigInt(maxPacketAmount) }) },
    ]),
  );
  return { ...spec, accounts };
}

const PROCESS_SCRIPT = join(__dirname, 'connector-process.ts');

/** One child process running a connector. */
class ChildConnector {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitReason: string | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (balances: Record<string, string>) => void>();
  private stopped: (() => void) | undefined;

  constructor(
    readonly spec: ResolvedConnectorSpec,
    private readonly log: LogTail,
  ) {
    this.child = fork(PROCESS_SCRIPT, [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => log.add(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => log.add(chunk.toString()));
    // 'close', not 'exit': only then are its stdio pipes closed too; and its IPC channel.
    const disconnected = new Promise<void>((resolve) => this.child.once('disconnect', () => resolve()));
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        this.exitReason = `the connector process exited (code ${String(code)}, signal ${String(signal)})`;
        void (this.child.connected ? disconnected : Promise.resolve()).then(() => resolve());
      }),
    );
    this.child.on('message', (message: FromChild) => {
      if (message.type === 'balances') {
        this.waiting.get(message.id)?.(message.balances);
        this.waiting.delete(message.id);
      } else if (message.type === 'stopped') {
        this.stopped?.();
      } else if (message.type === 'failed') {
        log.add(`\n[helper] start failed: ${message.error}\n`);
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromChild): void => {
        if (message.type === 'started') resolve();
        if (message.type === 'failed') reject(new Error(`the connector process failed to start: ${message.error}`));
      };
      this.child.on('message', onMessage);
      void this.exited.then(() => reject(new Error(`${this.exitReason ?? 'exited'} while starting\n${this.log.text()}`)));
    });
    this.send({ type: 'start', spec: serializeSpec(this.spec) });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the connector process did not start within ${START_TIMEOUT_MS} ms\n${this.log.text()}`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([started, timedOut]);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  balances(): Promise<Record<string, bigint>> {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (balances) => resolve(Object.fromEntries(Object.entries(balances).map(([k, v]) => [k, BigInt(v)]))));
      void this.exited.then(() => reject(new Error(this.exitReason)));
      this.send({ type: 'balances', id });
    });
  }

  /** Asks the process to shut down; SIGKILLs it if it has not exited after 3 s. */
  async stop(): Promise<void> {
    if (this.exitReason) return;
    const stopped = new Promise<void>((resolve) => (this.stopped = resolve));
    this.send({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped.then(() => this.exited), this.exited, new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
    clearTimeout(timer);
    await this.kill();
  }

  async kill(): Promise<void> {
    if (!this.exitReason) this.child.kill('SIGKILL');
    await this.exited;
    // The process handle itself is released in the close phase of a later loop turn.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  private send(message: ToChild): void {
    if (this.child.connected) this.child.send(message);
  }
}

/**
 * Starts ilp-connector in a child process (`node -r ts-node/register/transpile-only
 * spec/helpers/connector-process.ts`), listening on free ports of 127.0.0.1; resolves once every
 * listening account's port accepts connections. It can be SIGKILLed and restarted on the same
 * ports; a restarted connector starts with empty books. Registered for {@link closeAllConnectors}.
 *
 * @example
 * ```ts
 * const connector = await spawnConnector(spec);
 * await connector.kill();
 * await connector.restart();
 * ```
 */
export async function spawnConnector(spec: ConnectorSpec): Promise<ConnectorProcess> {
  const resolved = await resolveSpec(spec);
  const log = new LogTail();
  let current = new ChildConnector(resolved, log);
  const connector: ConnectorProcess = {
    spec: resolved,
    get pid() {
      return current.pid;
    },
    url: (account) => listenerUrl(resolved, account),
    logs: () => log.text(),
    balances: () => current.balances(),
    stop: () => current.stop(),
    kill: () => current.kill(),
    async restart() {
      await current.kill();
      log.add(`\n[helper] restarting the connector\n`);
      current = new ChildConnector(resolved, log);
      await current.start();
    },
  };
  pending.connectors.push(connector);
  await current.start();
  return connector;
}

/**
 * The body of `spec/helpers/connector-process.ts`: waits for a `start` message with the spec over
 * the IPC channel, runs the connector, answers `balances` requests, and on `stop` shuts down and
 * exits. Started only by {@link spawnConnector}.
 *
 * @example
 * ```ts
 * // spec/helpers/connector-process.ts
 * runConnectorProcess();
 * ```
 */
export function runConnectorProcess(): void {
  const send = (message: FromChild): void => void process.send?.(message);
  let connector: IlpConnector | undefined;
  process.on('message', (message: ToChild) => {
    if (message.type === 'start') {
      // The connector's log goes to stdout, which the parent keeps.
      startHere(deserializeSpec(message.spec), process.stdout, () => '').then(
        (started) => {
          connector = started;
          send({ type: 'started' });
        },
        (error: unknown) => send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
    } else if (message.type === 'balances') {
      void connector?.balances().then((balances) =>
        send({ type: 'balances', id: message.id, balances: Object.fromEntries(Object.entries(balances).map(([k, v]) => [k, v.toString()])) }),
      );
    } else if (message.type === 'stop') {
      void (connector?.stop() ?? Promise.resolve()).finally(() => {
        send({ type: 'stopped' });
        process.exit(0);
      });
    }
  });
  // The parent went away without a stop: do not outlive it.
  process.on('disconnect', () => process.exit(0));
}

/**
 * Counts of what came back through a {@link ConnectorBtpPlugin}: fulfilled Prepares, and every
 * reject's code, `triggeredBy` and data in order.
 *
 * @example
 * ```ts
 * const f08s = plugin.replies.rejects.filter((r) => r.code === 'F08').map((r) => readF08Data(r.data));
 * ```
 */
export interface PluginReplies {
  fulfilled: number;
  readonly rejects: Array<{ code: string; triggeredBy: string; data: Buffer }>;
}

/**
 * ilp-plugin-btp as our ends use it with a connector: it reconnects every 100 ms when the
 * connector is gone, fails `sendData` at once after `disconnect()` (the stock plugin writes into
 * the closed socket and waits its 35 s response timeout, holding jest open) and answers what it
 * still waits for at that moment with T01, answers F02 when no data handler is registered, and
 * counts the replies to what it sent ({@link PluginReplies}). Otherwise it is the stock plugin.
 *
 * @example
 * ```ts
 * const plugin = new ConnectorBtpPlugin(connector.url('alice'));
 * await plugin.connect();
 * plugin.replies.rejects.filter((r) => r.code === 'F08');
 * ```
 */
export class ConnectorBtpPlugin extends BtpPlugin {
  private released = false;
  readonly replies: PluginReplies = { fulfilled: 0, rejects: [] };

  constructor(url: string) {
    super({ server: url, reconnectInterval: 100 });
  }

  override async disconnect(): Promise<void> {
    this.released = true;
    await super.disconnect();
    abandonPendingCalls(this);
  }

  /**
   * A Prepare that arrives while no data handler is registered (our connection closed, or not yet
   * open) is answered F02 instead of the stock BTP error: a connector whose `sendData` rejects
   * leaks its expiry timer for the Prepare's lifetime (see {@link abandonPendingCalls}).
   */
  protected override async _handleData(from: string, btpPacket: Parameters<BtpPlugin['_handleData']>[1]): Promise<Awaited<ReturnType<BtpPlugin['_handleData']>>> {
    if (this._dataHandler) return super._handleData(from, btpPacket);
    const reject = serializeIlpReject({ code: 'F02', triggeredBy: '', message: 'no STREAM endpoint on this plugin', data: Buffer.alloc(0) });
    return this.ilpAndCustomToProtocolData({ ilp: reject });
  }

  override async sendData(buffer: Buffer): Promise<Buffer> {
    if (this.released) throw new Error('the BTP plugin is disconnected');
    const reply = await super.sendData(buffer);
    this.count(reply);
    return reply;
  }

  private count(reply: Buffer): void {
    if (reply[0] === IlpType.TYPE_ILP_FULFILL) this.replies.fulfilled += 1;
    if (reply[0] !== IlpType.TYPE_ILP_REJECT) return;
    const { code, triggeredBy, data } = deserializeIlpReject(reply);
    this.replies.rejects.push({ code, triggeredBy, data });
  }
}

/** ilp-plugin-btp's BTP type of a response. */
const BTP_TYPE_RESPONSE = 1;

/**
 * Answers every request an ilp-plugin-btp instance still waits on with an ILP Reject T01 (the
 * link is gone), as if the peer had sent it. After a disconnect nothing else can answer them, and
 * each would keep the plugin's 35 s response timer alive; worse, inside a connector a `sendData`
 * that *rejects* leaks the connector's own expiry timer (its expire middleware clears the timer
 * only when the promise resolves), holding jest open for the Prepare's lifetime. The plugin waits
 * for a request's response on its event `__callback_<requestId>`.
 */
function abandonPendingCalls(plugin: object): void {
  const emitter = plugin as { eventNames?: () => Array<string | symbol>; emit?: (name: string, ...args: unknown[]) => unknown };
  if (typeof emitter.eventNames !== 'function' || typeof emitter.emit !== 'function') return;
  const reject = serializeIlpReject({ code: 'T01', triggeredBy: '', message: 'the BTP link was closed', data: Buffer.alloc(0) });
  for (const name of emitter.eventNames()) {
    if (typeof name === 'string' && name.startsWith('__callback_')) {
      emitter.emit(name, BTP_TYPE_RESPONSE, { protocolData: [{ protocolName: 'ilp', contentType: 0, data: reject }] });
    }
  }
}

/**
 * A {@link ConnectorBtpPlugin} for `url`, unconnected (our client and server connect the plugin
 * they are given), registered for {@link closeAllConnectors}.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin: connectorPlugin(connector.url('bob')) });
 * ```
 */
export function connectorPlugin(url: string): ConnectorBtpPlugin {
  return trackPlugin(new ConnectorBtpPlugin(url));
}

/**
 * Registers a plugin made elsewhere (a subclass of {@link ConnectorBtpPlugin}, say) to be
 * disconnected at {@link closeAllConnectors}, after the registered closes; returns it.
 *
 * @example
 * ```ts
 * const plugin = trackPlugin(new GatedPlugin(connector.url('bob')));
 * ```
 */
export function trackPlugin<P extends { disconnect(): Promise<void> }>(plugin: P): P {
  pending.plugins.push(plugin);
  return plugin;
}

/**
 * Registers a close (of our connection, a server, a reference connection) to run first at
 * {@link closeAllConnectors}, while the plugins still carry packets.
 *
 * @example
 * ```ts
 * onTeardown(() => server.close());
 * ```
 */
export function onTeardown(close: () => Promise<void>): void {
  pending.connections.push(close);
}

/**
 * Releases everything made since the last call: registered closes one after the other in the
 * order they were registered (register a client's connection before its server; each is bounded
 * to 2 s), then our plugins, then the connectors (in-process ones shut down, child processes
 * stopped or killed). One part's failure does not keep the rest open. Use in `afterEach`.
 *
 * @example
 * ```ts
 * afterEach(closeAllConnectors);
 * ```
 */
export async function closeAllConnectors(): Promise<void> {
  const done: boolean[] = [];
  for (const close of pending.connections.splice(0)) done.push(await within(close().catch(() => undefined), CLOSE_DEADLINE_MS));
  await Promise.allSettled(pending.plugins.splice(0).map((plugin) => plugin.disconnect()));
  await Promise.allSettled(pending.connectors.splice(0).map((connector) => connector.stop()));
  const stuck = done.filter((closed) => !closed).length;
  if (stuck > 0) throw new Error(`teardown: ${stuck} close(s) did not finish within ${CLOSE_DEADLINE_MS} ms`);
}

