/**
 * Money and close interop with ilp-protocol-stream 2.7.1 over real WebSockets: each end on its own
 * ilp-plugin-btp client of `createBtpNetwork` (rate 0.5 client → server, so 2 back; max packet
 * 1000 with F08 data), so every packet crosses two BTP hops and the connector in between.
 *
 * Three independent witnesses must agree on every unit: the sender's delivered total, the
 * receiver's received total, and the connector's count of what it carried in fulfilled packets.
 * The stream amounts are even and the packet size is 1000, so every stream's share of a packet is
 * even and halves exactly at rate 0.5: any lost or double-counted unit shows up, per stream too.
 */
import { lastValueFrom } from 'rxjs';
import type { Connection, DataAndMoneyStream } from '../../lib';
import { closeAllBtpPairs, ourClientToRefServerOverBtp, refClientToOurServerOverBtp } from '../helpers/btp-peers';
import { refMoney, waitUntil, type RefConnection, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllBtpPairs);

const NETWORK = { exchangeRate: 0.5, maxPacketAmount: 1000 };
const AMOUNTS = [250_000n, 350_000n, 400_000n];
const TOTAL = 1_000_000n;
const HALF = TOTAL / 2n;

/** Our connection's money, stream by stream, as `money$` reports it. */
function ourMoneyByStream(connection: Connection): Map<bigint, bigint> {
  const byStream = new Map<bigint, bigint>();
  connection.streams$.subscribe((s) => s.money$.subscribe((a) => byStream.set(s.id, (byStream.get(s.id) ?? 0n) + a)));
  return byStream;
}

/** The reference connection's incoming streams, each accepting any amount, with its money counted. */
function refIncoming(ref: RefConnection): Map<number, { stream: RefStream; money: { total: () => bigint } }> {
  const byId = new Map<number, { stream: RefStream; money: { total: () => bigint } }>();
  // Synchronously in 'stream': the reference refuses money for a stream whose receive max is 0.
  ref.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); byId.set(s.id, { stream: s, money: refMoney(s) }); });
  return byId;
}

/** How our connection's `state$` ended: 'complete', or the error. */
function outcome(connection: Connection): Promise<'complete' | unknown> {
  return new Promise((resolve) => connection.state$.subscribe({ complete: () => resolve('complete'), error: resolve }));
}

/** The reference connection's close events, in order. */
function refEvents(ref: RefConnection): string[] {
  const events: string[] = [];
  ref.on('end', () => events.push('end'));
  ref.on('error', (e: Error) => events.push(`error: ${e.message}`));
  ref.on('close', () => events.push('close'));
  return events;
}

describe('money over two real BTP hops, 3 streams at once, rate 0.5, max packet 1000', () => {
  it('29-3.4-b, 29-5.3.8-a: reference client → our server: 1,000,000 units; reference totalDelivered = our received = connector destinationAmountFulfilled', async () => {
    let received: Map<bigint, bigint> | undefined;
    const pair = await refClientToOurServerOverBtp(NETWORK, { onConnection: (c) => (received = ourMoneyByStream(c)) });
    const streams = AMOUNTS.map(() => pair.ref.createStream());
    await Promise.all(streams.map((s, i) => s.sendTotal(AMOUNTS[i]!.toString())));

    const carried = pair.network.stats.clientToServer;
    expect(streams.map((s) => s.totalSent)).toEqual(AMOUNTS.map(String));
    expect(pair.ref.totalSent).toBe(TOTAL.toString());
    // The connector's F08 limit was in force: 1,000,000 in packets of at most 1000 takes at least 1000.
    expect(carried.fulfilled).toBeGreaterThanOrEqual(1000);
    expect(carried.sourceAmountFulfilled).toBe(TOTAL);
    expect(pair.ref.totalDelivered).toBe(HALF.toString());
    expect(carried.destinationAmountFulfilled).toBe(HALF);
    expect(pair.ours.totals.received).toBe(HALF);
    expect(streams.map((s) => received!.get(BigInt(s.id)))).toEqual(AMOUNTS.map((a) => a / 2n));
  });

  it('29-3.4-b, 29-5.3.8-a: our client → reference server: 1,000,000 units; our delivered = reference totalReceived = connector destinationAmountFulfilled', async () => {
    let incoming: ReturnType<typeof refIncoming> | undefined;
    const pair = await ourClientToRefServerOverBtp(NETWORK, { onConnection: (c) => (incoming = refIncoming(c)) });
    const streams = AMOUNTS.map(() => pair.ours.createStream());
    await Promise.all(streams.map((s, i) => lastValueFrom(s.sendMoney(AMOUNTS[i]!))));

    const carried = pair.network.stats.clientToServer;
    expect(pair.ours.totals).toEqual({ sent: TOTAL, delivered: HALF, received: 0n, inFlight: 0n });
    expect(carried.fulfilled).toBeGreaterThanOrEqual(1000);
    expect(carried.sourceAmountFulfilled).toBe(TOTAL);
    expect(carried.destinationAmountFulfilled).toBe(HALF);
    expect(pair.ref.totalReceived).toBe(HALF.toString());
    expect(streams.map((s) => s.totals.delivered)).toEqual(AMOUNTS.map((a) => a / 2n));
    // Our per-stream view of what arrived matches the receiver's own per-stream count.
    expect(streams.map((s) => incoming!.get(Number(s.id))?.money.total())).toEqual(AMOUNTS.map((a) => a / 2n));
  });
});

