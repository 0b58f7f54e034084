/**
 * Stream receive limits between our library and ilp-protocol-stream 2.7.1, both directions
 * (RFC 29 §4.4.4, StreamMaxMoney; checklist 29-4.4.4-a/-d/-e, E19). The receiver's limit is never
 * exceeded; the sender delivers up to it and then waits without hammering the receiver; raising
 * the limit lets the rest through.
 *
 * At rate 0.5 a limit in destination units converts to source units exactly, so "up to the limit"
 * means exactly the limit. At 1.37 it does not, and the two senders round differently: the
 * reference rounds its source amount up (ceil(room / rate), so it may overshoot by less than
 * `rate` destination units, which its own receiver tolerates by 1%), ours rounds down.
 */
import { lastValueFrom } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import {
  closeAllPairs,
  ourClientToRefServer,
  refClientToOurServer,
  sleep,
  waitUntil,
  type RefStream,
} from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

/** Our server stream with receive max `limit`; records the most it ever held. */
async function refPaysOurLimitedServer(rate: number | string, limit: bigint) {
  const state: { stream?: DataAndMoneyStream; peak: bigint } = { peak: 0n };
  const pair = await refClientToOurServer(
    { exchangeRate: rate, maxPacketAmount: 1000 },
    {
      onConnection: (c) =>
        c.streams$.subscribe((s) => {
          s.setReceiveMax(limit);
          state.stream = s;
          s.totals$.subscribe({ next: (t) => (state.peak = t.received > state.peak ? t.received : state.peak), error: () => undefined });
        }),
    },
  );
  return { pair, state };
}

/** The reference server stream with receive max `limit`; records any moment it held more. */
async function wePayLimitedRefServer(rate: number | string, limit: number) {
  const state: { stream?: RefStream; exceeded: string[] } = { exceeded: [] };
  const pair = await ourClientToRefServer(
    { exchangeRate: rate, maxPacketAmount: 1000 },
    {
      onConnection: (c) =>
        c.on('stream', (s: RefStream) => {
          s.setReceiveMax(limit);
          state.stream = s;
          s.on('money', () => {
            if (BigInt(s.totalReceived) > BigInt(s.receiveMax)) state.exceeded.push(`${s.totalReceived} > ${s.receiveMax}`);
          });
        }),
    },
  );
  return { pair, state };
}

