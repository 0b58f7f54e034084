/**
 * The live payment dashboard (issue 8): the RxJS state pipeline under marble time, the HTTP/SSE
 * server, the `npm run dashboard` entry, and the page itself in Debian's headless Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { firstValueFrom, lastValueFrom, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import type { Browser, Page } from 'playwright-core';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from '../../lib';
import { dashboardState, type DashboardSnapshot, formatRate } from '../../examples/dashboard/dashboard-state';
import type { PaymentSession } from '../../examples/dashboard/payment';
import { type DashboardServer, startDashboardServer } from '../../examples/dashboard/server';
import { launchChromium } from '../helpers/chromium';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
/** Source units the browser test pays: 300 packets of 1,000 at ~100 packets/s, about 3 s. */
const BROWSER_AMOUNT = BigInt(process.env.DASHBOARD_SPEC_AMOUNT ?? '300000');
const MAX_PACKET = 1000n;

function totals(sent: number, delivered: number, received = 0): ConnectionTotals {
  return { sent: BigInt(sent), delivered: BigInt(delivered), received: BigInt(received), inFlight: 0n };
}
const RATE = { value: 1.37 } as ExchangeRate;

function snapshot(fields: Partial<DashboardSnapshot>): DashboardSnapshot {
  return {
    sent: 0n,
    delivered: 0n,
    received: 0n,
    inFlight: 0n,
    rate: undefined,
    packets: 0,
    packetsPerSecond: 0,
    state: 'open',
    error: undefined,
    elapsedMs: 0,
    final: false,
    ...fields,
  };
}

describe('dashboardState (the page model from totals$, exchangeRate$ and state$)', () => {
  it(
    'throttles to one snapshot per uiIntervalMs (leading and trailing), counts packets/s over the window, and ends with one unthrottled final snapshot',
    marbles((m) => {
      const state$ = m.cold<ConnectionState>('o 28ms c|', { o: 'open', c: 'closed' });
      const sender$ = m.cold('a 9ms b 9ms c 9ms |', { a: totals(0, 0), b: totals(1000, 1370), c: totals(2000, 2740) });
      const receiver$ = m.cold('r 9ms s 9ms t 9ms |', { r: totals(0, 0, 0), s: totals(0, 0, 1370), t: totals(0, 0, 2740) });
      const rate$ = m.cold('x 29ms |', { x: RATE });
      // Window 20 ms: one packet in it is 50 packets/s, two are 100.
      const result$ = dashboardState(
        { senderTotals$: sender$, receiverTotals$: receiver$, exchangeRate$: rate$, state$ },
        { scheduler: m.scheduler, uiIntervalMs: 10, windowMs: 20 },
      );
      m.expect(result$).toBeObservable('a 9ms b 9ms c 9ms (d|)', {
        // Leading: the first event (state 'open') goes out at once; the rest of frame 0 waits.
        a: snapshot({}),
        b: snapshot({ sent: 1000n, delivered: 1370n, received: 1370n, rate: 1.37, packets: 1, packetsPerSecond: 50, elapsedMs: 10 }),
        c: snapshot({ sent: 2000n, delivered: 2740n, received: 2740n, rate: 1.37, packets: 2, packetsPerSecond: 100, elapsedMs: 20 }),
        // 'closed' at 29 was held by the throttle; the final snapshot carries it at completion.
        d: snapshot({ sent: 2000n, delivered: 2740n, received: 2740n, rate: 1.37, packets: 2, packetsPerSecond: 100, elapsedMs: 29, state: 'closed', final: true }),
      });
      for (const source of [state$, sender$, receiver$, rate$] as Observable<unknown>[]) m.expect(source).toHaveSubscriptions('^ 29ms !');
    }),
  );

  it(
    'lets packets/s fall to 0 when packets stop (window ticks), while the totals stay',
    marbles((m) => {
      const state$ = m.cold<ConnectionState>('o 59ms |', { o: 'open' });
      const sender$ = m.cold('a b c 57ms |', { a: totals(0, 0), b: totals(1000, 500), c: totals(2000, 1000) });
      const receiver$ = m.cold('r 59ms |', { r: totals(0, 0, 1000) });
      const rate$ = m.cold('x 59ms |', { x: { value: 0.5 } as ExchangeRate });
      const seen: Array<{ at: number; snapshot: DashboardSnapshot }> = [];
      dashboardState({ senderTotals$: sender$, receiverTotals$: receiver$, exchangeRate$: rate$, state$ }, { scheduler: m.scheduler, uiIntervalMs: 10, windowMs: 20 }).subscribe(
        (s) => seen.push({ at: m.scheduler.now(), snapshot: s }),
      );
      m.flush();
      expect(Math.max(...seen.map(({ snapshot: s }) => s.packetsPerSecond))).toBe(100);
      const late = seen.filter(({ at }) => at >= 30);
      expect(late.length).toBeGreaterThan(1);
      expect(late.map(({ snapshot: s }) => s.packetsPerSecond)).toEqual(late.map(() => 0));
      // The throttle caps the live snapshots at one per 10 ms over 60 ms, leading included.
      expect(seen.filter(({ snapshot: s }) => !s.final).length).toBeLessThanOrEqual(7);
      expect(seen.at(-1)).toEqual({ at: 60, snapshot: snapshot({ sent: 2000n, delivered: 1000n, received: 1000n, rate: 0.5, packets: 2, elapsedMs: 50, final: true }) });
      for (const source of [state$, sender$, receiver$, rate$] as Observable<unknown>[]) m.expect(source).toHaveSubscriptions('^ 59ms !');
    }),
  );

  it(
    'shows a failed connection as state "failed" with its message and still completes (no error reaches the page)',
    marbles((m) => {
      const boom = new Error('boom');
      const state$ = m.cold<ConnectionState>('o 9ms #', { o: 'open' }, boom);
      const sender$ = m.cold('a 9ms #', { a: totals(0, 0) }, boom);
      const receiver$ = m.cold('r 19ms |', { r: totals(0, 0, 0) });
      const rate$ = m.cold('x 9ms #', { x: RATE }, boom);
      const result$ = dashboardState({ senderTotals$: sender$, receiverTotals$: receiver$, exchangeRate$: rate$, state$ }, { scheduler: m.scheduler, uiIntervalMs: 10, windowMs: 20 });
      const failed = snapshot({ rate: 1.37, state: 'failed', error: 'boom', elapsedMs: 10 });
      m.expect(result$).toBeObservable('a 9ms b 9ms (c|)', { a: snapshot({}), b: failed, c: { ...failed, final: true } });
      m.expect(receiver$).toHaveSubscriptions('^ 19ms !');
    }),
  );

  it('refuses a non-positive interval or window', () => {
    const never = { senderTotals$: {} as Observable<ConnectionTotals>, receiverTotals$: {} as Observable<ConnectionTotals>, exchangeRate$: {} as Observable<ExchangeRate>, state$: {} as Observable<ConnectionState> };
    expect(() => dashboardState(never, { uiIntervalMs: 0 })).toThrow(RangeError);
    expect(() => dashboardState(never, { windowMs: Number.NaN })).toThrow(RangeError);
  });

  it.each([
    [1.37, '1.37'],
    [0.5, '0.5'],
    [1 / 3, '0.333333'],
    [1234567.8, '1234570'],
    [undefined, '—'],
  ])('formatRate(%p) is %p', (rate, shown) => {
    expect(formatRate(rate)).toBe(shown);
  });
});