describe('both directions on one connection over BTP, rate 0.5 up / 2 down', () => {
  it('29-4.3.1-a, 29-4.4.1-b: our server pays the reference client 100,000 while it pays us 200,000; each flow exact on both ends and the connector', async () => {
    let received: Map<bigint, bigint> | undefined;
    const pair = await refClientToOurServerOverBtp(NETWORK, { onConnection: (c) => (received = ourMoneyByStream(c)) });
    const incoming = refIncoming(pair.ref);

    const ourStream = pair.ours.createStream();
    const [last] = await Promise.all([lastValueFrom(ourStream.sendMoney(100_000)), pair.ref.createStream().sendTotal(200_000)]);

    // Down: our server's stream 2 reaches the reference client at rate 2.
    expect(last).toEqual({ amount: 100_000n, sent: 100_000n, delivered: 200_000n });
    expect(pair.network.stats.serverToClient).toMatchObject({ sourceAmountFulfilled: 100_000n, destinationAmountFulfilled: 200_000n });
    expect([...incoming].map(([id, r]) => [id, r.money.total()])).toEqual([[2, 200_000n]]);
    expect(pair.ref.totalReceived).toBe('200000');
    // Up: the reference client's stream 1 reaches our server at rate 0.5.
    expect(pair.ref.totalDelivered).toBe('100000');
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(100_000n);
    expect([...received!]).toEqual([[1n, 100_000n]]);
    expect(pair.ours.totals).toEqual({ sent: 100_000n, delivered: 200_000n, received: 100_000n, inFlight: 0n });
  });

  it('29-4.3.1-a, 29-4.4.1-b: the reference server pays our client 100,000 while our client pays it 200,000; each flow exact on both ends and the connector', async () => {
    let incoming: ReturnType<typeof refIncoming> | undefined;
    const pair = await ourClientToRefServerOverBtp(NETWORK, { onConnection: (c) => (incoming = refIncoming(c)) });
    const received = ourMoneyByStream(pair.ours);

    const ourStream = pair.ours.createStream();
    const [last] = await Promise.all([lastValueFrom(ourStream.sendMoney(200_000)), pair.ref.createStream().sendTotal(100_000)]);

    // Down: the reference server's stream 2 reaches our client at rate 2 (our ConnectionNewAddress
    // made it reachable over the client's BTP link).
    expect(pair.ref.totalDelivered).toBe('200000');
    expect(pair.network.stats.serverToClient).toMatchObject({ sourceAmountFulfilled: 100_000n, destinationAmountFulfilled: 200_000n });
    expect([...received]).toEqual([[2n, 200_000n]]);
    // Up: our stream 1 reaches the reference server at rate 0.5.
    expect(last).toEqual({ amount: 200_000n, sent: 200_000n, delivered: 100_000n });
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(100_000n);
    expect([...incoming!].map(([id, r]) => [id, r.money.total()])).toEqual([[1, 100_000n]]);
    expect(pair.ref.totalReceived).toBe('100000');
    expect(pair.ours.totals).toEqual({ sent: 200_000n, delivered: 100_000n, received: 200_000n, inFlight: 0n });
  });
});

describe('end() over BTP closes the other side cleanly', () => {
  it('29-5.3.1-a: our client end() flushes queued money, then the reference server sees end and close, no error', async () => {
    let incoming: ReturnType<typeof refIncoming> | undefined;
    const pair = await ourClientToRefServerOverBtp(NETWORK, { onConnection: (c) => (incoming = refIncoming(c)) });
    const events = refEvents(pair.ref);
    const ours = outcome(pair.ours);
    pair.ours.createStream().sendMoney(5000).subscribe({ error: () => undefined });

    await pair.ours.end();
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['end', 'close']);
    expect(await ours).toBe('complete');
    expect(incoming!.get(1)?.money.total()).toBe(2500n);
    expect(pair.ours.totals).toEqual({ sent: 5000n, delivered: 2500n, received: 0n, inFlight: 0n });
  });

  it('29-5.3.1-a: our server connection end() → the reference client sees end and close, no error, and our end() resolves', async () => {
    const pair = await refClientToOurServerOverBtp(NETWORK);
    const events = refEvents(pair.ref);
    const ours = outcome(pair.ours);
    let ended = false;
    void pair.ours.end().then(() => (ended = true));
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['end', 'close']);
    // Bounded well below the 30 s packet expiry, so a close that waits for it fails here, by name.
    await waitUntil(() => ended, 'our end() resolved', 3000);
    expect(await ours).toBe('complete');
  });

  it('29-5.3.1-a, E33: reference client end() flushes its money, then our server connection state$ completes', async () => {
    const streams: DataAndMoneyStream[] = [];
    const pair = await refClientToOurServerOverBtp(NETWORK, { onConnection: (c) => c.streams$.subscribe((s) => streams.push(s)) });
    const ours = outcome(pair.ours);
    pair.ref.createStream().setSendMax(5000);
    await pair.ref.end();
    expect(await ours).toBe('complete');
    expect(pair.ours.state).toBe('closed');
    expect(streams.map((s) => s.totals.received)).toEqual([2500n]);
    expect(pair.ref.totalDelivered).toBe('2500');
  });

  it('29-5.3.1-a, E33: reference server connection end() → our client state$ completes', async () => {
    const pair = await ourClientToRefServerOverBtp(NETWORK, { onConnection: (c) => void refIncoming(c) });
    const ours = outcome(pair.ours);
    await lastValueFrom(pair.ours.createStream().sendMoney(10));
    await pair.ref.end();
    expect(await ours).toBe('complete');
    expect(pair.ours.state).toBe('closed');
    expect(pair.ours.totals.delivered).toBe(5n);
  });
});
