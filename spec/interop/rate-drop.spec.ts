/**
 * The path rate collapses mid-payment, far below the 1% slippage, between our library and
 * ilp-protocol-stream 2.7.1 (RFC 29 §3.4; checklist 29-3.4-d, 29-3.4-e, 29-5.2-g, E32).
 * The receiver refuses every packet below the minimum; the sender stops delivering; not one unit
 * is lost or counted twice: sender, receiver and network agree on what was paid.
 *
 * What each side does once refused (pinned below):
 * - The reference sender retries F99 at once, forever (no backoff, research §3.4); it stays open
 *   and resumes as soon as the rate recovers.
 * - Our sender reads the refusal's authentic reply: what arrived is below the minimum it asked
 *   for, so the rate fell under the slippage bound, and it gives up at once with ConnectionError
 *   EXCHANGE_RATE, sending nothing more.
 */
import { lastValueFrom } from 'rxjs';
import { isConnectionError } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, refMoney, sleep, waitUntil, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

describe('rate drops from 0.5 to 0.1 mid-payment (slippage 1%)', () => {
  it('29-3.4-e, 29-5.2-g: reference client → our server: we refuse under-minimum packets with an authentic F99; delivery stops, all counted once; the rest arrives when the rate recovers', async () => {
    let received = 0n;
    const pair = await refClientToOurServer(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      // Dropping inside the handler of the packet that reached 10,000 makes every later packet arrive at 0.1.
      { onConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => { received += a; if (received === 10_000n) pair.network.setExchangeRate(0.1); })) },
    );
    const refErrors: string[] = [];
    pair.ref.on('error', (e: Error) => refErrors.push(e.message));
    const stream = pair.ref.createStream();
    const sending = stream.sendTotal(100_000);

    await waitUntil(() => pair.network.stats.clientToServer.rejected > 20, 'the reference retried refused packets');
    const network = pair.network.stats.clientToServer;
    expect(received).toBe(10_000n);
    expect(pair.ours.totals.received).toBe(10_000n);
    expect(network.destinationAmountFulfilled).toBe(10_000n);
    expect(pair.ref.totalDelivered).toBe('10000');
    expect(pair.ref.totalSent).toBe('20000');
    expect(network.sourceAmountFulfilled).toBe(20_000n);
    // Our refusal is an authentic STREAM reply reporting what arrived: the reference sees the 0.1 path.
    expect(Number(pair.ref.lastPacketExchangeRate)).toBeCloseTo(0.1, 5);
    expect(refErrors).toEqual([]);
    expect(pair.ours.state).toBe('open');

    pair.network.setExchangeRate(0.5);
    await sending;
    expect(received).toBe(50_000n);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(50_000n);
    expect(pair.ref.totalDelivered).toBe('50000');
  });

  it('29-3.4-e, E32: our client → reference server: it refuses under-minimum packets; we stop delivering and give up with EXCHANGE_RATE after the first refusal; all counted once', async () => {
    let money: { total: () => bigint } | undefined;
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); money = refMoney(s); }) });
    pair.ref.on('error', () => undefined);
    const closed = new Promise<unknown>((resolve) => pair.ours.state$.subscribe({ error: resolve, complete: () => resolve('complete') }));
    const stream = pair.ours.createStream();
    let dropped = false;
    const sending = lastValueFrom(stream.sendMoney(100_000)).catch((e: unknown) => e);
    stream.totals$.subscribe({ next: (t) => { if (!dropped && t.sent >= 10_000n) { dropped = true; pair.network.setExchangeRate(0.1); } }, error: () => undefined });

    const error = await closed;
    expect(isConnectionError(error, 'EXCHANGE_RATE')).toBe(true);
    expect(await sending).toBeInstanceOf(Error);
    // Only the packets already in flight when the rate dropped were refused, not 50 in a row.
    expect(pair.network.stats.clientToServer.rejected).toBeLessThanOrEqual(64);

    const network = pair.network.stats.clientToServer;
    // Packets already past the network when the rate dropped were converted at 0.5; none at 0.1 got through.
    expect(network.destinationAmountFulfilled * 2n).toBe(network.sourceAmountFulfilled);
    expect(network.sourceAmountFulfilled).toBeLessThan(100_000n);
    expect(pair.ours.totals.sent).toBe(network.sourceAmountFulfilled);
    expect(pair.ours.totals.delivered).toBe(network.destinationAmountFulfilled);
    expect(stream.totals.sent).toBe(network.sourceAmountFulfilled);
    expect(stream.totals.delivered).toBe(network.destinationAmountFulfilled);
    expect(money!.total()).toBe(network.destinationAmountFulfilled);
    expect(pair.ref.totalReceived).toBe(network.destinationAmountFulfilled.toString());
  });

  it('our client → reference server: while refusals settle asynchronously, the connection never shows a negative inFlight', async () => {
    const { pair, inFlight, closed } = await dropRateWhileWePay();
    await closed;
    expect(inFlight.reduce((least, v) => (v < least ? v : least), 0n)).toBe(0n); // the lowest value totals$ ever showed
    expect(pair.ours.totals.inFlight).toBe(0n);
  });

  it('DESIGN §4 exact accounting: our client → reference server: after giving up, the packets that were in flight are settled, not left counted as in flight', async () => {
    const { pair, stream, closed } = await dropRateWhileWePay();
    await closed;
    // Their replies still come back (all refused here): waiting for them keeps the totals exact.
    await sleep(50);
    expect(stream.totals.inFlight).toBe(0n);
    expect(stream.totals.sent).toBe(pair.network.stats.clientToServer.sourceAmountFulfilled);
  });
});

/** Our client pays the reference 100,000; the rate drops to 0.1 once 10,000 were sent. */
async function dropRateWhileWePay() {
  const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => s.setReceiveMax(Infinity)) });
  pair.ref.on('error', () => undefined);
  const inFlight: bigint[] = [];
  pair.ours.totals$.subscribe({ next: (t) => inFlight.push(t.inFlight), error: () => undefined });
  const closed = new Promise<void>((resolve) => pair.ours.state$.subscribe({ error: () => resolve(), complete: resolve }));
  const stream = pair.ours.createStream();
  let dropped = false;
  stream.sendMoney(100_000).subscribe({ error: () => undefined });
  stream.totals$.subscribe({ next: (t) => { if (!dropped && t.sent >= 10_000n) { dropped = true; pair.network.setExchangeRate(0.1); } }, error: () => undefined });
  return { pair, stream, inFlight, closed };
}
