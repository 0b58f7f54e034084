/**
 * A whole STREAM connection, client and server from lib/index.ts, pinned by one marble diagram:
 * the in-memory network moves every packet on the TestScheduler (`timer(latency, scheduler)`,
 * no Promise), so the frames below are exact, not "eventually".
 *
 * The Promise forms `createServer()` / `createConnection()` cannot run here: `TestScheduler.run()`
 * flushes synchronously and returns, and an `await` resumes on a microtask only after that, when
 * virtual time is over. Their cold Observable twins `listen()` / `connect()` do the same work and
 * resolve to the same objects, so this test uses them. The plugins are not connected up front:
 * `connectPlugin` continues synchronously when `connect()` connects at once, as the memory plugins do.
 */
import { catchError, last, map, mergeMap, of, scan, share, switchMap, take, tap } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { connect, createPluginPair, listen } from '../../lib';

describe('a STREAM connection in virtual time (RFC 29 §4, RFC 31) over createPluginPair({ latency: 10 })', () => {
  it(
    'opens at frame 60, pays 5000 units in five parallel packets by frame 80, and closes at 100',
    marbles((m) => {
      const scheduler = m.scheduler;
      const [clientPlugin, serverPlugin] = createPluginPair({ latency: 10, scheduler, maxPacketAmount: 1000 });

      const start = m.cold('a');
      // 0-20: the server's IL-DCP round trip. Shared: one server, however many expectations watch it.
      const server$ = start.pipe(
        switchMap(() => listen({ plugin: serverPlugin, scheduler })),
        share(),
      );
      // 20-40: the client's IL-DCP; 40-60: the handshake and rate probe (RFC 29 §4.3: the 1000-unit
      // probe gets an authentic F99, the larger ones F08 from the connector). Open at 60.
      const connection$ = server$.pipe(
        take(1),
        switchMap((server) => connect({ plugin: clientPlugin, ...server.generateAddressAndSecret(), scheduler })),
        share(),
      );
      const state$ = connection$.pipe(switchMap((connection) => connection.state$));
      // 60-80: five packets of 1000 at once (max packet 1000; the congestion window starts at
      // initialWindow 16, at most `window` 128, so all five fit), fulfilled together; then
      // end(): ConnectionClose leaves at 80 and its reply is back at 100.
      const paid$ = connection$.pipe(
        take(1),
        switchMap((connection) =>
          connection
            .createStream()
            .sendMoney(5000)
            .pipe(
              last(),
              tap({ complete: () => void connection.end() }),
            ),
        ),
        map((progress) => progress.delivered),
      );
      const received$ = server$.pipe(
        switchMap((server) => server.connections$),
        mergeMap((connection) => connection.streams$),
        mergeMap((stream) => stream.money$),
        scan((total, amount) => total + amount, 0n),
      );

      m.expect(state$).toBeObservable('60ms o 19ms c 19ms (d|)', { o: 'open', c: 'closing', d: 'closed' });
      m.expect(paid$).toBeObservable('80ms (p|)', { p: 5000n });
      m.expect(received$, '^ 199ms !').toBeObservable('70ms (abcde)', { a: 1000n, b: 2000n, c: 3000n, d: 4000n, e: 5000n });
      m.expect(start).toHaveSubscriptions('^ 199ms !');
    }),
  );

  it(
    'closes an idle connection on the scheduler: the client times out 100 ms after the probe, the server hears it 10 ms later',
    marbles((m) => {
      const scheduler = m.scheduler;
      const [clientPlugin, serverPlugin] = createPluginPair({ latency: 10, scheduler });
      const server$ = listen({ plugin: serverPlugin, scheduler }).pipe(share());
      const client$ = server$.pipe(
        take(1),
        switchMap((server) => connect({ plugin: clientPlugin, ...server.generateAddressAndSecret(), scheduler, idleTimeoutMs: 100 })),
        share(),
      );
      const clientState$ = client$.pipe(switchMap((c) => c.state$), catchError((e: { code: string }) => of(e.code)));
      const serverState$ = server$.pipe(
        switchMap((server) => server.connections$),
        switchMap((c) => c.state$),
        catchError((e: { code: string }) => of(e.code)),
      );
      // The last authentic packet is the probe's reply at 60; silence until 160.
      m.expect(clientState$).toBeObservable('60ms o 99ms (ci|)', { o: 'open', c: 'closed', i: 'IDLE_TIMEOUT' });
      m.expect(serverState$, '^ 199ms !').toBeObservable('50ms o 119ms (cr|)', { o: 'open', c: 'closed', r: 'REMOTE_CLOSED' });
    }),
  );
});