describe('the dashboard server (node:http on 127.0.0.1)', () => {
  let dashboard: DashboardServer | undefined;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
  });

  it('serves the page, answers 404 and 405, refuses a second payment while one runs (409), and replays the final snapshot to a late /events client', async () => {
    dashboard = await startDashboardServer({ payment: { amount: 20_000n, latencyMs: 20 } });
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(dashboard.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('id="packets-per-second"');
    expect((await fetch(new URL('/nope', dashboard.url))).status).toBe(404);
    expect((await fetch(new URL('/pay', dashboard.url))).status).toBe(405);

    const session = firstValueFrom(dashboard.sessions$);
    const paid = dashboard.startPayment();
    // One payment at a time: the first call marks the server busy before it awaits anything.
    await expect(dashboard.startPayment()).rejects.toThrow('a payment is already running');
    // The payment needs a rate probe and 5 round trips of 40 ms; a local POST takes a few ms.
    expect((await fetch(new URL('/pay', dashboard.url), { method: 'POST' })).status).toBe(409);
    const result = await paid;
    const { sender, receiver } = await session;
    expect(result).toEqual({ sent: 20_000n, delivered: sender.totals.delivered, received: receiver.totals.received, rate: 1.37 });
    await Promise.all([lastValueFrom(sender.state$), lastValueFrom(receiver.state$)]);

    const events = await fetch(new URL('/events', dashboard.url));
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('"final":true')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += Buffer.from(chunk.value).toString('utf8');
    }
    await reader.cancel();
    expect(text).toContain('event: info\ndata: {"amount":"20000"');
    const final = JSON.parse(text.split('event: snapshot\ndata: ')[1]!.split('\n')[0]!) as Record<string, unknown>;
    expect(final).toMatchObject({ sent: '20000', delivered: String(sender.totals.delivered), received: String(receiver.totals.received), rate: '1.37', state: 'closed', final: true });
    expect(receiver.totals.received).toBe(27_400n);
  });

  it('refuses a bad port', async () => {
    await expect(startDashboardServer({ port: 70_000 })).rejects.toThrow(RangeError);
  });
});

