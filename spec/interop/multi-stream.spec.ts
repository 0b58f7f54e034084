/**
 * Several streams of money at once between our library and ilp-protocol-stream 2.7.1, both
 * directions (RFC 29 §3.3 multiplexing, §5.3.8 shares). Five streams with different amounts share
 * one connection; each stream's total and the connection's totals must match on both sides and
 * on the network.
 *
 * The amounts are not multiples of the 1000-unit packet, so streams meet inside packets
 * (the tail of one stream shares a packet with the head of the next). At rate 0.5 those shares
 * are even, so the per-stream split is exact and can be compared unit for unit.
 */
import { lastValueFrom } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, refMoney, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

const AMOUNTS = [100_100n, 150_250n, 200_300n, 249_350n, 300_000n];
const TOTAL = AMOUNTS.reduce((a, b) => a + b, 0n);

describe('several streams at once, rate 0.5, max packet 1000', () => {
  it('29-4.4.2-a, 29-5.3.8-a: reference client → our server, 5 streams: every stream and the connection total arrive exactly', async () => {
    const received = new Map<bigint, bigint>();
    const pair = await refClientToOurServer(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      { onConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => received.set(s.id, (received.get(s.id) ?? 0n) + a))) },
    );
    const streams = AMOUNTS.map(() => pair.ref.createStream());
    await Promise.all(streams.map((s, i) => s.sendTotal(AMOUNTS[i]!.toString())));

    expect(streams.map((s) => s.totalSent)).toEqual(AMOUNTS.map(String));
    expect(streams.map((s) => received.get(BigInt(s.id)))).toEqual(AMOUNTS.map((a) => a / 2n));
    expect(pair.network.stats.clientToServer.sourceAmountFulfilled).toBe(TOTAL);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(TOTAL / 2n);
    expect(pair.ref.totalDelivered).toBe((TOTAL / 2n).toString());
    expect(pair.ours.totals.received).toBe(TOTAL / 2n);
  });

  it('29-4.4.2-a, 29-5.3.8-a: our client → reference server, 5 streams: every stream and the connection total arrive exactly', async () => {
    const refStreams = new Map<number, { stream: RefStream; money: { total: () => bigint } }>();
    const pair = await ourClientToRefServer(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refStreams.set(s.id, { stream: s, money: refMoney(s) }); }) },
    );
    const streams = AMOUNTS.map(() => pair.ours.createStream());
    await Promise.all(streams.map((s, i) => lastValueFrom(s.sendMoney(AMOUNTS[i]!))));

    expect(streams.map((s) => s.totals.sent)).toEqual(AMOUNTS);
    expect(streams.map((s) => s.totals.delivered)).toEqual(AMOUNTS.map((a) => a / 2n));
    // Our per-stream view of what arrived matches the receiver's own per-stream count.
    expect(streams.map((s) => refStreams.get(Number(s.id))?.money.total())).toEqual(AMOUNTS.map((a) => a / 2n));
    expect(streams.map((s) => refStreams.get(Number(s.id))?.stream.totalReceived)).toEqual(AMOUNTS.map((a) => String(a / 2n)));
    expect(pair.ours.totals).toEqual({ sent: TOTAL, delivered: TOTAL / 2n, received: 0n, inFlight: 0n });
    expect(pair.network.stats.clientToServer.sourceAmountFulfilled).toBe(TOTAL);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(TOTAL / 2n);
    expect(pair.ref.totalReceived).toBe((TOTAL / 2n).toString());
  });

  it('29-5.3.8-c: a reference packet shared 333/667 by two streams: our receiver gives the remainder to the lower stream, nothing is lost', async () => {
    const ours: DataAndMoneyStream[] = [];
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => ours.push(s)) });
    pair.network.resetStats();
    const [a, b] = [pair.ref.createStream(), pair.ref.createStream()];
    // Same tick: the reference batches both streams into one Prepare of 1000 (shares 333 and 667).
    await Promise.all([a.sendTotal(333), b.sendTotal(667)]);

    // 500 arrive: floor(500·333/1000) = 166 and floor(500·667/1000) = 333, remainder 1 → stream 1.
    expect(pair.network.stats.clientToServer.fulfilled).toBe(1);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(500n);
    expect(ours.map((s) => [s.id, s.totals.received])).toEqual([[1n, 167n], [3n, 333n]]);
    expect(pair.ours.totals.received).toBe(500n);
  });
});
