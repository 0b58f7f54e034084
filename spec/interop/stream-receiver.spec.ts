/**
 * Our client paying @interledger/stream-receiver 0.2.2 over the in-memory network (max packet
 * 1000). stream-receiver is stateless: it sends no StreamMaxMoney (so our sender has no receive
 * window to go by), answers ConnectionNewAddress with ConnectionAssetDetails only if the token
 * carries an asset, fulfills 0-amount Prepares by itself, lets the application decline money with
 * T00 (temporary) or F99 + ConnectionClose (final), and echoes a ConnectionClose in an F99.
 *
 * It keeps no totals, so the helper counts what it credited (the amount of every money Prepare it
 * fulfilled). Three witnesses must agree on every unit: that count, our connection's
 * `totals.delivered`, and the network's sum of fulfilled destination amounts.
 */
import {
  type Connection,
  type ConnectionTuning,
  FrameType,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type StreamPacket,
  createConnection,
  createMemoryNetwork,
  decodePacket,
  deriveKeys,
} from '../../lib';
import { isReject } from 'ilp-packet';
import { type Exchange, type StreamReceiverPeer, type StreamReceiverPeerOptions, startStreamReceiver } from '../helpers/stream-receiver-peer';

jest.setTimeout(20_000);

interface Setup {
  network: MemoryNetwork;
  peer: StreamReceiverPeer;
  connection: Connection;
  sharedSecret: Buffer;
}

const open: Setup[] = [];

afterEach(async () => {
  const setups = open.splice(0);
  for (const { connection, peer } of setups) {
    // destroy, not end: a failed test may leave money queued that end() would wait for.
    await connection.destroy().catch(() => undefined);
    await peer.close();
  }
});

async function payStreamReceiver(
  networkOptions: MemoryNetworkOptions,
  options: { peer?: StreamReceiverPeerOptions; asset?: { code: string; scale: number } | null; client?: ConnectionTuning } = {},
): Promise<Setup> {
  const network = createMemoryNetwork({ maxPacketAmount: 1000, ...networkOptions });
  const peer = await startStreamReceiver(network.server, { record: true, ...options.peer });
  const credentials = peer.credentials(options.asset);
  let connection: Connection;
  try {
    connection = await createConnection({ plugin: network.client, ...credentials, ...options.client });
  } catch (error) {
    await peer.close();
    throw error;
  }
  const setup = { network, peer, connection, sharedSecret: credentials.sharedSecret };
  open.push(setup);
  return setup;
}

/** The STREAM packets of one exchange, decrypted with the connection's key (absent if there is none). */
function streamPackets(sharedSecret: Buffer, exchange: Exchange): { request: StreamPacket; reply: StreamPacket | undefined } {
  const keys = deriveKeys(sharedSecret);
  const request = decodePacket(keys.decrypt(exchange.prepare.data));
  const reply = exchange.reply.data.length > 0 ? decodePacket(keys.decrypt(exchange.reply.data)) : undefined;
  return { request, reply };
}

/** How our connection's `state$` ended: 'complete', or the error. */
function outcome(connection: Connection): Promise<'complete' | unknown> {
  return new Promise((resolve) => connection.state$.subscribe({ complete: () => resolve('complete'), error: resolve }));
}

describe.each([
  // 1000 × 0.5 is whole, so rate 0.5 is exact per full packet; 123,457 leaves a 457 packet that floors.
  { rate: 1, amount: 100_000n, ideal: 100_000n },
  { rate: 0.5, amount: 123_457n, ideal: 61_728n },
])('our client → stream-receiver at rate $rate, max packet 1000', ({ rate, amount, ideal }) => {
  it(`29-3.4-b, 29-5.2-g: ${amount} units: stream-receiver credits exactly our totals.delivered; totals.sent is what we asked`, async () => {
    const { network, peer, connection, sharedSecret } = await payStreamReceiver({ exchangeRate: rate });
    const stream = connection.createStream();
    await stream.sendTotal(amount);

    const carried = network.stats.clientToServer;
    expect(connection.totals.sent).toBe(amount);
    expect(connection.totals.inFlight).toBe(0n);
    expect(carried.sourceAmountFulfilled).toBe(amount);
    expect(peer.credited).toBe(connection.totals.delivered);
    expect(carried.destinationAmountFulfilled).toBe(connection.totals.delivered);
    expect(stream.totals.delivered).toBe(connection.totals.delivered);
    expect(connection.totals.received).toBe(0n);
    // Each packet floors on its own, so at most one unit per packet is lost to the rate.
    const packets = BigInt(carried.fulfilled);
    expect(connection.totals.delivered).toBeLessThanOrEqual(ideal);
    expect(connection.totals.delivered).toBeGreaterThanOrEqual(ideal - packets);
    // Every Fulfill was for money, and the max packet amount was in force.
    expect(peer.moneyFulfills).toBe(carried.fulfilled);
    expect(carried.fulfilled).toBeGreaterThanOrEqual(Math.ceil(Number(amount) / 1000));
    // The receiver really was the stateless one: not a single StreamMaxMoney came back.
    const replies = peer.exchanges.map((e) => streamPackets(sharedSecret, e).reply);
    expect(replies.flatMap((r) => r?.frames ?? []).filter((f) => f.type === FrameType.StreamMaxMoney)).toEqual([]);
  });
});

