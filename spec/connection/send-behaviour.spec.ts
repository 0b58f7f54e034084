/**
 * The send pipeline seen from outside, over the in-memory network: quotes, the minimum exchange
 * rate, the tracked rate bounds, F08 handling (with, without and with garbage data), temporary and
 * final rejects, the exact packet count and option validation. Every test checks that money is
 * counted exactly once: the sender's totals, the network's fulfilled amounts and what the receiver
 * got agree (RFC 29 §3.4, §4.4.2; RFC 27 §error codes; checklist 29-3.4-a..e, 27-Err-T, 27-F08-a,
 * E27..E31).
 */
import { type Observable, firstValueFrom, lastValueFrom } from 'rxjs';
import {
  CONNECTION_DEFAULTS,
  type Connection,
  type ConnectionError,
  type ConnectionTuning,
  type DataAndMoneyStream,
  type ExchangeRate,
  type IlpPrepare,
  type IlpReject,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type Ratio,
  type Server,
  createConnection,
  createMemoryNetwork,
  createServer,
  ilpReject,
  isConnectionError,
  isStreamError,
  isIldcpRequest,
  writeF08Data,
} from '../../lib';
import { DEFAULT_PROBE_AMOUNTS } from '../../lib/connection/rate-probe';

jest.setTimeout(15_000);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fast retries, so temporary rejects cost milliseconds. */
const FAST: ConnectionTuning = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

/** a <= b exactly, by bigint cross-multiplication. */
const le = (a: Ratio, b: Ratio): boolean => a.numerator * b.denominator <= b.numerator * a.denominator;
/** a < b exactly. */
const lt = (a: Ratio, b: Ratio): boolean => a.numerator * b.denominator < b.numerator * a.denominator;

interface Env {
  network: MemoryNetwork;
  server: Server;
  /** Each amount the server's streams received, in order (one entry per fulfilled money packet). */
  serverPackets: bigint[];
  serverReceived(): bigint;
  serverConnection(): Connection | undefined;
  connect(tuning?: ConnectionTuning): Promise<Connection>;
  /** Client Prepares (IL-DCP excluded) seen by the connector, in order: amount and the hook's answer. */
  prepares: Array<{ amount: bigint; rejected?: string }>;
  /** Replaces the fault hook; `decide` sees only client→server Prepares (IL-DCP excluded). */
  inject(decide: ((prepare: IlpPrepare) => IlpReject | undefined) | undefined): void;
  close(): Promise<void>;
}

const envs: Env[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((env) => env.close().catch(() => undefined)));
});

async function setup(options: MemoryNetworkOptions = {}): Promise<Env> {
  let decide: ((prepare: IlpPrepare) => IlpReject | undefined) | undefined;
  const prepares: Env['prepares'] = [];
  const network = createMemoryNetwork({
    ...options,
    onPrepare: (prepare, direction) => {
      if (direction !== 'clientToServer' || isIldcpRequest(prepare)) return undefined;
      const reject = decide?.(prepare);
      prepares.push(reject ? { amount: prepare.amount, rejected: reject.code } : { amount: prepare.amount });
      return reject;
    },
  });
  const server = await createServer({ plugin: network.server });
  const serverPackets: bigint[] = [];
  let serverConnection: Connection | undefined;
  server.connections$.subscribe((c) => {
    serverConnection = c;
    c.state$.subscribe({ error: () => undefined });
    c.totals$.subscribe({ error: () => undefined });
    c.streams$.subscribe({ next: (s) => s.money$.subscribe({ next: (a) => serverPackets.push(a), error: () => undefined }), error: () => undefined });
  });
  const clients: Connection[] = [];
  const env: Env = {
    network,
    server,
    serverPackets,
    serverReceived: () => serverPackets.reduce((a, b) => a + b, 0n),
    serverConnection: () => serverConnection,
    prepares,
    async connect(tuning = {}) {
      const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
      const client = await createConnection({ plugin: network.client, destinationAccount, sharedSecret, ...FAST, ...tuning });
      client.state$.subscribe({ error: () => undefined });
      clients.push(client);
      return client;
    },
    inject: (hook) => (decide = hook),
    async close() {
      decide = undefined;
      await Promise.all(clients.map((c) => c.destroy()));
      await server.close();
    },
  };
  envs.push(env);
  return env;
}

