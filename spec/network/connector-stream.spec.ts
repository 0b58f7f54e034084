/**
 * STREAM through a real ilp-connector 23.0.2 (issue 7), in this process, over BTP on 127.0.0.1:
 * our client, our server and ilp-protocol-stream 2.7.1 on either end, each on its own
 * ilp-plugin-btp client of the connector. See spec/helpers/ilp-connector.ts for the set-up.
 *
 * The connector (`test.conn`) has two child accounts: `alice` in USD at scale 2 (cents) with a
 * max packet amount of 1000 cents, where the clients connect and learn `test.conn.alice` over
 * IL-DCP; and `bob` in EUR at scale 4, where the servers connect (`test.conn.bob`). Its backend
 * values 1 USD at 0.9 EUR with no spread, so a cent becomes exactly 90 EUR base units; back the
 * other way a unit is worth 0.0111111111111111 cents (15 significant digits, as the connector's
 * own backends round) and the connector floors every packet.
 *
 * Money is checked by three witnesses that must agree to the unit: the sender's totals, the
 * receiver's totals, and the connector's own books (an account's balance grows with what its
 * client sent through it and shrinks with what the connector paid out to it). Data must arrive
 * byte-identical (SHA-256 and length of what was read against the random payload).
 */
import { lastValueFrom } from 'rxjs';
import { type Connection, type DataAndMoneyStream, type Server, createConnection, createServer } from '../../lib';
import {
  type ConnectorBtpPlugin,
  type ConnectorSpec,
  type IlpConnector,
  closeAllConnectors,
  connectorPlugin,
  connectorRate,
  forwardedAmount,
  onTeardown,
  startConnector,
} from '../helpers/ilp-connector';
import {
  MiB,
  STALL_MS,
  type InteropPair,
  digestOf,
  payload,
  readOurs,
  refWritesToOurDataTest,
  sendDataToRefTest,
  unlessStalled,
} from '../helpers/data-peers';
import { refMoney, type RefConnection, type RefStream } from '../helpers/reference-peers';
import { reference } from '../interop/reference-shim';

/** The connector's books are read right after the payments; every test is a few hundred ms. */
const TEST_MS = 20_000;
jest.setTimeout(TEST_MS);
afterEach(closeAllConnectors);

const RATES = { USD: '1', EUR: '0.9' };
const USD = { code: 'USD', scale: 2 };
const EUR = { code: 'EUR', scale: 4 };
/** EUR base units per cent: exactly 90. */
const USD_TO_EUR = connectorRate(RATES, USD, EUR);
/** Cents per EUR base unit: 0.0111111111111111. */
const EUR_TO_USD = connectorRate(RATES, EUR, USD);
const MAX_PACKET_CENTS = 1000n;

const SPEC: ConnectorSpec = {
  ilpAddress: 'test.conn',
  rates: RATES,
  accounts: {
    alice: { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: MAX_PACKET_CENTS },
    bob: { relation: 'child', assetCode: 'EUR', assetScale: 4 },
  },
};

/** $1000 in cents: at least 100 packets under the connector's limit. */
const CENTS = 100_000n;
/** What those cents are worth in EUR base units at the connector's rate: 9,000,000 (900 EUR). */
const EUROS = forwardedAmount(CENTS, USD_TO_EUR);

/** Sums the money$ of every stream of `connection`, as it arrives. */
function moneyOf(connection: Connection): { total: () => bigint } {
  let total = 0n;
  connection.streams$.subscribe((stream) => stream.money$.subscribe((amount) => (total += amount)));
  return { total: () => total };
}

