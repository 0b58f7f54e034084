/**
 * The send pipeline of a whole connection (lib/connection/sender.ts), pinned frame by frame: the
 * rate probe, per-packet retries with exponential backoff, expiry, the AIMD congestion window,
 * `window: 1` as concatMap, the idle timeout, and a send stopped mid-way.
 *
 * Everything runs on the TestScheduler: `createMemoryNetwork({ latency: 10, scheduler })` moves
 * every packet with `timer(10, scheduler)` and the connection gets the same scheduler for its
 * backoff, expiry and idle timers, so the frames below are exact. As in
 * spec/network/virtual-time-connection.spec.ts, the cold `listen()` / `connect()` stand in for the
 * Promise forms, which cannot run inside `TestScheduler.run()`.
 *
 * The common opening, at latency 10:
 * - 0-20: the server's IL-DCP round trip; 20-40: the client's IL-DCP round trip;
 * - 40: the probe volley leaves (1000, 10^6, 10^9, 10^12 units: RFC 29 §3.4) and reaches the
 *   connector at 50; its replies are back at 60.
 *
 * How packets are watched: the network's `onPrepare` hook sees every Prepare when it reaches the
 * connector, one latency (10 frames) after it left the client. The hook below records the
 * client's Prepares (IL-DCP excluded) into a Subject as `'<amount>'`, or `'<amount> <code>'` when
 * the script makes the connector refuse it, so a marble diagram pins which amounts arrived at
 * which frame. Marble reminder: a group `(abc)` takes as many frames as it has characters.
 */
import {
  NEVER,
  type Observable,
  Subject,
  catchError,
  concat,
  concatMap,
  distinctUntilChanged,
  from,
  last,
  map,
  merge,
  mergeMap,
  of,
  scan,
  share,
  switchMap,
  take,
  takeUntil,
  timer,
} from 'rxjs';
import { type Context, marbles } from 'rxjs-marbles/jest';
import {
  ConnectionError,
  type ConnectionTuning,
  type IlpPrepare,
  type IlpReject,
  type MemoryNetwork,
  type MemoryPlugin,
  type ObservablePlugin,
  connect,
  createMemoryNetwork,
  ilpReject,
  isIldcpRequest,
  listen,
} from '../../lib';
import { ForwardingPlugin } from '../helpers/forwarding-plugin';

const LATENCY = 10;

/** The probe amounts as the hook records them. */
const PROBES = { a: '1000', b: '1000000', c: '1000000000', d: '1000000000000' };

/** What the hook records for a Prepare: its amount, and the code the script refused it with. */
const label = (amount: bigint, code?: string): string => (code === undefined ? `${amount}` : `${amount} ${code}`);

/**
 * Marble values for running totals: the first letter stands for `step`, the next for 2 × `step`,
 * and so on (`runningTotals('abc', 100n)` is `{ a: 100n, b: 200n, c: 300n }`).
 */
const runningTotals = (letters: string, step: bigint): Record<string, bigint> =>
  Object.fromEntries([...letters].map((letter, i) => [letter, step * BigInt(i + 1)]));

/** Decides, for a client Prepare that reached the connector at `frame`, whether to refuse it. */
type Script = (prepare: IlpPrepare, frame: number) => IlpReject | undefined;

/**
 * Installs the network hook: records every client-to-server Prepare (IL-DCP excluded) as it
 * reaches the connector, and refuses those the script says to.
 */
function watchPrepares(network: MemoryNetwork, m: Context, script: Script = () => undefined): Observable<string> {
  const arrivals = new Subject<string>();
  network.setOnPrepare((prepare, direction) => {
    if (direction !== 'clientToServer' || isIldcpRequest(prepare)) return undefined;
    const reject = script(prepare, m.scheduler.now());
    arrivals.next(label(prepare.amount, reject?.code));
    return reject;
  });
  return arrivals.asObservable();
}

/**
 * A client plugin that passes everything to the memory plugin, except the Prepares `drop` picks:
 * their Observable never emits, as if the packet were lost on the way. Every Prepare (IL-DCP
 * excluded) is reported to `sent` when it leaves (the subscription to `sendDataObservable`).
 */
class LossyPlugin extends ForwardingPlugin {
  constructor(
    inner: MemoryPlugin,
    private readonly drop: (prepare: IlpPrepare) => boolean,
    private readonly sent: Subject<string>,
  ) {
    super(inner);
  }

