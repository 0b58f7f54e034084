/**
 * STREAM through real ilp-connector 23.0.2 processes (issue 7): each connector runs in its own
 * child process (spec/helpers/connector-process.ts), so that it can be chained to another over
 * BTP and SIGKILLed in the middle of a payment. Our client and our server run in this process.
 *
 * The chain: our client → C1 → C2 → our server.
 * - C1 `test.up`: `alice` (child, USD scale 2, max packet 1000 cents) for our client, `down`
 *   (child, EUR scale 4) where C2 dials in.
 * - C2 learns `test.up.down` from C1 over IL-DCP (its account `up` is a `parent`) and has `bob`
 *   (child, EUR scale 6) for our server. Its account `up` takes at most 40,000 EUR units (scale 4)
 *   per packet: less than C1 lets through (1000 cents = 90,000), so C2 answers F08 with its own
 *   amounts, which our client must scale back to cents itself (1000 × 40,000 / 90,000 → 444).
 * Rates: 1 USD = 0.9 EUR, no spread; a cent is exactly 90 EUR units at C1 and 9000 at C2's `bob`.
 *
 * Killing the connector in the middle (one connector, `test.conn`, between our client on `alice`
 * and our server on `bob`): ILP gives no way to learn the fate of a Prepare whose connector
 * died, so our client treats it as any unanswered Prepare: it expires (R00), is retried after a
 * backoff, and the connection fails with `ConnectionError` SEND_FAILED (ilpCode R00) once one
 * packet has been tried `retryAttempts` times; a connector back on its ports in time carries the
 * retries and the payment completes. For exact books, the kill happens at a known point: our
 * server's plugin holds back every new Prepare (a gate), and the connector is killed once every
 * packet in flight is held there, so none of them was fulfilled and every fulfillment sent before
 * reached our client. The held Prepares are dropped with the dead connector; their money must be
 * neither lost nor counted twice. The last test kills at a random moment instead: then the
 * connector typically dies holding fulfillments our server already sent (7 to 32 of them in our
 * runs), which our client never sees. It retries those packets with a fresh sequence and IV
 * (29-5.1.1-b, so a new condition), and our server credits them again: the receiver ends up with
 * more than the sender counts delivered, by exactly the fulfillments that died with the connector
 * (in ILP that is the connector's loss). The test checks that identity to the unit.
 */
import { lastValueFrom } from 'rxjs';
import { Type as IlpType, deserializeIlpPrepare, serializeIlpReject } from 'ilp-packet';
import { type Connection, type ConnectionTuning, type Server, createConnection, createServer, isConnectionError, isStreamError } from '../../lib';
import { readF08Data } from '../../lib/ilp';
import {
  type ConnectorSpec,
  ConnectorBtpPlugin,
  type IlpConnector,
  closeAllConnectors,
  connectorPlugin,
  connectorRate,
  forwardedAmount,
  onTeardown,
  spawnConnector,
  trackPlugin,
} from '../helpers/ilp-connector';
import { waitUntil } from '../helpers/reference-peers';

/** Spawning a connector process takes ~0.7 s; the longest test waits out 3 expiries of 3 s. */
const TEST_MS = 30_000;
jest.setTimeout(TEST_MS);
afterEach(closeAllConnectors);

const RATES = { USD: '1', EUR: '0.9' };
const CENTS_TO_EUR4 = connectorRate(RATES, { code: 'USD', scale: 2 }, { code: 'EUR', scale: 4 });
const EUR4_TO_EUR6 = connectorRate(RATES, { code: 'EUR', scale: 4 }, { code: 'EUR', scale: 6 });

/** $1000 in cents. */
const CENTS = 100_000n;

/** Sums the money$ of every stream of `connection`, as it arrives. */
function moneyOf(connection: Connection): { total: () => bigint } {
  let total = 0n;
  connection.streams$.subscribe((stream) => stream.money$.subscribe((amount) => (total += amount)));
  return { total: () => total };
}

