/**
 * Money interop with ilp-protocol-stream 2.7.1, both directions: 1,000,000 source units over the
 * in-memory network (max packet 1000), at the rate 0.5 and the non-integer rate 1.37. Three
 * independent witnesses must agree on every unit: the sender's delivered total, the receiver's
 * received total, and the network's count of what it actually carried in fulfilled packets.
 *
 * Every packet carries exactly 1000 source units (the F08 max the probe discovers), and 1000 × rate
 * is an integer for both rates, so the delivered total is exactly 1,000,000 × rate: any lost or
 * double-counted unit shows up.
 */
import { lastValueFrom } from 'rxjs';
import type { DataAndMoneyStream } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, refMoney, type RefStream } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

const AMOUNT = 1_000_000n;

describe.each([
  { rate: 0.5, expected: 500_000n },
  { rate: '1.37', expected: 1_370_000n },
])('money interop at exchange rate $rate, max packet 1000', ({ rate, expected }) => {
  it(`29-3.4-b, 29-5.2-g: reference client → our server: ${AMOUNT} units arrive exactly; sender, receiver and network agree`, async () => {
    let serverStream: DataAndMoneyStream | undefined;
    let moneyEvents = 0n;
    const pair = await refClientToOurServer(
      { exchangeRate: rate, maxPacketAmount: 1000 },
      { onConnection: (c) => c.streams$.subscribe((s) => { serverStream = s; s.money$.subscribe((a) => (moneyEvents += a)); }) },
    );
    const stream = pair.ref.createStream();
    await stream.sendTotal(AMOUNT.toString());

    const network = pair.network.stats.clientToServer;
    expect(stream.totalSent).toBe(AMOUNT.toString());
    expect(pair.ref.totalSent).toBe(AMOUNT.toString());
    expect(network.sourceAmountFulfilled).toBe(AMOUNT);
    expect(pair.ref.totalDelivered).toBe(expected.toString());
    expect(network.destinationAmountFulfilled).toBe(expected);
    expect(pair.ours.totals.received).toBe(expected);
    expect(serverStream!.totals.received).toBe(expected);
    expect(moneyEvents).toBe(expected);
  });

  it(`29-3.4-b, 29-5.2-g: our client → reference server: ${AMOUNT} units arrive exactly; sender, receiver and network agree`, async () => {
    let refStream: { stream: RefStream; money: { total: () => bigint } } | undefined;
    const pair = await ourClientToRefServer(
      { exchangeRate: rate, maxPacketAmount: 1000 },
      { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refStream = { stream: s, money: refMoney(s) }; }) },
    );
    const stream = pair.ours.createStream();
    const last = await lastValueFrom(stream.sendMoney(AMOUNT));

    const network = pair.network.stats.clientToServer;
    expect(last).toEqual({ amount: AMOUNT, sent: AMOUNT, delivered: expected });
    expect(pair.ours.totals).toEqual({ sent: AMOUNT, delivered: expected, received: 0n, inFlight: 0n });
    expect(stream.totals).toEqual({ sent: AMOUNT, delivered: expected, received: 0n, inFlight: 0n });
    expect(network.sourceAmountFulfilled).toBe(AMOUNT);
    expect(network.destinationAmountFulfilled).toBe(expected);
    expect(pair.ref.totalReceived).toBe(expected.toString());
    expect(refStream!.stream.totalReceived).toBe(expected.toString());
    expect(refStream!.money.total()).toBe(expected);
  });
});