/** Ours on both ends: our client on `alice`, our server on `bob`. */
async function ourPair(connector: IlpConnector): Promise<{
  client: Connection;
  clientPlugin: ConnectorBtpPlugin;
  server: Server;
  serverPlugin: ConnectorBtpPlugin;
  serverSide: Connection;
}> {
  const serverPlugin = connectorPlugin(connector.url('bob'));
  const server = await createServer({ plugin: serverPlugin });
  let serverSide: Connection | undefined;
  server.connections$.subscribe((connection) => (serverSide ??= connection));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const clientPlugin = connectorPlugin(connector.url('alice'));
  let client: Connection | undefined;
  // Client first, then the server: a ConnectionClose still finds the server there.
  onTeardown(async () => void (await client?.destroy().catch(() => undefined)));
  onTeardown(() => server.close());
  client = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret });
  // The handshake's first packet made the server's connection.
  if (!serverSide) throw new Error('our server emitted no connection for the handshake');
  return { client, clientPlugin, server, serverPlugin, serverSide };
}

/** Registers the teardown of a pair with a reference end: reference end() first, then ours, then destroy. */
function closeMixedPair(pair: () => InteropPair | undefined, closeServer: () => Promise<void>): void {
  onTeardown(async () => {
    const current = pair();
    if (!current) return;
    // The reference ends first, so its ConnectionClose reaches us while everything is up; the
    // other way round a reference client may never answer ours (it disconnects as it closes).
    await Promise.race([current.ref.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    await current.ours.destroy().catch(() => undefined);
    await current.ref.destroy().catch(() => undefined);
  });
  onTeardown(closeServer);
}

/** Our client on `alice` → the reference server on `bob`; `onConnection` runs on the reference's 'connection'. */
async function ourClientToRefServer(connector: IlpConnector, onConnection: (ref: RefConnection) => void): Promise<InteropPair> {
  const refServer = await reference.createServer({ plugin: connectorPlugin(connector.url('bob')) });
  let pair: InteropPair | undefined;
  closeMixedPair(() => pair, () => refServer.close());
  const refSide = new Promise<RefConnection>((resolve) => refServer.once('connection', resolve));
  refServer.on('connection', onConnection);
  const { destinationAccount, sharedSecret } = refServer.generateAddressAndSecret();
  const ours = await createConnection({ plugin: connectorPlugin(connector.url('alice')), destinationAccount, sharedSecret });
  pair = { ours, ref: await refSide };
  return pair;
}

/** The reference client on `alice` → our server on `bob`; `onConnection` runs when our server emits it. */
async function refClientToOurServer(connector: IlpConnector, onConnection: (ours: Connection) => void): Promise<InteropPair> {
  const server = await createServer({ plugin: connectorPlugin(connector.url('bob')) });
  let pair: InteropPair | undefined;
  closeMixedPair(() => pair, () => server.close());
  let ours: Connection | undefined;
  server.connections$.subscribe((connection) => {
    ours ??= connection;
    onConnection(connection);
  });
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const ref = await reference.createConnection({ plugin: connectorPlugin(connector.url('alice')), destinationAccount, sharedSecret });
  if (!ours) throw new Error('our server emitted no connection for the handshake');
  pair = { ours, ref };
  return pair;
}

describe('our client → ilp-connector → our server', () => {
  it('learns its address and asset over IL-DCP from the connector, and probes the connector rate: 90 EUR base units per cent', async () => {
    const connector = await startConnector(SPEC);
    const { client, server, serverSide } = await ourPair(connector);

    expect([client.sourceAccount, client.sourceAssetCode, client.sourceAssetScale]).toEqual(['test.conn.alice', 'USD', 2]);
    expect([server.serverAccount, server.assetCode, server.assetScale]).toEqual(['test.conn.bob', 'EUR', 4]);
    expect(client.destinationAccount?.startsWith('test.conn.bob.')).toBe(true);
    expect([client.destinationAssetCode, client.destinationAssetScale]).toEqual(['EUR', 4]);
    expect(serverSide.destinationAccount).toBe('test.conn.alice');
    expect(client.exchangeRate?.value).toBe(Number(USD_TO_EUR));
    // Only zero-amount probes so far: the connector's books are untouched.
    expect(await connector.balances()).toEqual({ alice: 0n, bob: 0n });
  });

  it('29-3.4-b money: $1000 in cents arrives as exactly 900 EUR (9,000,000 units) in packets of at most 1000 cents learned from the connector F08; sender, receiver and connector books agree', async () => {
    const connector = await startConnector(SPEC);
    const { client, clientPlugin, serverSide } = await ourPair(connector);
    const received = moneyOf(serverSide);
    // The handshake's probes (unfulfillable, so rejected F99 by our server) are not this payment's.
    const before = { fulfilled: clientPlugin.replies.fulfilled, rejects: clientPlugin.replies.rejects.length };

    const stream = client.createStream();
    const last = await lastValueFrom(stream.sendMoney(CENTS));

    expect(last).toEqual({ amount: CENTS, sent: CENTS, delivered: EUROS });
    expect(client.totals).toEqual({ sent: CENTS, delivered: EUROS, received: 0n, inFlight: 0n });
    expect(stream.totals.delivered).toBe(EUROS);
    expect(serverSide.totals.received).toBe(EUROS);
    expect(received.total()).toBe(EUROS);
    // The connector's books: alice owes what she sent, the connector owes bob what it paid out.
    expect(await connector.balances()).toEqual({ alice: CENTS, bob: -EUROS });
    // The limit came from the connector's own F08s (its address in triggeredBy, the limit in the
    // data) while the handshake probed; the payment then kept under it: no reject at all, and at
    // least 100 packets.
    const f08 = clientPlugin.replies.rejects.slice(0, before.rejects).filter((r) => r.code === 'F08');
    expect(f08.length).toBeGreaterThan(0);
    expect(f08.every((r) => r.triggeredBy === 'test.conn')).toBe(true);
    expect(clientPlugin.replies.rejects.slice(before.rejects)).toEqual([]);
    expect(clientPlugin.replies.fulfilled - before.fulfilled).toBeGreaterThanOrEqual(Number(CENTS / MAX_PACKET_CENTS));
  });

  it('29-4.3.1-a money back: our server pays the client 90 EUR (900,000 units); the connector floors each packet at 0.0111111111111111, and both ends and the books agree to the cent', async () => {
    const connector = await startConnector(SPEC);
    const { client, serverPlugin, serverSide } = await ourPair(connector);
    const received = moneyOf(client);
    const euros = 900_000n;
    // The server's plugin also counts its IL-DCP Fulfill: only this payment's packets matter.
    const fulfilledBefore = serverPlugin.replies.fulfilled;

    const last = await lastValueFrom(serverSide.createStream().sendMoney(euros));

    const cents = serverSide.totals.delivered;
    expect(last).toEqual({ amount: euros, sent: euros, delivered: cents });
    expect(serverSide.totals).toEqual({ sent: euros, delivered: cents, received: 0n, inFlight: 0n });
    expect(client.totals.received).toBe(cents);
    expect(received.total()).toBe(cents);
    expect(await connector.balances()).toEqual({ alice: -cents, bob: euros });
    // 900,000 × 0.0111111111111111 = 9999.99999999999: the connector's rounding costs up to a
    // cent per packet, so n packets deliver between floor(…) − (n − 1) and floor(…) = 9999.
    const packets = BigInt(serverPlugin.replies.fulfilled - fulfilledBefore);
    expect(packets).toBeGreaterThanOrEqual(1n);
    expect(cents).toBeLessThanOrEqual(forwardedAmount(euros, EUR_TO_USD));
    expect(cents).toBeGreaterThanOrEqual(forwardedAmount(euros, EUR_TO_USD) - (packets - 1n));
    expect(forwardedAmount(euros, EUR_TO_USD)).toBe(9999n);
  });

  it('29-4.4.3-a data: 1 MiB each way at once on one stream (client → server and server → client) arrives byte-identical; no money moves, the books stay at 0', async () => {
    const connector = await startConnector(SPEC);
    const { client, serverSide } = await ourPair(connector);
    const up = payload(MiB);
    const down = payload(MiB);
    const serverStream = new Promise<DataAndMoneyStream>((resolve) => serverSide.streams$.subscribe(resolve));

    const clientStream = client.createStream();
    const clientReader = readOurs(clientStream);
    const sentUp = lastValueFrom(clientStream.sendData(up));
    const serverReader = readOurs(await serverStream);
    const sentDown = lastValueFrom((await serverStream).sendData(down));

    await unlessStalled(sentUp, () => serverReader.sink.length, 'the server reading 1 MiB', STALL_MS);
    await unlessStalled(sentDown, () => clientReader.sink.length, 'the client reading 1 MiB', STALL_MS);
    await unlessStalled(serverReader.sink.reached(MiB), () => serverReader.sink.length, 'the server emitting 1 MiB', STALL_MS);
    await unlessStalled(clientReader.sink.reached(MiB), () => clientReader.sink.length, 'the client emitting 1 MiB', STALL_MS);
    expect(serverReader.sink.digest()).toEqual(digestOf(up));
    expect(clientReader.sink.digest()).toEqual(digestOf(down));
    expect(client.totals).toEqual({ sent: 0n, delivered: 0n, received: 0n, inFlight: 0n });
    expect(await connector.balances()).toEqual({ alice: 0n, bob: 0n });
  });
});

describe('our client → ilp-connector → ilp-protocol-stream server', () => {
  it('29-3.4-b money: our $1000 arrives as exactly 9,000,000 EUR units at the reference (totalReceived), matching our delivered and the connector books', async () => {
    const connector = await startConnector(SPEC);
    let refMoneyTotal: { total: () => bigint } | undefined;
    const pair = await ourClientToRefServer(connector, (ref) =>
      ref.on('stream', (stream: RefStream) => {
        // Synchronously, or the reference refuses the first money.
        stream.setReceiveMax(Infinity);
        refMoneyTotal = refMoney(stream);
      }),
    );

    await lastValueFrom(pair.ours.createStream().sendMoney(CENTS));

    expect(pair.ours.totals).toEqual({ sent: CENTS, delivered: EUROS, received: 0n, inFlight: 0n });
    expect(pair.ref.totalReceived).toBe(EUROS.toString());
    expect(refMoneyTotal?.total()).toBe(EUROS);
    expect(await connector.balances()).toEqual({ alice: CENTS, bob: -EUROS });
  });

  it('29-4.4.3-a data: our sendData(1 MiB) through the connector is read byte-identical by the reference', async () => {
    const connector = await startConnector(SPEC);
    await sendDataToRefTest((onConnection) => ourClientToRefServer(connector, onConnection))('1 MiB', MiB);
    expect(await connector.balances()).toEqual({ alice: 0n, bob: 0n });
  });
});

describe('ilp-protocol-stream client → ilp-connector → our server', () => {
  it('29-3.4-b money: the reference sendTotal($1000 in cents) arrives as exactly 9,000,000 EUR units at our server, matching its totalDelivered and the connector books', async () => {
    const connector = await startConnector(SPEC);
    let received: { total: () => bigint } | undefined;
    const pair = await refClientToOurServer(connector, (connection) => (received = moneyOf(connection)));

    await pair.ref.createStream().sendTotal(CENTS.toString());

    expect(pair.ref.totalSent).toBe(CENTS.toString());
    expect(pair.ref.totalDelivered).toBe(EUROS.toString());
    expect(pair.ours.totals.received).toBe(EUROS);
    expect(received?.total()).toBe(EUROS);
    expect(await connector.balances()).toEqual({ alice: CENTS, bob: -EUROS });
  });

  it('29-4.4.3-a data: the reference write()s 1 MiB through the connector; our data$ emits it byte-identical and completes', async () => {
    const connector = await startConnector(SPEC);
    await refWritesToOurDataTest((onConnection) => refClientToOurServer(connector, onConnection))('1 MiB', MiB);
    expect(await connector.balances()).toEqual({ alice: 0n, bob: 0n });
  });
});