/** Resolves with the error the connection closed with (or 'complete'). */
function closedWith(connection: Connection): Promise<unknown> {
  return new Promise((resolve) => connection.state$.subscribe({ error: resolve, complete: () => resolve('complete') }));
}

/** The money the connector fulfilled for the client, and what the client and the receiver counted. */
function expectExactTotals(env: Env, client: Connection): void {
  const fulfilled = env.network.stats.clientToServer;
  expect(client.totals.inFlight).toBe(0n);
  expect(client.totals.sent).toBe(fulfilled.sourceAmountFulfilled);
  expect(client.totals.delivered).toBe(fulfilled.destinationAmountFulfilled);
  expect(env.serverReceived()).toBe(fulfilled.destinationAmountFulfilled);
  expect(env.serverConnection()?.totals.received ?? 0n).toBe(fulfilled.destinationAmountFulfilled);
}

/**
 * Starts `payment` (a sendMoney on one of `client`'s streams) and waits until the connection
 * closes: `error` is what it closed with, `sending` the payment's own rejection (see errorOf).
 */
async function untilClosed(client: Connection, payment: Observable<unknown>): Promise<{ error: unknown; sending: Promise<unknown> }> {
  const closed = closedWith(client);
  const sending = errorOf(lastValueFrom(payment));
  return { error: await closed, sending };
}

/** `error` is a ConnectionError SEND_FAILED carrying the ILP reject code `ilpCode`. */
function expectSendFailed(error: unknown, ilpCode: string): void {
  expect(isConnectionError(error, 'SEND_FAILED')).toBe(true);
  expect((error as ConnectionError).ilpCode).toBe(ilpCode);
}

/** Runs `change` once, the first time `stream`'s totals show at least `sent` units sent. */
function onceSent(stream: DataAndMoneyStream, sent: bigint, change: () => void): void {
  let done = false;
  stream.totals$.subscribe({
    next: (totals) => {
      if (!done && totals.sent >= sent) {
        done = true;
        change();
      }
    },
    error: () => undefined,
  });
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('connection.quote (29-3.4-a, 29-3.4-c, E29)', () => {
  it('quote(10,500) at rate 0.5 and max 1000: 11 packets, the estimate is exactly what sendMoney then delivers, and the quote costs no packet', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect();
    const before = { ...env.network.stats.clientToServer };
    const backBefore = { ...env.network.stats.serverToClient };
    const quote = await firstValueFrom(client.quote(10_500));
    expect(env.network.stats.clientToServer).toEqual(before);
    expect(env.network.stats.serverToClient).toEqual(backBefore);

    expect(quote.sourceAmount).toBe(10_500n);
    expect(quote.maxPacketAmount).toBe(1_000n);
    expect(quote.packets).toBe(11n);
    expect(quote.estimatedDelivery).toBe(5_250n);
    expect(quote.minDelivery).toBeLessThanOrEqual(quote.estimatedDelivery);
    expect(quote.minDelivery).toBeGreaterThan(0n);

    await lastValueFrom(client.createStream().sendMoney(10_500));
    expect(client.totals.delivered).toBe(quote.estimatedDelivery);
    expect(env.network.stats.clientToServer.fulfilled - before.fulfilled).toBe(Number(quote.packets));
    expectExactTotals(env, client);
  });

  it('accepts bigint and decimal-string amounts like sendMoney does', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect();
    expect((await firstValueFrom(client.quote(2_001n))).packets).toBe(3n);
    expect((await firstValueFrom(client.quote('2001'))).estimatedDelivery).toBe(1_000n);
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ["'abc'", 'abc'],
    ['2^64', 2n ** 64n],
  ])('an invalid amount (%s) errs with a RangeError naming sourceAmount, and sends nothing', async (_label, amount) => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect();
    const before = env.network.stats.clientToServer.prepares;
    const error = await errorOf((async () => firstValueFrom(client.quote(amount as never)))());
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/sourceAmount/);
    expect(env.network.stats.clientToServer.prepares).toBe(before);
  });

  it('quote on a closed connection errs with a ConnectionError', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect();
    await client.end();
    expect(client.state).toBe('closed');
    const error = await errorOf(firstValueFrom(client.quote(100)));
    expect(isConnectionError(error)).toBe(true);
    // And on a connection that failed.
    const env2 = await setup({ maxPacketAmount: 1000 });
    const failed = await env2.connect();
    await failed.destroy(new Error('gone'));
    expect(isConnectionError(await errorOf(firstValueFrom(failed.quote(100))))).toBe(true);
  });
});