/** Our server on `serverUrl` and our client on `clientUrl`, closed client first at teardown. */
async function ourPair(
  clientPlugin: ConnectorBtpPlugin,
  serverPlugin: ConnectorBtpPlugin,
  tuning: ConnectionTuning = {},
): Promise<{ client: Connection; server: Server; serverSide: Connection }> {
  const server = await createServer({ plugin: serverPlugin });
  let serverSide: Connection | undefined;
  server.connections$.subscribe((connection) => (serverSide ??= connection));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  let client: Connection | undefined;
  onTeardown(async () => void (await client?.destroy().catch(() => undefined)));
  onTeardown(() => server.close());
  client = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret, ...tuning });
  if (!serverSide) throw new Error('our server emitted no connection for the handshake');
  return { client, server, serverSide };
}

describe('two connectors in a chain, each its own process', () => {
  it('27-F08-a, 29-3.4-b: the second connector answers F08 in its own units; our client scales it back (444 cents) and $1000 arrives as exactly 900,000,000 EUR units; both connectors books agree', async () => {
    const c1 = await spawnConnector({
      ilpAddress: 'test.up',
      rates: RATES,
      accounts: {
        alice: { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: 1000n },
        down: { relation: 'child', assetCode: 'EUR', assetScale: 4 },
      },
    });
    const c2 = await spawnConnector({
      rates: RATES,
      accounts: {
        up: { relation: 'parent', assetCode: 'EUR', assetScale: 4, maxPacketAmount: 40_000n, connectTo: c1.url('down') },
        bob: { relation: 'child', assetCode: 'EUR', assetScale: 6 },
      },
    });
    const clientPlugin = connectorPlugin(c1.url('alice'));
    const { client, server, serverSide } = await ourPair(clientPlugin, connectorPlugin(c2.url('bob')));
    const received = moneyOf(serverSide);
    expect(client.sourceAccount).toBe('test.up.alice');
    expect(server.serverAccount).toBe('test.up.down.bob');
    const before = { fulfilled: clientPlugin.replies.fulfilled, rejects: clientPlugin.replies.rejects.length };

    const last = await lastValueFrom(client.createStream().sendMoney(CENTS));

    const eur4 = forwardedAmount(CENTS, CENTS_TO_EUR4);
    const eur6 = forwardedAmount(eur4, EUR4_TO_EUR6);
    expect([eur4, eur6]).toEqual([9_000_000n, 900_000_000n]);
    expect(last).toEqual({ amount: CENTS, sent: CENTS, delivered: eur6 });
    expect(client.totals).toEqual({ sent: CENTS, delivered: eur6, received: 0n, inFlight: 0n });
    expect(serverSide.totals.received).toBe(eur6);
    expect(received.total()).toBe(eur6);
    expect(await c1.balances()).toEqual({ alice: CENTS, down: -eur4 });
    expect(await c2.balances()).toEqual({ up: eur4, bob: -eur6 });

    // Both connectors' limits were met, each in its own units: C1 in cents, C2 in EUR units.
    const f08 = clientPlugin.replies.rejects.filter((r) => r.code === 'F08').map((r) => ({ by: r.triggeredBy, ...readF08Data(r.data) }));
    expect(f08).toContainEqual({ by: 'test.up', receivedAmount: 1_000_000n, maximumAmount: 1000n });
    expect(f08).toContainEqual({ by: 'test.up.down', receivedAmount: 90_000n, maximumAmount: 40_000n });
    expect(f08.every((r) => r.by === 'test.up' || r.by === 'test.up.down')).toBe(true);
    // After the handshake learned 444 cents (39,960 units at C2, under its 40,000), no packet of
    // the payment was rejected: ceil(100,000 / 444) = 226 packets or more, all fulfilled.
    expect(client.exchangeRate?.value).toBe(Number(CENTS_TO_EUR4) * Number(EUR4_TO_EUR6));
    expect(clientPlugin.replies.rejects.slice(before.rejects)).toEqual([]);
    expect(clientPlugin.replies.fulfilled - before.fulfilled).toBeGreaterThanOrEqual(226);
  });
});

