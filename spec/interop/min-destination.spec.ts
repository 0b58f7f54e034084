/**
 * The minimum destination amount at its exact boundary, between our library and
 * ilp-protocol-stream 2.7.1 (RFC 29 §3.4; checklist 29-3.4-d, 29-3.4-e, 29-5.2-g).
 *
 * Both senders probe the rate 0.5 and, with the default slippage of 1%, put
 * floor(0.99 × floor(0.5 × 1000)) = 495 as the STREAM prepareAmount of each 1000-unit packet.
 * Each receiver must accept 495 (network rate 0.495) and refuse 494 (network rate 0.494).
 */
import { lastValueFrom } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, refMoney, sleep, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

describe('minimum destination amount at its boundary (probed 0.5, slippage 1%, packets of 1000 → minimum 495)', () => {
  it('29-3.4-d, 29-3.4-e: reference client → our server: 495 per packet is accepted, 494 is refused', async () => {
    let stream: DataAndMoneyStream | undefined;
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => (stream = s)) });
    pair.network.setExchangeRate(0.495);
    const sending = pair.ref.createStream();
    await sending.sendTotal(5000);
    expect(stream!.totals.received).toBe(2475n);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(2475n);

    pair.network.setExchangeRate(0.494);
    const rejected = pair.network.stats.clientToServer.rejected;
    sending.sendTotal(6000).catch(() => undefined);
    await sleep(100);
    expect(stream!.totals.received).toBe(2475n);
    expect(pair.ref.totalDelivered).toBe('2475');
    expect(pair.network.stats.clientToServer.rejected).toBeGreaterThan(rejected);
  });

  it('29-3.4-d, 29-3.4-e: our client → reference server: 495 per packet is accepted, 494 is refused', async () => {
    let money: { total: () => bigint } | undefined;
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); money = refMoney(s); }) });
    pair.network.setExchangeRate(0.495);
    const stream = pair.ours.createStream();
    await lastValueFrom(stream.sendMoney(5000));
    expect(money!.total()).toBe(2475n);
    expect(stream.totals.delivered).toBe(2475n);

    pair.network.setExchangeRate(0.494);
    const rejected = pair.network.stats.clientToServer.rejected;
    stream.sendMoney(1000).subscribe({ error: () => undefined });
    await sleep(100);
    expect(money!.total()).toBe(2475n);
    expect(pair.ours.totals.delivered).toBe(2475n);
    expect(pair.network.stats.clientToServer.rejected).toBeGreaterThan(rejected);
  });
});