describe('minExchangeRate (29-3.4-a, 29-3.4-d, E27)', () => {
  it('connect fails with EXCHANGE_RATE when the path rate 0.5 is below minExchangeRate 0.6; nothing was fulfilled', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const error = await errorOf(env.connect({ minExchangeRate: 0.6 }));
    expect(isConnectionError(error, 'EXCHANGE_RATE')).toBe(true);
    expect(env.network.stats.clientToServer.fulfilled).toBe(0);
    expect(env.network.stats.clientToServer.sourceAmountFulfilled).toBe(0n);
    expect(env.serverReceived()).toBe(0n);
  });

  it('a path rate exactly at minExchangeRate (0.5) is accepted', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect({ minExchangeRate: '0.5' });
    await lastValueFrom(client.createStream().sendMoney(3_000));
    expect(client.totals.delivered).toBe(1_500n);
    expectExactTotals(env, client);
  });

  it('with minExchangeRate 0.4 the money flows; the published minimum is exactly 0.4 (it overrides the slippage)', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect({ minExchangeRate: 0.4 });
    const minimum = client.exchangeRate!.minimum;
    const twoFifths = { numerator: 2n, denominator: 5n };
    expect(le(twoFifths, minimum) && le(minimum, twoFifths)).toBe(true);
    await lastValueFrom(client.createStream().sendMoney(10_000));
    expect(client.totals.delivered).toBe(5_000n);
    expectExactTotals(env, client);
  });

  it('29-3.4-e: the rate dropping to 0.3 mid-payment ends the send with EXCHANGE_RATE; sender, network and receiver agree exactly', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect({ minExchangeRate: 0.4 });
    const stream = client.createStream();
    onceSent(stream, 5_000n, () => env.network.setExchangeRate(0.3));
    const { error, sending } = await untilClosed(client, stream.sendMoney(50_000));
    expect(isConnectionError(error, 'EXCHANGE_RATE')).toBe(true);
    expect(await sending).toBeInstanceOf(Error);
    await sleep(20);
    const stats = env.network.stats.clientToServer;
    // Everything fulfilled went through at 0.5: the receiver refused every packet that arrived at 0.3.
    expect(stats.destinationAmountFulfilled * 2n).toBe(stats.sourceAmountFulfilled);
    expect(stats.sourceAmountFulfilled).toBeGreaterThanOrEqual(5_000n);
    expect(stats.sourceAmountFulfilled).toBeLessThan(50_000n);
    expectExactTotals(env, client);
    expect(stream.totals.sent).toBe(client.totals.sent);
    expect(stream.totals.delivered).toBe(client.totals.delivered);
  });
});