/**
 * Our server's plugin, with a gate: while it is shut, every incoming Prepare is held back (our
 * server never sees it) until {@link drop} answers it T01. Open, it passes everything through.
 */
class GatedPlugin extends ConnectorBtpPlugin {
  private shut = false;
  private readonly held: Array<{ amount: bigint; answer: (reply: Buffer) => void }> = [];

  override registerDataHandler(handler: (data: Buffer) => Promise<Buffer>): void {
    super.registerDataHandler((data) => (this.shut ? this.hold(data) : handler(data)));
  }

  close(): void {
    this.shut = true;
  }

  open(): void {
    this.shut = false;
  }

  /** The amounts of the Prepares held back so far, in the server's units. */
  get heldAmount(): bigint {
    return this.held.reduce((sum, { amount }) => sum + amount, 0n);
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Answers every held Prepare T01 (into a connection that is gone by then); our server never saw them. */
  drop(): void {
    const reject = serializeIlpReject({ code: 'T01', triggeredBy: '', message: 'held back by the test', data: Buffer.alloc(0) });
    for (const { answer } of this.held.splice(0)) answer(reject);
  }

  private hold(data: Buffer): Promise<Buffer> {
    const amount = BigInt(deserializeIlpPrepare(data).amount);
    return new Promise((answer) => this.held.push({ amount, answer }));
  }
}

const SINGLE: ConnectorSpec = {
  ilpAddress: 'test.conn',
  rates: RATES,
  accounts: {
    alice: { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: 1000n },
    bob: { relation: 'child', assetCode: 'EUR', assetScale: 4 },
  },
};

/**
 * A payment of `CENTS` through one connector process, brought to a standstill with part of it
 * delivered and every packet in flight held at our server's gate: the moment to kill the connector.
 */
async function paymentHeldAtTheGate(connector: IlpConnector, tuning: ConnectionTuning) {
  const gate = trackPlugin(new GatedPlugin(connector.url('bob')));
  const clientPlugin = connectorPlugin(connector.url('alice'));
  const { client, serverSide } = await ourPair(clientPlugin, gate, tuning);
  const received = moneyOf(serverSide);
  const outcome = lastValueFrom(client.createStream().sendMoney(CENTS)).then(
    (last) => ({ last, error: undefined }),
    (error: unknown) => ({ last: undefined, error }),
  );

  await waitUntil(() => serverSide.totals.received >= forwardedAmount(CENTS, CENTS_TO_EUR4) / 4n, 'a quarter of the payment arrived', 10_000);
  gate.close();
  // Standstill: every fulfillment our server sent has reached the client (delivered = received),
  // and everything the client still has in flight is held at the gate (at the exact rate 90).
  await waitUntil(
    () =>
      gate.heldCount > 0 &&
      client.totals.delivered === serverSide.totals.received &&
      forwardedAmount(client.totals.inFlight, CENTS_TO_EUR4) === gate.heldAmount,
    'every packet in flight held at the gate',
    10_000,
  );
  return { client, serverSide, gate, received, outcome, atKill: { ...client.totals } };
}

describe('the connector in the middle of a payment is SIGKILLed', () => {
  it('restarted on its ports: our client retries the lost Prepares and completes the payment; sender delivered = receiver received to the unit, and the two connector lives booked exactly their shares', async () => {
    const connector = await spawnConnector(SINGLE);
    const { client, serverSide, gate, received, outcome, atKill } = await paymentHeldAtTheGate(connector, { packetExpiryMs: 3000 });
    // The old connector's books at the kill: every Prepare from alice is booked when it arrives
    // (so the held ones too), bob is only debited for fulfilled ones.
    expect(await connector.balances()).toEqual({ alice: atKill.sent + atKill.inFlight, bob: -serverSide.totals.received });
    expect(atKill.inFlight).toBeGreaterThan(0n);
    expect(atKill.sent).toBeLessThan(CENTS);

    await connector.kill();
    gate.drop();
    gate.open();
    await connector.restart();
    const { last, error } = await outcome;

    expect(error).toBeUndefined();
    const euros = forwardedAmount(CENTS, CENTS_TO_EUR4);
    expect(last).toEqual({ amount: CENTS, sent: CENTS, delivered: euros });
    expect(client.totals).toEqual({ sent: CENTS, delivered: euros, received: 0n, inFlight: 0n });
    expect(serverSide.totals.received).toBe(euros);
    expect(received.total()).toBe(euros);
    // The restarted connector started from empty books and carried exactly the rest.
    expect(await connector.balances()).toEqual({ alice: CENTS - atKill.sent, bob: -(euros - forwardedAmount(atKill.sent, CENTS_TO_EUR4)) });
    expect(client.state).toBe('open');
  });

  it('never back: after retryAttempts (3) expiries of a lost Prepare our connection fails with ConnectionError SEND_FAILED (ilpCode R00), sendMoney with StreamError CONNECTION_CLOSED; what it reports delivered is exactly what the server received, and nothing stays in flight', async () => {
    const connector = await spawnConnector(SINGLE);
    const tuning = { packetExpiryMs: 3000, retryAttempts: 3, retryBaseDelayMs: 100 };
    const { client, serverSide, gate, received, outcome, atKill } = await paymentHeldAtTheGate(connector, tuning);
    const connectionEnd = new Promise<unknown>((resolve) => client.state$.subscribe({ error: resolve, complete: () => resolve('complete') }));

    const killedAt = Date.now();
    await connector.kill();
    gate.drop();
    const { last, error } = await outcome;
    const failedAfter = Date.now() - killedAt;

    // The connection fails with the typed error; the stream's sendMoney with CONNECTION_CLOSED
    // carrying its message.
    const ended = await connectionEnd;
    expect(isConnectionError(ended, 'SEND_FAILED')).toBe(true);
    expect(ended).toMatchObject({ ilpCode: 'R00', message: expect.stringMatching(/^SEND_FAILED: a packet failed 3 times; last R00/) });
    expect(last).toBeUndefined();
    expect(isStreamError(error, 'CONNECTION_CLOSED')).toBe(true);
    expect((error as Error).message).toBe(`CONNECTION_CLOSED: ${(ended as Error).message}`);
    expect(client.state).toBe('closed');
    // Three sends of 3 s each, the first already under way at the kill: between 6 and ~10 s.
    expect(failedAfter).toBeGreaterThanOrEqual(2 * tuning.packetExpiryMs);
    expect(failedAfter).toBeLessThan(4 * tuning.packetExpiryMs);
    // Nothing after the kill was fulfilled: the books are those of the standstill.
    expect(client.totals).toEqual({ sent: atKill.sent, delivered: atKill.delivered, received: 0n, inFlight: 0n });
    expect(serverSide.totals.received).toBe(atKill.delivered);
    expect(received.total()).toBe(atKill.delivered);
    expect(atKill.delivered).toBe(forwardedAmount(atKill.sent, CENTS_TO_EUR4));
  });

  it('at a random moment, restarted at once: the payment completes, and the only gap between what the sender counts delivered and what the receiver got is the fulfillments that died with the connector, to the unit; the new connector booked exactly what it carried', async () => {
    const connector = await spawnConnector(SINGLE);
    const clientPlugin = trackPlugin(new LedgerClientPlugin(connector.url('alice')));
    const serverPlugin = trackPlugin(new LedgerServerPlugin(connector.url('bob')));
    const { client, serverSide } = await ourPair(clientPlugin, serverPlugin, { packetExpiryMs: 3000 });
    const outcome = lastValueFrom(client.createStream().sendMoney(CENTS));
    outcome.catch(() => undefined);

    await waitUntil(() => serverSide.totals.received >= forwardedAmount(CENTS, CENTS_TO_EUR4) / 4n, 'a quarter of the payment arrived', 10_000);
    const epochs = { client: clientPlugin.epoch, server: serverPlugin.epoch };
    await connector.kill();
    await connector.restart();
    const last = await outcome;

    const euros = forwardedAmount(CENTS, CENTS_TO_EUR4);
    expect(last).toMatchObject({ amount: CENTS, sent: CENTS });
    expect(client.totals).toMatchObject({ sent: CENTS, received: 0n, inFlight: 0n });
    // The sender paid for every fulfillment it saw, and counts as delivered what each one reported.
    expect(sum(clientPlugin.fulfilled.map((f) => f.amount))).toBe(CENTS);
    // Fulfillments our server sent that never came back: the old connector had them when it died.
    const lost = unmatched(serverPlugin.fulfilled, clientPlugin.fulfilled);
    expect(serverSide.totals.received - client.totals.delivered).toBe(sum(lost.map((f) => f.amount)));
    expect(client.totals.delivered).toBe(euros);
    expect(lost.every((f) => f.epoch <= epochs.server)).toBe(true);
    // The new connector carried exactly what crossed it, in both books.
    const clientAfter = clientPlugin.fulfilled.filter((f) => f.epoch > epochs.client);
    const serverAfter = serverPlugin.fulfilled.filter((f) => f.epoch > epochs.server);
    expect(clientAfter.length).toBeGreaterThan(0);
    expect(await connector.balances()).toEqual({ alice: sum(clientAfter.map((f) => f.amount)), bob: -sum(serverAfter.map((f) => f.amount)) });
  });
});

/** A fulfilled Prepare: its condition, amount (in this end's units) and the link's epoch when it crossed. */
interface Fulfilled {
  readonly condition: string;
  readonly amount: bigint;
  readonly epoch: number;
}

function sum(amounts: readonly bigint[]): bigint {
  return amounts.reduce((total, amount) => total + amount, 0n);
}

/** The entries of `sent` that `seen` has no counterpart for (same condition), each counterpart used once. */
function unmatched(sent: readonly Fulfilled[], seen: readonly Fulfilled[]): Fulfilled[] {
  const counts = new Map<string, number>();
  for (const { condition } of seen) counts.set(condition, (counts.get(condition) ?? 0) + 1);
  return sent.filter(({ condition }) => {
    const left = counts.get(condition) ?? 0;
    if (left === 0) return true;
    counts.set(condition, left - 1);
    return false;
  });
}

/**
 * Our client's plugin, noting every Prepare whose Fulfill came back. The epoch counts the
 * plugin's `connect` events: a reply arrives on the socket of the connector that sent it, so the
 * epoch tells the connector's lives apart.
 */
class LedgerClientPlugin extends ConnectorBtpPlugin {
  epoch = 0;
  readonly fulfilled: Fulfilled[] = [];

