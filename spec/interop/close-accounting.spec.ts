/**
 * Money accounting when a connection is destroyed with packets in flight, against
 * ilp-protocol-stream 2.7.1 as the receiver (DESIGN §4: "exact accounting of what was
 * delivered"; checklist E33). The reference answers packets asynchronously, so when our client
 * destroys the connection, up to `window` packets are still on their way. The reference fulfills
 * the ones that reached it before our ConnectionClose; their Fulfills still come back, and every
 * unit they delivered must be counted: what we report as delivered must equal what the receiver
 * got and what the network carried.
 */
import { closeAllPairs, ourClientToRefServer, refMoney, sleep, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

it('DESIGN §4, E33: our client destroy() mid-payment: every unit the reference received is counted as delivered, nothing stays in flight', async () => {
  let money: { total: () => bigint } | undefined;
  const pair = await ourClientToRefServer(
    { exchangeRate: 0.5, maxPacketAmount: 1000 },
    { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); money = refMoney(s); }) },
  );
  const stream = pair.ours.createStream();
  let destroyed = false;
  stream.sendMoney(100_000).subscribe({ error: () => undefined });
  stream.totals$.subscribe({ next: (t) => { if (!destroyed && t.sent >= 10_000n) { destroyed = true; void pair.ours.destroy(); } }, error: () => undefined });
  await sleep(100);

  const network = pair.network.stats.clientToServer;
  expect(destroyed).toBe(true);
  expect(money!.total()).toBe(network.destinationAmountFulfilled);
  expect(pair.ours.totals.delivered).toBe(network.destinationAmountFulfilled);
  expect(pair.ours.totals.sent).toBe(network.sourceAmountFulfilled);
  expect(stream.totals.delivered).toBe(network.destinationAmountFulfilled);
  expect(stream.totals.inFlight).toBe(0n);
  expect(pair.ours.totals.inFlight).toBe(0n);
});
