/**
 * examples/angular-service/payment.service.ts, pinned on the TestScheduler: the service's
 * connection, its shared `totals$` / `rate$`, `pay()`, the refCount teardown and `ngOnDestroy()`,
 * over the in-memory network of `ilp-stream-rx/testing` with 10 ms of latency each way, rate 0.5
 * and a max packet amount of 1000. The whole file runs in virtual time (well under a second).
 *
 * The common opening, at latency 10 (RFC 29 §4.1-§4.3):
 * - 0-20: the server's IL-DCP round trip (the server starts at frame 0);
 * - the service connects when first subscribed (frame 30 below): 30-50 the client's IL-DCP,
 *   50-70 the handshake and rate probe (the server's connection appears with the first probe at
 *   60); open at 70.
 * - A money packet leaves at once, reaches the server 10 frames later, and its Fulfill is back
 *   after 20. Closing: the client's ConnectionClose reaches the server 10 frames after it leaves.
 */
import { type Observable, catchError, map, mergeMap, of, scan, share, shareReplay, switchMap, take } from 'rxjs';
import { type Context, marbles } from 'rxjs-marbles/jest';
import { type ConnectionState, type ConnectionTotals, type Server, listen } from '../../lib';
import { createMemoryNetwork } from '../../lib/testing';
import { PaymentService } from '../../examples/angular-service/payment.service';

const totals = (sent: bigint, delivered: bigint): ConnectionTotals => ({ sent, delivered, received: 0n, inFlight: 0n });

/** A server on the in-memory network, the service pointed at it, and what the server sees. */
function setup(m: Context) {
  const scheduler = m.scheduler;
  const network = createMemoryNetwork({ latency: 10, scheduler, exchangeRate: 0.5, maxPacketAmount: 1000 });
  const server$: Observable<Server> = listen({ plugin: network.server, scheduler }).pipe(shareReplay({ bufferSize: 1, refCount: true }));
  // The credentials as an app gets them from SPSP: a cold Observable the service subscribes when
  // it connects. `lookups` is its cold start, so its subscriptions show when the service read it.
  const lookups = m.cold('a');
  const credentials$ = lookups.pipe(
    switchMap(() => server$),
    take(1),
    map((server) => server.generateAddressAndSecret()),
  );
  const service = new PaymentService({ plugin: network.client, credentials$, scheduler });
  const connections$ = server$.pipe(switchMap((server) => server.connections$), share());
  /** How many connections the server has seen so far. */
  const connectionCount$ = connections$.pipe(scan((count) => count + 1, 0));
  /** The server-side connections' states. */
  const serverState$: Observable<ConnectionState> = connections$.pipe(mergeMap((connection) => connection.state$));
  /** Running total of what the server's application received. */
  const received$ = connections$.pipe(
    mergeMap((connection) => connection.streams$),
    mergeMap((stream) => stream.money$),
    scan((total, amount) => total + amount, 0n),
  );
  return { scheduler, service, lookups, connectionCount$, serverState$, received$ };
}

const STATES = { o: 'open', c: 'closed' } as const;

describe('PaymentService (examples/angular-service) in virtual time', () => {
  it(
    'shares one connection between rate$, totals$ and pay(); pay(3000) is delivered at 100; ngOnDestroy() at 150 completes all and closes it',
    marbles((m) => {
      const { scheduler, service, lookups, connectionCount$, serverState$, received$ } = setup(m);
      scheduler.schedule(() => service.ngOnDestroy(), 150);

      // A component subscribes to rate$ and totals$ at 30; a click pays 3000 at 80.
      const rate$ = service.rate$;
      const totals$ = service.totals$;
      const pay$ = m.cold('80ms (a|)').pipe(switchMap(() => service.pay(3000)));

      m.expect(rate$, '30ms ^').toBeObservable('70ms r 79ms |', { r: 0.5 });
      // 70: zero (replayed on open); 80: three packets of 1000 in flight; 100: their Fulfills, in
      // order; the stream's close at 100-120 moves no money and adds no value; 150: complete.
      m.expect(totals$, '30ms ^').toBeObservable('70ms z 9ms (abc) 15ms (def) 45ms |', {
        z: totals(0n, 0n),
        a: { ...totals(0n, 0n), inFlight: 1000n },
        b: { ...totals(0n, 0n), inFlight: 2000n },
        c: { ...totals(0n, 0n), inFlight: 3000n },
        d: { ...totals(1000n, 500n), inFlight: 2000n },
        e: { ...totals(2000n, 1000n), inFlight: 1000n },
        f: totals(3000n, 1500n),
      });
      m.expect(pay$).toBeObservable('100ms (abc|)', {
        a: { sent: 1000n, delivered: 500n, amount: 3000n },
        b: { sent: 2000n, delivered: 1000n, amount: 3000n },
        c: { sent: 3000n, delivered: 1500n, amount: 3000n },
      });
      m.expect(received$, '^ 299ms !').toBeObservable('90ms (abc)', { a: 500n, b: 1000n, c: 1500n });
      // One connection for three subscribers, opened at 60 and closed when ngOnDestroy's end()
      // reaches the server at 160.
      m.expect(connectionCount$, '^ 299ms !').toBeObservable('60ms 1', { 1: 1 });
      m.expect(serverState$, '^ 299ms !').toBeObservable('60ms o 99ms c', STATES);
      // The credentials were looked up once, when the first subscriber came.
      m.expect(lookups).toHaveSubscriptions('30ms (^!)');
    }),
  );

  it(
    'refCount: the last subscriber leaving at 100 ends the connection (closed at the server at 110); a subscriber at 200 connects again',
    marbles((m) => {
      const { service, lookups, connectionCount$, serverState$ } = setup(m);

      m.expect(service.totals$, '30ms ^ 69ms !').toBeObservable('70ms z', { z: totals(0n, 0n) });
      // The second connection: credentials at 200, IL-DCP 200-220, probe 220-240.
      m.expect(service.rate$, '200ms ^ 99ms !').toBeObservable('240ms r', { r: 0.5 });
      m.expect(connectionCount$, '^ 349ms !').toBeObservable('60ms 1 169ms 2', { 1: 1, 2: 2 });
      m.expect(serverState$, '^ 349ms !').toBeObservable('60ms o 49ms c 119ms o 79ms c', STATES);
      m.expect(lookups).toHaveSubscriptions(['30ms (^!)', '200ms (^!)']);
    }),
  );

  it(
    'after ngOnDestroy() nothing reconnects: totals$ completes at once and pay() errors',
    marbles((m) => {
      const { scheduler, service, lookups, connectionCount$ } = setup(m);
      scheduler.schedule(() => service.ngOnDestroy(), 10);

      m.expect(service.totals$, '30ms ^').toBeObservable('30ms |');
      const paid$ = m.cold('40ms a').pipe(
        switchMap(() => service.pay(1000)),
        catchError((error: Error) => of(error.message)),
      );
      m.expect(paid$).toBeObservable('40ms (e|)', { e: 'PaymentService: pay() after ngOnDestroy()' });
      m.expect(connectionCount$, '^ 99ms !').toBeObservable('');
      m.expect(lookups).toHaveSubscriptions([]);
    }),
  );

  it('refuses a bad amount when pay() is called, before anything is subscribed', () => {
    const service = new PaymentService({ plugin: createMemoryNetwork().client, credentials$: of({ destinationAccount: 'test.x', sharedSecret: Buffer.alloc(32) }) });
    expect(() => service.pay(-1)).toThrow(RangeError);
    expect(() => service.pay('1.5')).toThrow(RangeError);
    service.ngOnDestroy();
  });
});