describe('exchangeRate$ bounds (29-3.4-b, E29)', () => {
  /** A constant 1/3 path; packets of several sizes so the replies tell different intervals. */
  async function runConstantRatePayment(): Promise<{ rates: ExchangeRate[]; path: Ratio }> {
    const env = await setup({ exchangeRate: '1/3', maxPacketAmount: 1000 });
    const client = await env.connect();
    const rates: ExchangeRate[] = [];
    client.exchangeRate$.subscribe((rate) => rates.push(rate));
    const stream = client.createStream();
    for (const amount of [3_777, 998, 2_500, 13, 1_996]) await lastValueFrom(stream.sendMoney(amount));
    expectExactTotals(env, client);
    return { rates, path: { numerator: 1n, denominator: 3n } };
  }

  it('lowerBound <= the path rate < upperBound in every emission, and the bounds only narrow (at least once) during a constant-rate payment', async () => {
    const { rates, path } = await runConstantRatePayment();
    expect(rates.length).toBeGreaterThan(1);
    for (const rate of rates) {
      expect(le(rate.lowerBound, path)).toBe(true);
      expect(lt(path, rate.upperBound)).toBe(true);
    }
    let narrowed = 0;
    for (let i = 1; i < rates.length; i++) {
      const [previous, next] = [rates[i - 1]!, rates[i]!];
      expect(le(previous.lowerBound, next.lowerBound)).toBe(true);
      expect(le(next.upperBound, previous.upperBound)).toBe(true);
      if (lt(previous.lowerBound, next.lowerBound) || lt(next.upperBound, previous.upperBound)) narrowed += 1;
    }
    expect(narrowed).toBeGreaterThan(0);
  });

  it('the published rate lies within its own bounds: lowerBound <= rate < upperBound in every emission', async () => {
    const { rates } = await runConstantRatePayment();
    for (const rate of rates) {
      const show = (r: Ratio): string => `${r.numerator}/${r.denominator}`;
      expect(`${show(rate.lowerBound)} <= ${show(rate.rate)}: ${le(rate.lowerBound, rate.rate)}`).toMatch(/: true$/);
      expect(`${show(rate.rate)} < ${show(rate.upperBound)}: ${lt(rate.rate, rate.upperBound)}`).toMatch(/: true$/);
    }
  });

  it('at rate 0.5 with round packets, the first emission already brackets the rate exactly: [1/2, 501/1000)', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect();
    const rate = await firstValueFrom(client.exchangeRate$);
    expect(le(rate.lowerBound, rate.rate) && lt(rate.rate, rate.upperBound)).toBe(true);
    expect(le(rate.lowerBound, { numerator: 1n, denominator: 2n }) && lt({ numerator: 1n, denominator: 2n }, rate.upperBound)).toBe(true);
    expect(rate.upperBound.numerator * 1000n).toBe(501n * rate.upperBound.denominator);
  });
});