describe('connection details with stream-receiver', () => {
  it('29-4.3.3-d: stream-receiver answers our ConnectionNewAddress with the asset in its token', async () => {
    const { connection, peer, sharedSecret } = await payStreamReceiver({}, { asset: { code: 'EUR', scale: 2 } });
    expect(connection.destinationAssetCode).toBe('EUR');
    expect(connection.destinationAssetScale).toBe(2);
    const first = streamPackets(sharedSecret, peer.exchanges[0]!);
    expect(first.request.frames.map((f) => f.type)).toContain(FrameType.ConnectionNewAddress);
    expect(first.reply?.frames).toEqual([{ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'EUR', sourceAssetScale: 2 }]);
  });

  it('29-4.3.3-a: without an asset in the token no ConnectionAssetDetails ever comes; the connection opens and pays exactly anyway', async () => {
    const { network, connection, peer } = await payStreamReceiver({ exchangeRate: 0.5 }, { asset: null });
    expect(connection.state).toBe('open');
    expect(connection.destinationAssetCode).toBeUndefined();
    await connection.createStream().sendTotal(10_000);
    expect(connection.totals).toEqual({ sent: 10_000n, delivered: 5_000n, received: 0n, inFlight: 0n });
    expect(peer.credited).toBe(5_000n);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(5_000n);
  });

  it('29-3.4-b: with 1 ms latency and a window of packets in flight the three witnesses still agree', async () => {
    const { network, connection, peer } = await payStreamReceiver({ exchangeRate: 0.5, latency: 1 });
    await connection.createStream().sendTotal(50_000);
    expect(connection.totals).toEqual({ sent: 50_000n, delivered: 25_000n, received: 0n, inFlight: 0n });
    expect(peer.credited).toBe(25_000n);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(25_000n);
  });
});

describe('declines and closes by stream-receiver', () => {
  it('E31: T00 soft declines (temporaryDecline) are retried; nothing declined is counted, everything asked is sent', async () => {
    const declined = new Set([3, 4, 10]);
    const { network, connection, peer } = await payStreamReceiver(
      { exchangeRate: 0.5 },
      { peer: { decide: (index) => (declined.has(index) ? 'temporaryDecline' : 'accept') }, client: { retryBaseDelayMs: 5 } },
    );
    await connection.createStream().sendTotal(20_000);

    expect(peer.rejectCodes.filter((code) => code === 'T00')).toHaveLength(3);
    expect(connection.totals).toEqual({ sent: 20_000n, delivered: 10_000n, received: 0n, inFlight: 0n });
    expect(peer.credited).toBe(10_000n);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(10_000n);
    expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(20_000n);
  });

  it('E33, 29-5.3.1-a: finalDecline (F99 + ConnectionClose(NoError)) closes our connection cleanly; what was fulfilled before is counted exactly', async () => {
    const { network, connection, peer } = await payStreamReceiver(
      { exchangeRate: 0.5 },
      { peer: { decide: (index) => (index === 7 ? 'finalDecline' : 'accept') } },
    );
    const closed = outcome(connection);
    const sending = connection.createStream().sendTotal(50_000);

    await expect(sending).rejects.toMatchObject({ name: 'StreamError', code: 'STREAM_CLOSED' });
    expect(await closed).toBe('complete');
    expect(connection.state).toBe('closed');
    const carried = network.stats.clientToServer;
    expect(connection.totals.sent).toBeLessThan(50_000n);
    expect(connection.totals.sent).toBe(carried.sourceAmountFulfilled);
    expect(connection.totals.delivered).toBe(peer.credited);
    expect(carried.destinationAmountFulfilled).toBe(peer.credited);
    expect(connection.totals.inFlight).toBe(0n);
  });

  it('29-5.3.1-a: end() after paying: stream-receiver echoes ConnectionClose in an F99, end() resolves, state$ completes, nothing is sent after', async () => {
    const { network, connection, peer, sharedSecret } = await payStreamReceiver({});
    const closed = outcome(connection);
    await connection.createStream().sendTotal(5_000);
    await connection.end();

    expect(await closed).toBe('complete');
    const last = peer.exchanges[peer.exchanges.length - 1]!;
    const { request, reply } = streamPackets(sharedSecret, last);
    expect(request.frames.map((f) => f.type)).toContain(FrameType.ConnectionClose);
    expect(isReject(last.reply) ? last.reply.code : 'a Fulfill').toBe('F99');
    expect(reply?.frames.map((f) => f.type)).toEqual([FrameType.ConnectionClose]);
    const preparesAtClose = network.stats.clientToServer.prepares;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(network.stats.clientToServer.prepares).toBe(preparesAtClose);
    expect(connection.totals).toEqual({ sent: 5_000n, delivered: 5_000n, received: 0n, inFlight: 0n });
    expect(peer.credited).toBe(5_000n);
  });
});
