/**
 * examples/marble-testing: how an app marble-tests its own payment flow. The code under test is
 * the app's `payInvoice()` (examples/marble-testing/pay-invoice.ts); the network is the in-memory
 * one from `ilp-stream-rx/testing`, with 10 ms of latency each way, rate 0.5, a max packet
 * amount of 1000 and the faults each case injects, all on the TestScheduler, so every frame
 * below is exact. The file runs in virtual time (well under a second of CPU).
 *
 * The opening every case shares (RFC 29 §4.1-§4.3), at latency 10:
 * - 0-20: the server's IL-DCP; 20-40: the client's IL-DCP; 40-60: handshake and rate probe;
 * - 60: the connection is open; the invoice is paid from 80 (its three packets of 1000 reach the
 *   receiver at 90 and their Fulfills are back at 100).
 */
import { type Observable, mergeMap, scan, share, shareReplay, switchMap, take } from 'rxjs';
import { type Context, marbles } from 'rxjs-marbles/jest';
import { type Connection, connect, listen } from '../../lib';
import { type Fault, type MemoryNetwork, createMemoryNetwork, rejectBurst, stopAnswering } from '../../lib/testing';
import { type InvoiceUpdate, payInvoice } from '../../examples/marble-testing/pay-invoice';

/** The invoice every case pays, and how patient the app is. */
const INVOICE = { id: 'inv-42', amount: 3000n } as const;
const STALL_TIMEOUT_MS = 500;

const progress = (delivered: bigint, percent: number): InvoiceUpdate => ({ kind: 'progress', id: INVOICE.id, delivered, percent });
const paid = (delivered: bigint): InvoiceUpdate => ({ kind: 'paid', id: INVOICE.id, delivered });
const abandoned = (delivered: bigint): InvoiceUpdate => ({ kind: 'abandoned', id: INVOICE.id, delivered });

/**
 * A receiver and an open connection to it over a faulty in-memory network, and the app's flow
 * started by `click` (a cold marble: its subscriptions show when the flow listened).
 */
function scenario(m: Context, faults: readonly Fault[]) {
  const scheduler = m.scheduler;
  // Fault times (`from`, `until`) count from here, frame 0.
  const network: MemoryNetwork = createMemoryNetwork({ latency: 10, exchangeRate: 0.5, maxPacketAmount: 1000, scheduler, faults, seed: 1 });
  // The cold listen()/connect() stand in for createServer()/createConnection(): a Promise cannot
  // resolve inside TestScheduler.run(), an Observable can.
  const server$ = listen({ plugin: network.server, scheduler }).pipe(share());
  const connection$: Observable<Connection> = server$.pipe(
    take(1),
    switchMap((server) =>
      connect({ plugin: network.client, ...server.generateAddressAndSecret(), scheduler, retryBaseDelayMs: 20, packetExpiryMs: 1000 }),
    ),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  /** The connection's state. Watching it also keeps the shared connection open for the whole test. */
  const state$ = connection$.pipe(switchMap((connection) => connection.state$));
  /** The receiver's running total. */
  const received$ = server$.pipe(
    switchMap((server) => server.connections$),
    mergeMap((connection) => connection.streams$),
    mergeMap((stream) => stream.money$),
    scan((total, amount) => total + amount, 0n),
  );
  const click = m.cold('80ms (c|)');
  const invoice$ = click.pipe(
    switchMap(() => connection$.pipe(take(1))),
    switchMap((connection) => payInvoice(connection, INVOICE, { stallTimeoutMs: STALL_TIMEOUT_MS, scheduler })),
  );
  return { network, state$, received$, click, invoice$ };
}

describe('marble-testing your own payment flow (examples/marble-testing)', () => {
  it(
    'pays the invoice: three packets of 1000 leave at 80; progress and paid at 100',
    marbles((m) => {
      const { state$, received$, click, invoice$ } = scenario(m, []);
      m.expect(state$, '^ 1999ms !').toBeObservable('60ms o', { o: 'open' });
      m.expect(invoice$).toBeObservable('100ms (abcp|)', { a: progress(500n, 33), b: progress(1000n, 66), c: progress(1500n, 100), p: paid(1500n) });
      m.expect(received$, '^ 1999ms !').toBeObservable('90ms (xyz)', { x: 500n, y: 1000n, z: 1500n });
      m.expect(click).toHaveSubscriptions('^ 79ms !');
    }),
  );

  it(
    'rides out a T04 on its first packet (injected with rejectBurst): the library retries it 20 ms later; paid at 140',
    marbles((m) => {
      // The first Prepare that reaches the connector from frame 80 on is refused, once.
      const { network, state$, received$, click, invoice$ } = scenario(m, [rejectBurst({ code: 'T04', from: 80, length: 1, limit: 1 })]);
      m.expect(state$, '^ 1999ms !').toBeObservable('60ms o', { o: 'open' });
      // 100: two Fulfills and the T04 are back; the refused 1000 leaves again at 120 and is back at 140.
      m.expect(invoice$).toBeObservable('100ms (ab) 36ms (cp|)', { a: progress(500n, 33), b: progress(1000n, 66), c: progress(1500n, 100), p: paid(1500n) });
      m.expect(received$, '^ 1999ms !').toBeObservable('90ms (xy) 36ms z', { x: 500n, y: 1000n, z: 1500n });
      m.expect(click).toHaveSubscriptions('^ 79ms !');
      m.scheduler.schedule(() => expect(network.faultLedger.count('injectedReject')).toBe(1), 2000);
    }),
  );

  it(
    'gives up when the network stops answering at 80: abandoned at 580 (the 500 ms stall timeout), nothing delivered',
    marbles((m) => {
      const { network, state$, received$, click, invoice$ } = scenario(m, [stopAnswering({ from: 80 })]);
      m.expect(state$, '^ 1999ms !').toBeObservable('60ms o', { o: 'open' });
      m.expect(invoice$).toBeObservable('580ms (x|)', { x: abandoned(0n) });
      m.expect(received$, '^ 1999ms !').toBeObservable('');
      m.expect(click).toHaveSubscriptions('^ 79ms !');
      m.scheduler.schedule(() => expect(network.faultLedger.count('droppedPrepare')).toBeGreaterThanOrEqual(3), 2000);
    }),
  );

  it(
    'abandoned stays abandoned: the packets on the wire expire at 1080 (R00) and are not retried, so nothing arrives when the network is back at 1000',
    marbles((m) => {
      // The app gave up at 580 and unsubscribed its sendMoney: the temporary R00s at 1080 settle
      // the packets instead of retrying them, so the receiver never sees a unit and the
      // connector sees no Prepare after the three that were lost.
      const { network, state$, received$, click, invoice$ } = scenario(m, [stopAnswering({ from: 80, until: 1000 })]);
      m.expect(state$, '^ 1999ms !').toBeObservable('60ms o', { o: 'open' });
      m.expect(invoice$).toBeObservable('580ms (x|)', { x: abandoned(0n) });
      m.expect(received$, '^ 1999ms !').toBeObservable('');
      m.expect(click).toHaveSubscriptions('^ 79ms !');
      m.scheduler.schedule(() => {
        expect(network.faultLedger.count('droppedPrepare')).toBe(3);
        expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(0n);
      }, 1999);
    }),
  );
});