describe('F08 Amount Too Large (27-F08-a, E30)', () => {
  it('with data: the path max 700 (client option 10,000) is learned exactly; all money arrives, in packets of 700', async () => {
    const env = await setup({ maxPacketAmount: 700 });
    const client = await env.connect({ maxPacketAmount: 10_000 });
    const before = env.network.stats.clientToServer.fulfilled;
    await lastValueFrom(client.createStream().sendMoney(7_000));
    expect(env.serverReceived()).toBe(7_000n);
    expect(Math.max(...env.serverPackets.map(Number))).toBeLessThanOrEqual(700);
    expect(env.serverPackets).toEqual(Array(10).fill(700n));
    expect(env.network.stats.clientToServer.fulfilled - before).toBe(10);
    expectExactTotals(env, client);
  });

  it('with data: a hop lowering the max mid-payment (700 → 300) is obeyed; the rest arrives in packets of 300', async () => {
    const env = await setup({ maxPacketAmount: 700 });
    const client = await env.connect({ maxPacketAmount: 10_000 });
    let changedAt: number | undefined;
    client.totals$.subscribe({
      next: (t) => {
        if (changedAt === undefined && t.delivered >= 2_100n) {
          changedAt = env.serverPackets.length;
          env.network.setMaxPacketAmount(300);
        }
      },
      error: () => undefined,
    });
    await lastValueFrom(client.createStream().sendMoney(10_000));
    expect(env.serverReceived()).toBe(10_000n);
    const after = env.serverPackets.slice(changedAt);
    const remaining = 10_000n - env.serverPackets.slice(0, changedAt).reduce((a, b) => a + b, 0n);
    for (const amount of after) expect(amount).toBeLessThanOrEqual(300n);
    // The F08's data gave the new limit exactly: the sender packs 300s, not smaller guesses.
    expect(after.length).toBe(Math.ceil(Number(remaining) / 300));
    expectExactTotals(env, client);
  });

  /**
   * A hook answering F08 for amounts above a hidden limit, with the given data (none, garbage, or
   * dishonest), so the sender has to search for the limit.
   */
  const LIMIT = 613n;
  const CLIENT_MAX = 100_000n;
  const variants: Array<[string, (amount: bigint) => Buffer]> = [
    ['no data', () => Buffer.alloc(0)],
    ['garbage data', () => Buffer.from('garbage')],
    ['15 bytes', () => Buffer.alloc(15, 7)],
    ['dishonest data (received <= maximum)', (amount) => writeF08Data(amount, amount + 5n)],
  ];

  it.each(variants)('E30 F08 with %s: the payment completes with every unit delivered and the F08 count is logarithmic', async (_label, data) => {
    const env = await setup();
    let f08s = 0;
    env.inject((prepare) => {
      if (prepare.amount <= LIMIT) return undefined;
      f08s += 1;
      return ilpReject('F08', 'Amount Too Large', data(prepare.amount), 'test.hidden');
    });
    const client = await env.connect({ maxPacketAmount: CLIENT_MAX });
    await lastValueFrom(client.createStream().sendMoney(20_000));
    expect(env.serverReceived()).toBe(20_000n);
    expect(client.totals.delivered).toBe(20_000n);
    for (const amount of env.serverPackets) expect(amount).toBeLessThanOrEqual(LIMIT);
    // The search halves from 100,000 down to the limit (ceil(log2(100,000 / 613)) = 8 F08s), then
    // bisects between what got through and what failed (ceil(log2(613)) = 10 steps, each at most
    // one F08): 2·ceil(log2(100,000)) = 34 covers both, plus one F08 per probe of the first volley
    // and per packet already in flight at a too-large size (at most the initial window).
    const bound = 2 * Math.ceil(Math.log2(Number(CLIENT_MAX))) + CONNECTION_DEFAULTS.initialWindow;
    expect(f08s).toBeGreaterThan(0);
    expect(f08s).toBeLessThanOrEqual(bound);
    expectExactTotals(env, client);
  });

  it('E30 F08 without data: the search settles at the hidden limit itself (613), so the payment takes ceil(20,000 / 613) packets plus the search', async () => {
    const env = await setup();
    env.inject((prepare) => (prepare.amount > LIMIT ? ilpReject('F08', 'Amount Too Large', Buffer.alloc(0), 'test.hidden') : undefined));
    const client = await env.connect({ maxPacketAmount: CLIENT_MAX });
    await lastValueFrom(client.createStream().sendMoney(20_000));
    expect(env.serverReceived()).toBe(20_000n);
    // The largest packet that got through is the limit: the bisection closed on it, not on a halved guess.
    expect(env.serverPackets.reduce((a, b) => (a > b ? a : b), 0n)).toBe(LIMIT);
    // Packets below the limit only while searching: at most ~log2(613) of them.
    expect(env.serverPackets.length).toBeLessThanOrEqual(Math.ceil(20_000 / 613) + Math.ceil(Math.log2(613)) + 1);
  });

  it('E30: a path max of 0 (F08 data saying maximum 0) fails the connect with a clear error; nothing paid', async () => {
    const env = await setup({ maxPacketAmount: 0 });
    const error = await errorOf(env.connect());
    expect(isConnectionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/max packet amount is 0/);
    expect(env.network.stats.clientToServer.fulfilled).toBe(0);
    expect(env.serverReceived()).toBe(0n);
  });

  it('E30: the path max dropping to 0 mid-payment fails the send with SEND_FAILED (F08) and exact totals', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect();
    const stream = client.createStream();
    onceSent(stream, 3_000n, () => env.network.setMaxPacketAmount(0));
    const { error, sending } = await untilClosed(client, stream.sendMoney(10_000));
    expectSendFailed(error, 'F08');
    expect((error as Error).message).toMatch(/max packet amount is 0/);
    expect(await sending).toBeInstanceOf(Error);
    await sleep(10);
    expect(client.totals.sent).toBeGreaterThanOrEqual(3_000n);
    expect(client.totals.sent).toBeLessThan(10_000n);
    expectExactTotals(env, client);
  });
});