  protected override sendStreamPrepare(prepare: IlpPrepare, data: Buffer): Observable<Buffer> {
    const dropped = this.drop(prepare);
    this.sent.next(label(prepare.amount, dropped ? 'dropped' : undefined));
    return dropped ? NEVER : super.sendStreamPrepare(prepare, data);
  }
}

interface ScenarioOptions {
  /** The connector's max packet amount. */
  readonly maxPacketAmount: number;
  /** The client connection's tuning (the scheduler is added). */
  readonly tuning?: ConnectionTuning;
  /** Wraps the client's plugin (to lose packets). */
  readonly wrapClient?: (plugin: MemoryPlugin) => ObservablePlugin;
}

/**
 * A server and one client connection over a memory network at latency 10, started by the cold
 * `start` (so its subscriptions can be asserted). `server$` and `connection$` are shared: one
 * server and one connection however many expectations watch them.
 */
function scenario(m: Context, options: ScenarioOptions) {
  const scheduler = m.scheduler;
  const network = createMemoryNetwork({ latency: LATENCY, scheduler, maxPacketAmount: options.maxPacketAmount });
  const clientPlugin = options.wrapClient ? options.wrapClient(network.client) : network.client;
  const start = m.cold('a');
  const server$ = start.pipe(
    switchMap(() => listen({ plugin: network.server, scheduler })),
    share(),
  );
  const connection$ = server$.pipe(
    take(1),
    switchMap((server) => connect({ plugin: clientPlugin, ...server.generateAddressAndSecret(), ...options.tuning, scheduler })),
    share(),
  );
  /** The server's running total of money received, per money$ emission. */
  const received$ = server$.pipe(
    switchMap((server) => server.connections$),
    mergeMap((connection) => connection.streams$),
    mergeMap((stream) => stream.money$),
    scan((total, amount) => total + amount, 0n),
  );
  const serverState$ = server$.pipe(
    switchMap((server) => server.connections$),
    switchMap((connection) => connection.state$),
  );
  /**
   * The client connection's state. Watching it also keeps the connection open: `connection$` is a
   * refCounted share of `connect()`, whose teardown calls `end()`, so if only `take(1)` pipelines
   * watched it, the connection would start closing right at open and send a StreamClose after the
   * payment.
   */
  const state$ = connection$.pipe(switchMap((connection) => connection.state$));
  /** The client's totals.sent, each distinct value once. */
  const sent$ = connection$.pipe(
    switchMap((connection) => connection.totals$),
    map((totals) => totals.sent),
    distinctUntilChanged(),
  );
  /**
   * Once the connection is open, sends `amount` on a new stream: sendMoney's progress. `until`
   * stops that sendMoney itself (it is subscribed when the send starts, not at frame 0).
   */
  const pay = (amount: number, until?: Observable<unknown>) =>
    connection$.pipe(
      take(1),
      switchMap((connection) => {
        const progress$ = connection.createStream().sendMoney(amount);
        return until ? progress$.pipe(takeUntil(until)) : progress$;
      }),
    );
  return { scheduler, network, start, server$, connection$, received$, serverState$, state$, sent$, pay };
}