  constructor(url: string) {
    super(url);
    this.on('connect', () => (this.epoch += 1));
  }

  override async sendData(buffer: Buffer): Promise<Buffer> {
    const reply = await super.sendData(buffer);
    if (reply[0] === IlpType.TYPE_ILP_FULFILL) {
      const { executionCondition, amount } = deserializeIlpPrepare(buffer);
      this.fulfilled.push({ condition: executionCondition.toString('base64'), amount: BigInt(amount), epoch: this.epoch });
    }
    return reply;
  }
}

/** Our server's plugin, noting every Prepare our server fulfilled, with the epoch it arrived in. */
class LedgerServerPlugin extends ConnectorBtpPlugin {
  epoch = 0;
  readonly fulfilled: Fulfilled[] = [];

  constructor(url: string) {
    super(url);
    this.on('connect', () => (this.epoch += 1));
  }

  override registerDataHandler(handler: (data: Buffer) => Promise<Buffer>): void {
    super.registerDataHandler(async (data) => {
      const epoch = this.epoch;
      const reply = await handler(data);
      if (reply[0] === IlpType.TYPE_ILP_FULFILL) {
        const { executionCondition, amount } = deserializeIlpPrepare(data);
        this.fulfilled.push({ condition: executionCondition.toString('base64'), amount: BigInt(amount), epoch });
      }
      return reply;
    });
  }
}