describe('temporary rejects (27-Err-T, E31)', () => {
  it('T04 on every third Prepare: each rejected packet is sent again, and all money arrives exactly once', async () => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect();
    const before = { ...env.network.stats.clientToServer };
    let seen = 0;
    let t04s = 0;
    env.inject((prepare) => {
      if (prepare.amount === 0n) return undefined;
      seen += 1;
      if (seen % 3 !== 1) return undefined;
      t04s += 1;
      return ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.busy');
    });
    await lastValueFrom(client.createStream().sendMoney(10_000));
    const stats = env.network.stats.clientToServer;
    expect(t04s).toBeGreaterThanOrEqual(4);
    expect(stats.fulfilled - before.fulfilled).toBe(10);
    expect(stats.rejected - before.rejected).toBe(t04s);
    // Every T04 cost exactly one more Prepare of the same packet: 10 packets, 10 + T04s Prepares.
    expect(stats.prepares - before.prepares).toBe(10 + t04s);
    expect(env.prepares.filter((p) => p.amount > 0n && p.rejected === 'T04')).toHaveLength(t04s);
    expect(client.totals.delivered).toBe(5_000n);
    expect(env.serverReceived()).toBe(5_000n);
    expectExactTotals(env, client);
  });

  it('T04 forever with retryAttempts 3 and one packet at a time: SEND_FAILED with ilpCode T04 after exactly 3 sends; nothing counted as delivered', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect({ retryAttempts: 3, window: 1 });
    const before = { ...env.network.stats.clientToServer };
    env.inject((prepare) => (prepare.amount > 0n ? ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.busy') : undefined));
    const startAt = env.prepares.length;
    const { error, sending } = await untilClosed(client, client.createStream().sendMoney(5_000));
    expectSendFailed(error, 'T04');
    expect(await sending).toBeInstanceOf(Error);
    await sleep(10);
    const money = env.prepares.slice(startAt).filter((p) => p.amount > 0n);
    expect(money).toEqual([
      { amount: 1000n, rejected: 'T04' },
      { amount: 1000n, rejected: 'T04' },
      { amount: 1000n, rejected: 'T04' },
    ]);
    expect(env.network.stats.clientToServer.fulfilled).toBe(before.fulfilled);
    expect(client.totals.sent).toBe(0n);
    expect(client.totals.delivered).toBe(0n);
    expectExactTotals(env, client);
  });

  it.each([
    [2, 'completes: the third send is fulfilled'],
    [3, 'fails with SEND_FAILED T04: the attempts ran out'],
  ])('retryAttempts 3 counts the first send: %i T04s in a row on the only packet %s', async (t04Count, _outcome) => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect({ retryAttempts: 3, window: 1 });
    let refused = 0;
    env.inject((prepare) => {
      if (prepare.amount === 0n || refused >= t04Count) return undefined;
      refused += 1;
      return ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.busy');
    });
    const result = await lastValueFrom(client.createStream().sendMoney(1_000)).then(
      () => 'completed',
      (e: unknown) => e,
    );
    if (t04Count < 3) {
      expect(result).toBe('completed');
      expect(client.totals.delivered).toBe(1_000n);
    } else {
      expect(result).toBeInstanceOf(Error);
      expectSendFailed(await closedWith(client), 'T04');
      // Three sends, three T04s: nothing may have arrived (a fourth send would have got through).
      expect(client.totals.delivered).toBe(0n);
      expect(env.serverReceived()).toBe(0n);
    }
    await sleep(10);
    expectExactTotals(env, client);
  });

  it('T04 forever with retryAttempts 3 and several packets in flight: no packet is sent more than 3 times', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect({ retryAttempts: 3, initialWindow: 4 });
    env.inject((prepare) => (prepare.amount > 0n ? ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.busy') : undefined));
    const startAt = env.prepares.length;
    const { error } = await untilClosed(client, client.createStream().sendMoney(5_000));
    expectSendFailed(error, 'T04');
    await sleep(10);
    const money = env.prepares.slice(startAt).filter((p) => p.amount > 0n);
    expect(money.length).toBeGreaterThanOrEqual(3);
    expect(money.length).toBeLessThanOrEqual(4 * 3);
    expectExactTotals(env, client);
    expect(client.totals.delivered).toBe(0n);
  });
});