describe('npm run dashboard (examples/dashboard/run.ts)', () => {
  it('prints the URL, pays, and with --exit-when-done exits 0 once sender and receiver agree', async () => {
    const { stdout } = await promisify(execFile)(
      'node',
      ['-r', 'ts-node/register/transpile-only', 'examples/dashboard/run.ts', '--exit-when-done', '--amount', '20000', '--latency', '5'],
      { cwd: ROOT, env: { ...process.env, PORT: '0' }, timeout: 30_000 },
    );
    expect(stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(stdout).toContain('paid: sent 20000, delivered 27400, received 27400, rate 1.37');
    expect(stdout).toContain('OK: sender and receiver agree');
  });
});

/** The page's numbers, read in one go. */
interface PageNumbers {
  sent: string;
  delivered: string;
  received: string;
  rate: string;
  packetsPerSecond: string;
  packets: string;
  state: string;
  final: boolean;
}

function readNumbers(page: Page): Promise<PageNumbers> {
  return page.evaluate(() => {
    // Runs in the page; the spec compiles without the DOM lib, so name the little it touches.
    const { document } = globalThis as unknown as {
      document: { getElementById(id: string): { textContent: string | null } | null; body: { dataset: Record<string, string | undefined> } };
    };
    const text = (id: string): string => document.getElementById(id)?.textContent ?? '';
    return {
      sent: text('sent'),
      delivered: text('delivered'),
      received: text('received'),
      rate: text('rate'),
      packetsPerSecond: text('packets-per-second'),
      packets: text('packets'),
      state: text('state'),
      final: document.body.dataset.final === 'true',
    };
  });
}

function nonDecreasing(values: readonly bigint[]): boolean {
  return values.every((value, i) => i === 0 || value >= values[i - 1]!);
}

function strictRises(values: readonly bigint[]): number {
  return values.filter((value, i) => i > 0 && value > values[i - 1]!).length;
}

describe('the dashboard page in headless Chromium (Debian chromium via playwright-core)', () => {
  let browser: Browser | undefined;
  let dashboard: DashboardServer | undefined;
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('shows sent, delivered, received, rate and packets/s rising live, ends at the totals the library reports, and draws the chart', async () => {
    dashboard = await startDashboardServer({ payment: { amount: BROWSER_AMOUNT, maxPacketAmount: MAX_PACKET, latencyMs: 20, window: 4 } });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('request', (request) => {
      if (new URL(request.url()).hostname !== '127.0.0.1') problems.push(`left 127.0.0.1: ${request.url()}`);
    });
    await page.goto(dashboard.url);
    expect(await page.textContent('#state')).toBe('idle');

    const session: Promise<PaymentSession> = firstValueFrom(dashboard.sessions$);
    await page.click('#pay');
    const { sender, receiver, network } = await session;

    const samples: PageNumbers[] = [];
    for (let i = 0; i < 400; i++) {
      const numbers = await readNumbers(page);
      samples.push(numbers);
      if (numbers.final) break;
      await page.waitForTimeout(100);
    }
    await Promise.all([lastValueFrom(sender.state$), lastValueFrom(receiver.state$)]);

    // Live: the page's own numbers rose step by step and never went back.
    const live = samples.filter((s) => !s.final && s.sent !== '');
    expect(samples.at(-1)?.final).toBe(true);
    for (const key of ['sent', 'delivered', 'received'] as const) {
      const values = samples.map((s) => BigInt(s[key]));
      expect(nonDecreasing(values)).toBe(true);
      expect(strictRises(values)).toBeGreaterThanOrEqual(3);
    }
    expect(live.some((s) => BigInt(s.sent) > 0n && BigInt(s.sent) < BROWSER_AMOUNT)).toBe(true);
    expect(live.some((s) => Number(s.packetsPerSecond) > 0)).toBe(true);

    // Final: exactly what the library reports, as decimal strings.
    const last = await readNumbers(page);
    expect(sender.totals.sent).toBe(BROWSER_AMOUNT);
    expect(last.sent).toBe(sender.totals.sent.toString());
    expect(last.delivered).toBe(sender.totals.delivered.toString());
    expect(last.received).toBe(receiver.totals.received.toString());
    expect(last.received).toBe(network.stats.clientToServer.destinationAmountFulfilled.toString());
    expect(last.rate).toBe(formatRate(sender.exchangeRate?.value));
    expect(last.rate).toBe('1.37');
    expect(last.state).toBe('complete');
    // Every packet carries at most MAX_PACKET, so at least amount / MAX_PACKET were fulfilled.
    expect(Number(last.packets)).toBeGreaterThanOrEqual(Number(BROWSER_AMOUNT / MAX_PACKET));
    expect(await page.textContent('#sent-major')).toBe((Number(BROWSER_AMOUNT) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 }));

    // The chart drew a rising line of sent money with a point per snapshot.
    const sentPath = (await page.getAttribute('#chart-sent', 'd')) ?? '';
    const points = [...sentPath.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((match) => ({ x: Number(match[1]), y: Number(match[2]) }));
    expect(points.length).toBeGreaterThanOrEqual(10);
    expect(points.at(-1)!.x).toBeGreaterThan(points[0]!.x);
    expect(points.at(-1)!.y).toBeLessThan(points[0]!.y); // SVG y grows downward: the line rose
    expect(((await page.getAttribute('#chart-received', 'd')) ?? '').length).toBeGreaterThan(0);

    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'artifacts', 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