describe('the send pipeline in virtual time (RFC 29 §3.4, §4.3; createMemoryNetwork({ latency: 10 }))', () => {
  describe('the rate probe', () => {
    it(
      'sends 1000, 10^6, 10^9 and 10^12 at connect (at the connector at 50); open at 60 when their replies are back',
      marbles((m) => {
        const { network, start, state$, serverState$ } = scenario(m, { maxPacketAmount: 1000 });
        const arrivals$ = watchPrepares(network, m);

        // 40: the volley leaves; 50: all four reach the connector, in the order the probe sent
        // them. 1000 fits (the receiver's F99 reports what arrived), the rest get F08. 60: all
        // four replies are back: open. The server's connection appears with the first probe, at 50.
        m.expect(arrivals$, '^ 99ms !').toBeObservable('50ms (abcd)', PROBES);
        m.expect(state$, '^ 99ms !').toBeObservable('60ms o', { o: 'open' });
        m.expect(serverState$, '^ 99ms !').toBeObservable('50ms o', { o: 'open' });
        m.expect(start).toHaveSubscriptions('^ 99ms !');
      }),
    );

    it(
      'probes again at the F08 limit when no probe fits (at the connector at 70), and opens at 80',
      marbles((m) => {
        const { network, start, state$, serverState$ } = scenario(m, { maxPacketAmount: 100 });
        const arrivals$ = watchPrepares(network, m);

        // 50: the four probes all exceed 100 and get F08 with the limit in their data; 60: back.
        // 60: a second volley of just 100 leaves, at the connector at 70, its F99 back at 80: open.
        // The server first hears of the connection from that second volley, at 70.
        m.expect(arrivals$, '^ 99ms !').toBeObservable('50ms (abcd) 14ms e', { ...PROBES, e: '100' });
        m.expect(state$, '^ 99ms !').toBeObservable('80ms o', { o: 'open' });
        m.expect(serverState$, '^ 99ms !').toBeObservable('70ms o', { o: 'open' });
        m.expect(start).toHaveSubscriptions('^ 99ms !');
      }),
    );
  });

  it(
    'backs off 100 then 200 frames after two T04s: the packet leaves at 60, 180 and 400, is fulfilled at 420, and counts once',
    marbles((m) => {
      const { network, start, received$, sent$, pay } = scenario(m, {
        maxPacketAmount: 1000,
        tuning: { retryBaseDelayMs: 100, retryFactor: 2, retryMaxDelayMs: 5000, retryAttempts: 5 },
      });
      let refused = 0;
      const arrivals$ = watchPrepares(network, m, (prepare) =>
        prepare.amount === 500n && refused++ < 2 ? ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.memory') : undefined,
      );
      const paid$ = pay(500);

      // Open at 60, when the packet of 500 leaves.
      // 70: at the connector, T04; 80: back. Retry 1 waits 100 × 2^0 = 100: leaves 180.
      // 190: T04 again; 200: back. Retry 2 waits 100 × 2^1 = 200: leaves 400.
      // 410: through, the server gets 500; 420: the Fulfill is back, the one progress and done.
      m.expect(arrivals$, '^ 599ms !').toBeObservable('50ms (abcd) 14ms t 119ms t 219ms p', { ...PROBES, t: '500 T04', p: '500' });
      m.expect(paid$).toBeObservable('420ms (p|)', { p: { sent: 500n, delivered: 500n, amount: 500n } });
      m.expect(sent$, '^ 599ms !').toBeObservable('60ms a 359ms b', { a: 0n, b: 500n });
      m.expect(received$, '^ 599ms !').toBeObservable('410ms a', { a: 500n });
      m.expect(start).toHaveSubscriptions('^ 599ms !');
      m.flush();
      expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(500n);
      expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(500n);
    }),
  );

  it(
    'a lost Prepare becomes R00 at its expiry (60 + 500), is sent again 100 frames later, and its money arrives once',
    marbles((m) => {
      const departures = new Subject<string>();
      let lost = 0;
      const { network, start, received$, sent$, pay } = scenario(m, {
        maxPacketAmount: 1000,
        tuning: { packetExpiryMs: 500, retryBaseDelayMs: 100, retryFactor: 2 },
        wrapClient: (plugin) => new LossyPlugin(plugin, (prepare) => prepare.amount === 500n && lost++ === 0, departures),
      });
      const arrivals$ = watchPrepares(network, m);
      const paid$ = pay(500);

      // 40: the probes leave (at the connector at 50). Open at 60: the packet of 500 leaves and is
      // lost: it never reaches the connector and nothing answers. It expires at 60 + 500 = 560:
      // sendPrepare answers R00, a temporary error; retry 1 waits 100: it leaves again at 660,
      // reaches the connector (and the server) at 670, and its Fulfill is back at 680.
      m.expect(departures, '^ 999ms !').toBeObservable('40ms (abcd) 14ms x 599ms p', { ...PROBES, x: '500 dropped', p: '500' });
      m.expect(arrivals$, '^ 999ms !').toBeObservable('50ms (abcd) 614ms p', { ...PROBES, p: '500' });
      m.expect(paid$).toBeObservable('680ms (p|)', { p: { sent: 500n, delivered: 500n, amount: 500n } });
      m.expect(sent$, '^ 999ms !').toBeObservable('60ms a 619ms b', { a: 0n, b: 500n });
      m.expect(received$, '^ 999ms !').toBeObservable('670ms a', { a: 500n });
      m.expect(start).toHaveSubscriptions('^ 999ms !');
      m.flush();
      expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(500n);
    }),
  );

  it(
    'grows the window by slow start from initialWindow 2 up to window 6, and halves it once for a burst of six T04s',
    marbles((m) => {
      const { network, start, connection$, state$, serverState$, pay } = scenario(m, {
        maxPacketAmount: 100,
        tuning: { initialWindow: 2, window: 6, retryBaseDelayMs: 100, retryFactor: 2 },
      });
      // The scripted congestion: every Prepare that reaches the connector at frame 150 gets T04.
      const arrivals$ = watchPrepares(network, m, (_prepare, frame) =>
        frame === 150 ? ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.memory') : undefined,
      );
      const money$ = connection$.pipe(
        take(1),
        switchMap(() => arrivals$),
      );
      const paid$ = pay(3000).pipe(last());

      // 3000 units in packets of 100 (the probe learned the limit 100, open at 80): 30 packets.
      // Each round trip is 20 frames; each packet reaches the connector 10 frames after it left.
      // - 80: 2 leave (initialWindow 2).                      -> 90:  pp
      // - 100: 2 fulfills, +1 each: window 4, 4 leave.        -> 110: pppp
      // - 120: 4 fulfills: window 5, 6, 6, 6 (capped at 6).   -> 130: pppppp
      // - 140: 6 fulfills, window stays 6: 6 leave (18 sent). -> 150: all six T04
      // - 160: six T04s. They left in the same epoch, so the window halves once, 6 -> 3, and slow
      //   start ends (threshold 3). The six wait 100 frames for their retry, still counted in
      //   flight, so nothing new leaves.                     -> 270: the six retries pass
      // - 280: six fulfills, congestion avoidance (+1/w each): 3.33, 3.63, 3.91, 4.16, 4.40, 4.63;
      //   in flight 5, 4, 3, then 2 -> 4 packets: 2 + 1 + 1 leave (22 sent).  -> 290: pppp
      //   Without the halving the window would be 6 and six would leave here.
      // - 300: four fulfills: 4.85, 5.05, 5.25, 5.44: 1 + 2 + 1 + 1 leave (27). -> 310: ppppp
      // - 320: five fulfills: 5.63, 5.80, 5.98: 1 + 1 + 1, the last 3 (30).     -> 330: ppp
      // - 340: the last fulfills: sendMoney completes.
      m.expect(money$, '^ 399ms !').toBeObservable(
        '90ms (pp) 16ms (pppp) 14ms (pppppp) 12ms (tttttt) 112ms (pppppp) 12ms (pppp) 14ms (ppppp) 13ms (ppp)',
        { p: '100', t: '100 T04' },
      );
      m.expect(paid$).toBeObservable('340ms (p|)', { p: { sent: 3000n, delivered: 3000n, amount: 3000n } });
      // The connection stays open throughout (nothing ends it before the subscriptions do).
      m.expect(state$, '^ 399ms !').toBeObservable('80ms o', { o: 'open' });
      m.expect(serverState$, '^ 399ms !').toBeObservable('70ms o', { o: 'open' });
      m.expect(start).toHaveSubscriptions('^ 399ms !');
      m.flush();
      expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(3000n);
    }),
  );

  it(
    'with window 1 sends exactly like concatMap over the packets, one round trip (2 × latency) each',
    marbles((m) => {
      const { scheduler, network, start, connection$, state$, received$, pay } = scenario(m, { maxPacketAmount: 100, tuning: { window: 1 } });
      const arrivals$ = watchPrepares(network, m);
      const paid$ = pay(500).pipe(share());
      const opened$ = connection$.pipe(take(1));

      // What happened: each Prepare as it reaches the connector, each progress as its Fulfill is back.
      const timeline$ = merge(
        opened$.pipe(
          switchMap(() => arrivals$),
          map((arrival) => `prepare ${arrival}`),
          takeUntil(paid$.pipe(last())),
        ),
        paid$.pipe(map((progress) => `fulfill ${progress.sent}`)),
      );

      // The reference: the five packets of 100 through concatMap, from the frame the connection
      // opened. A round trip is 2 × latency; its first hop brings the Prepare to the connector.
      const packets = [1n, 2n, 3n, 4n, 5n].map((n) => ({ amount: 100n, sentAfter: 100n * n }));
      const reference$ = opened$.pipe(
        switchMap(() =>
          from(packets).pipe(
            concatMap((p) =>
              concat(
                timer(LATENCY, scheduler).pipe(map(() => `prepare ${p.amount}`)),
                timer(LATENCY, scheduler).pipe(map(() => `fulfill ${p.sentAfter}`)),
              ),
            ),
          ),
        ),
      );
      // And the progress alone against the plain form: concatMap(p => timer(2 × latency)).
      const referenceFulfills$ = opened$.pipe(
        switchMap(() => from(packets).pipe(concatMap((p) => timer(2 * LATENCY, scheduler).pipe(map(() => p.sentAfter))))),
      );

      m.scheduler.expectObservable(timeline$).toEqual(reference$);
      m.scheduler.expectObservable(paid$.pipe(map((progress) => progress.sent))).toEqual(referenceFulfills$);
      // Pinned as well, so that both cannot drift together: open at 80, then one packet per 20.
      m.expect(paid$.pipe(map((progress) => progress.sent))).toBeObservable('100ms a 19ms b 19ms c 19ms d 19ms (e|)', runningTotals('abcde', 100n));
      m.expect(received$, '^ 299ms !').toBeObservable('90ms a 19ms b 19ms c 19ms d 19ms e', runningTotals('abcde', 100n));
      m.expect(state$, '^ 299ms !').toBeObservable('80ms o', { o: 'open' });
      m.expect(start).toHaveSubscriptions('^ 299ms !');
    }),
  );

  it(
    'closes an idle connection with IDLE_TIMEOUT exactly idleTimeoutMs (1000) after the last authentic reply',
    marbles((m) => {
      const { start, connection$, serverState$ } = scenario(m, { maxPacketAmount: 1000, tuning: { idleTimeoutMs: 1000 } });
      const describeError = (error: unknown) =>
        of({ connectionError: error instanceof ConnectionError, code: (error as Partial<ConnectionError>).code });
      const clientState$ = connection$.pipe(
        switchMap((connection) => connection.state$),
        catchError(describeError),
      );

      // The last authentic packet is the probes' replies at 60 (open); nothing moves after that.
      // 1060: the client closes and errors with IDLE_TIMEOUT; its ConnectionClose reaches the
      // server at 1070, which closes with REMOTE_CLOSED. Then nothing watches the server: `start`
      // is unsubscribed at 1070.
      m.expect(clientState$).toBeObservable('60ms o 999ms (ce|)', {
        o: 'open',
        c: 'closed',
        e: { connectionError: true, code: 'IDLE_TIMEOUT' },
      });
      m.expect(serverState$.pipe(catchError(describeError))).toBeObservable('50ms o 1019ms (ce|)', {
        o: 'open',
        c: 'closed',
        e: { connectionError: true, code: 'REMOTE_CLOSED' },
      });
      m.expect(start).toHaveSubscriptions('^ 1069ms !');
    }),
  );

  it(
    'stopped by takeUntil mid-way: the packets in flight still settle and count, nothing new leaves, the rest is not sent',
    marbles((m) => {
      const { network, start, received$, sent$, pay } = scenario(m, {
        maxPacketAmount: 100,
        tuning: { initialWindow: 4, window: 4 },
      });
      const arrivals$ = watchPrepares(network, m);
      const stop = m.hot('135ms s');
      const paid$ = pay(3000, stop).pipe(map((progress) => progress.sent));

      // Open at 80 (probe limit 100); window 4 from the start and at most 4.
      // - 80, 100, 120: four packets of 100 leave each time, at the connector (and the server) at
      //   90, 110 and 130, fulfilled at 100, 120 and 140.
      // - 135: `stop` fires; sendMoney is unsubscribed and the 1800 not yet sent is withdrawn.
      //   The four that left at 120 are still on the wire.
      // - 140: their Fulfills are back: totals.sent reaches 1200 at 140, the server got 1200 at 130,
      //   and nothing leaves after 120.
      m.expect(arrivals$, '^ 299ms !').toBeObservable('50ms (abcd) 14ms e 19ms (pppp) 14ms (pppp) 14ms (pppp)', { ...PROBES, e: '100', p: '100' });
      m.expect(paid$).toBeObservable('100ms (abcd) 14ms (efgh) 9ms |', runningTotals('abcdefgh', 100n));
      m.expect(stop).toHaveSubscriptions('80ms ^ 54ms !');
      // a: 0 at open, then b = 100, c = 200, …, m = 1200.
      m.expect(sent$, '^ 299ms !').toBeObservable('80ms a 19ms (bcde) 14ms (fghi) 14ms (jklm)', { a: 0n, ...runningTotals('bcdefghijklm', 100n) });
      m.expect(received$, '^ 299ms !').toBeObservable('90ms (abcd) 14ms (efgh) 14ms (ijkl)', runningTotals('abcdefghijkl', 100n));
      m.expect(start).toHaveSubscriptions('^ 299ms !');
      m.flush();
      expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(1200n);
    }),
  );
});
