/**
 * Money from the server to the client on the same connection, while the client pays the server,
 * between our library and ilp-protocol-stream 2.7.1 (RFC 29 §4.3.1: the client's
 * ConnectionNewAddress makes it reachable; §4.4.1: server streams are even). The network rate
 * is 0.5 client → server, so 2 server → client; each direction is counted on its own.
 */
import { lastValueFrom } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, refMoney, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

describe('server pays client on the same connection, rate 0.5 up / 2 down, max packet 1000', () => {
  it('29-4.3.1-a, 29-4.4.1-b: the reference server pays our client 100,000 while our client pays it 50,000; both flows exact', async () => {
    const refIncoming: Array<{ stream: RefStream; money: { total: () => bigint } }> = [];
    const pair = await ourClientToRefServer(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refIncoming.push({ stream: s, money: refMoney(s) }); }) },
    );
    const ourIncoming: DataAndMoneyStream[] = [];
    let ourMoney = 0n;
    pair.ours.streams$.subscribe((s) => { ourIncoming.push(s); s.money$.subscribe((a) => (ourMoney += a)); });

    const down = pair.ref.createStream().sendTotal(100_000);
    const up = lastValueFrom(pair.ours.createStream().sendMoney(50_000));
    await Promise.all([down, up]);

    // Down: the reference server's stream 2 arrives at our client.
    expect(ourIncoming.map((s) => s.id)).toEqual([2n]);
    expect(pair.ref.totalSent).toBe('100000');
    expect(pair.ref.totalDelivered).toBe('200000');
    expect(pair.network.stats.serverToClient.sourceAmountFulfilled).toBe(100_000n);
    expect(pair.network.stats.serverToClient.destinationAmountFulfilled).toBe(200_000n);
    expect(ourIncoming[0]!.totals.received).toBe(200_000n);
    expect(ourMoney).toBe(200_000n);
    expect(pair.ours.totals.received).toBe(200_000n);
    // Up: our stream 1 arrives at the reference server.
    expect(pair.ours.totals.sent).toBe(50_000n);
    expect(pair.ours.totals.delivered).toBe(25_000n);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(25_000n);
    expect(refIncoming.map((r) => [r.stream.id, r.money.total()])).toEqual([[1, 25_000n]]);
    expect(pair.ref.totalReceived).toBe('25000');
  });

  it('29-4.3.1-a, 29-4.4.1-b: our server pays the reference client 100,000 while it pays us 50,000; both flows exact', async () => {
    const ourIncoming: DataAndMoneyStream[] = [];
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => ourIncoming.push(s)) });
    const refIncoming: Array<{ stream: RefStream; money: { total: () => bigint } }> = [];
    pair.ref.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refIncoming.push({ stream: s, money: refMoney(s) }); });

    const ourStream = pair.ours.createStream();
    const down = lastValueFrom(ourStream.sendMoney(100_000));
    const up = pair.ref.createStream().sendTotal(50_000);
    const [last] = await Promise.all([down, up]);

    // Down: our server's stream 2 arrives at the reference client.
    expect(ourStream.id).toBe(2n);
    expect(last).toEqual({ amount: 100_000n, sent: 100_000n, delivered: 200_000n });
    expect(pair.ours.totals.sent).toBe(100_000n);
    expect(pair.ours.totals.delivered).toBe(200_000n);
    expect(pair.network.stats.serverToClient.sourceAmountFulfilled).toBe(100_000n);
    expect(pair.network.stats.serverToClient.destinationAmountFulfilled).toBe(200_000n);
    expect(refIncoming.map((r) => [r.stream.id, r.money.total()])).toEqual([[2, 200_000n]]);
    expect(pair.ref.totalReceived).toBe('200000');
    // Up: the reference client's stream 1 arrives at our server.
    expect(pair.ref.totalDelivered).toBe('25000');
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(25_000n);
    expect(ourIncoming.map((s) => [s.id, s.totals.received])).toEqual([[1n, 25_000n]]);
    expect(pair.ours.totals.received).toBe(25_000n);
  });
});