describe('final rejects (27-Err-F)', () => {
  it.each(['F02', 'F05', 'F01'])('%s from a connector ends the send with SEND_FAILED carrying it; totals stay exact', async (code) => {
    const env = await setup({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const client = await env.connect();
    let money = 0;
    let finals = 0;
    env.inject((prepare) => {
      if (prepare.amount === 0n) return undefined;
      money += 1;
      if (money <= 3) return undefined;
      finals += 1;
      return ilpReject(code, 'final', undefined, 'test.connie');
    });
    const { error, sending } = await untilClosed(client, client.createStream().sendMoney(10_000));
    expectSendFailed(error, code);
    const streamError = await sending;
    // The stream's error carries the connection's typed error (code and ilpCode) as its cause.
    expect(isStreamError(streamError, 'CONNECTION_CLOSED')).toBe(true);
    expect((streamError as Error).cause).toBe(error);
    await sleep(10);
    // Not retried: at most one final reject per packet that was in flight.
    expect(finals).toBeGreaterThanOrEqual(1);
    expect(finals).toBeLessThanOrEqual(CONNECTION_DEFAULTS.initialWindow);
    expect(client.totals.sent).toBe(3_000n);
    expect(client.totals.delivered).toBe(1_500n);
    expectExactTotals(env, client);
  });
  it('a final reject on a path with latency sends nothing more: one packet at a time, exactly one Prepare meets F02', async () => {
    const env = await setup({ latency: 1, maxPacketAmount: 1000 });
    const client = await env.connect({ window: 1 });
    const startAt = env.prepares.length;
    env.inject((prepare) => (prepare.amount > 0n ? ilpReject('F02', 'Unreachable', undefined, 'test.connie') : undefined));
    const { error } = await untilClosed(client, client.createStream().sendMoney(5_000));
    expectSendFailed(error, 'F02');
    await sleep(20);
    expect(env.prepares.slice(startAt).filter((p) => p.amount > 0n)).toEqual([{ amount: 1000n, rejected: 'F02' }]);
    expectExactTotals(env, client);
  });
});

describe('no extra packets (29-4.4.2)', () => {
  it('paying 10,000 at max 1000 and rate 1 costs the probe volley, 10 money Prepares and 1 close; no 0-amount money packet', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect();
    const handshake = env.prepares.map((p) => p.amount);
    // One volley of the probe amounts: the 1000 one gets through, the larger ones meet F08 with data.
    expect([...handshake].sort((a, b) => (a < b ? -1 : 1))).toEqual([...DEFAULT_PROBE_AMOUNTS].sort((a, b) => (a < b ? -1 : 1)));
    await lastValueFrom(client.createStream().sendMoney(10_000));
    const money = env.prepares.slice(handshake.length).map((p) => p.amount);
    expect(money).toEqual(Array(10).fill(1000n));
    await client.end();
    const all = env.prepares.map((p) => p.amount);
    expect(all.slice(handshake.length + 10)).toEqual([0n]);
    expect(env.network.stats.clientToServer.prepares).toBe(DEFAULT_PROBE_AMOUNTS.length + 10 + 1);
    expect(env.network.stats.clientToServer.fulfilled).toBe(10 + 1);
    expectExactTotals(env, client);
  });
});

describe('options validation (RangeError naming the option)', () => {
  it.each<[string, ConnectionTuning]>([
    ['retryFactor', { retryFactor: 0.5 }],
    ['retryFactor', { retryFactor: Number.NaN }],
    ['retryFactor', { retryFactor: Number.POSITIVE_INFINITY }],
    ['retryAttempts', { retryAttempts: 0 }],
    ['retryAttempts', { retryAttempts: 1.5 }],
    ['initialWindow', { initialWindow: 0 }],
    ['window', { window: 0 }],
    ['retryBaseDelayMs', { retryBaseDelayMs: -1 }],
    ['retryMaxDelayMs', { retryMaxDelayMs: Number.NaN }],
    ['maxConsecutiveFailures', { maxConsecutiveFailures: 0 }],
    ['minExchangeRate', { minExchangeRate: -1 }],
    ['minExchangeRate', { minExchangeRate: 'x' }],
    ['minExchangeRate', { minExchangeRate: Number.NaN }],
  ])('createConnection rejects %s in %p', async (name, tuning) => {
    const env = await setup();
    const { destinationAccount, sharedSecret } = env.server.generateAddressAndSecret();
    const error = await errorOf(createConnection({ plugin: env.network.client, destinationAccount, sharedSecret, ...tuning }));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain(name);
    expect(env.network.stats.clientToServer.prepares).toBe(0);
  });

  it('the boundary values are accepted: retryFactor 1, retryAttempts 1, initialWindow 1, minExchangeRate 0', async () => {
    const env = await setup({ maxPacketAmount: 1000 });
    const client = await env.connect({ retryFactor: 1, retryAttempts: 1, initialWindow: 1, minExchangeRate: 0 });
    await lastValueFrom(client.createStream().sendMoney(2_500));
    expect(client.totals.delivered).toBe(2_500n);
    expectExactTotals(env, client);
  });
});