describe('receive limits, rate 0.5, max packet 1000', () => {
  it('29-4.4.4-d, E19: reference client → our server: our limit 2500 holds; the reference delivers exactly up to it and waits', async () => {
    const { pair, state } = await refPaysOurLimitedServer(0.5, 2500n);
    const stream = pair.ref.createStream();
    let settled = false;
    stream.sendTotal(10_000).then(() => (settled = true), () => (settled = true));

    await waitUntil(() => state.stream?.totals.received === 2500n, 'our stream received 2500');
    const prepares = pair.network.stats.clientToServer.prepares;
    await sleep(100);
    expect(state.peak).toBe(2500n);
    expect(stream.totalSent).toBe('5000');
    expect(settled).toBe(false);
    // Waiting means waiting: no packets while blocked (the reference sends its one trailing packet before this point).
    expect(pair.network.stats.clientToServer.prepares - prepares).toBeLessThanOrEqual(1);
  });

  it('29-4.4.4-a: reference client → our server: raising our limit to 5000 lets the blocked reference send the rest', async () => {
    const { pair, state } = await refPaysOurLimitedServer(0.5, 2500n);
    const stream = pair.ref.createStream();
    const sending = stream.sendTotal(10_000);
    sending.catch(() => undefined);
    await waitUntil(() => state.stream?.totals.received === 2500n, 'our stream received 2500');

    state.stream!.setReceiveMax(5000);
    // The reference is idle and blocked: only a packet from our side can carry the new StreamMaxMoney.
    await waitUntil(() => state.stream!.totals.received === 5000n, 'our stream received 5000 after the raise', 1000);
    await sending;
    expect(stream.totalSent).toBe('10000');
    expect(state.peak).toBe(5000n);
  });

  it('29-4.4.4-d, E19: our client → reference server: its limit 2500 holds; we deliver exactly up to it and wait', async () => {
    const { pair, state } = await wePayLimitedRefServer(0.5, 2500);
    const stream = pair.ours.createStream();
    let completed = false;
    stream.sendMoney(10_000).subscribe({ complete: () => (completed = true), error: () => undefined });

    await waitUntil(() => state.stream?.totalReceived === '2500', 'the reference stream received 2500');
    const prepares = pair.network.stats.clientToServer.prepares;
    await sleep(100);
    expect(state.exceeded).toEqual([]);
    expect(stream.totals.delivered).toBe(2500n);
    expect(stream.totals.sent).toBe(5000n);
    expect(stream.pendingMoney).toBe(5000n);
    expect(completed).toBe(false);
    expect(pair.network.stats.clientToServer.prepares).toBe(prepares);
  });

  it('29-4.4.4-a: our client → reference server: raising its limit to 5000 lets us send the rest', async () => {
    const { pair, state } = await wePayLimitedRefServer(0.5, 2500);
    const stream = pair.ours.createStream();
    const sending = lastValueFrom(stream.sendMoney(10_000));
    await waitUntil(() => state.stream?.totalReceived === '2500', 'the reference stream received 2500');

    state.stream!.setReceiveMax(5000);
    expect(await sending).toEqual({ amount: 10_000n, sent: 10_000n, delivered: 5000n });
    expect(state.stream!.totalReceived).toBe('5000');
    expect(state.exceeded).toEqual([]);
  });

  it('our client → reference server: while the reference refuses money over its limit, our totals stay consistent (inFlight never negative, 0 when idle)', async () => {
    // 2750 is not a multiple of the 500 a full packet delivers: after the refusals there is room
    // left, so settling a refused packet sends the next one (its reply arrives asynchronously).
    const { pair, state } = await wePayLimitedRefServer(0.5, 2750);
    const inFlight: bigint[] = [];
    pair.ours.totals$.subscribe((t) => inFlight.push(t.inFlight));
    const stream = pair.ours.createStream();
    stream.sendMoney(10_000).subscribe({ error: () => undefined });
    await waitUntil(() => state.stream?.totalReceived === '2750', 'the reference stream received 2750');
    await sleep(50);

    expect(inFlight.reduce((least, v) => (v < least ? v : least), 0n)).toBe(0n); // the lowest value totals$ ever showed
    expect(stream.totals.inFlight).toBe(0n);
    expect(pair.ours.totals).toEqual({ sent: 5500n, delivered: 2750n, received: 0n, inFlight: 0n });
  });
});

describe('receive limits at the non-integer rate 1.37, max packet 1000', () => {
  it('E19, 29-4.4.4-d: our client → reference server: limit 1003 is never exceeded; we deliver within one unit of it and wait', async () => {
    const { pair, state } = await wePayLimitedRefServer('1.37', 1003);
    const stream = pair.ours.createStream();
    stream.sendMoney(10_000).subscribe({ error: () => undefined });
    await waitUntil(() => BigInt(state.stream?.totalReceived ?? 0) >= 1002n, 'the reference stream received at least 1002');
    const prepares = pair.network.stats.clientToServer.prepares;
    await sleep(100);

    expect(state.exceeded).toEqual([]);
    expect(BigInt(state.stream!.totalReceived)).toBeLessThanOrEqual(1003n);
    expect(stream.totals.delivered).toBe(BigInt(state.stream!.totalReceived));
    expect(pair.network.stats.clientToServer.prepares).toBe(prepares);
  });

  it('E19, DESIGN §3 wire compatibility: reference client → our server: with our limit 1003 the reference (which rounds up) still delivers up to it instead of looping on F99', async () => {
    const { pair, state } = await refPaysOurLimitedServer('1.37', 1003n);
    const stream = pair.ref.createStream();
    stream.sendTotal(10_000).catch(() => undefined);
    await sleep(300);

    const received = state.stream?.totals.received ?? 0n;
    const network = pair.network.stats.clientToServer;
    // The reference can land at most ceil(1.37) - 1 = 1 unit past the limit (its rounding); it must not stall far below it.
    expect(received).toBeGreaterThanOrEqual(1002n);
    expect(received).toBeLessThanOrEqual(1004n);
    expect(network.destinationAmountFulfilled).toBe(received);
    // A handful of refusals while the reference learns the limit is fine; hundreds mean an F99 loop.
    expect(network.rejected).toBeLessThan(20);
  });
});
