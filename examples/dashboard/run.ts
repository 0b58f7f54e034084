/**
 * `npm run dashboard`: serves the live payment dashboard on 127.0.0.1, prints its URL, starts a
 * payment and keeps serving (the page's button starts another) until Ctrl-C.
 *
 * Options (flags, or the environment): `--port N` / `PORT` (default 3000; 0 picks a free port),
 * `--amount N`, `--rate R`, `--latency MS`, `--window N`, `--manual` (wait for the button instead
 * of paying at once), `--exit-when-done` / `DASHBOARD_EXIT_WHEN_DONE=1` (exit after the payment:
 * 0 when sender and receiver agree on the totals, 1 otherwise).
 *
 * @example
 * ```sh
 * npm run dashboard -- --port 8080 --amount 1000000 --rate 0.5
 * ```
 */
import { startDashboardServer } from './server';
import type { PaymentOptions } from './payment';

interface RunOptions {
  readonly port: number;
  readonly payment: PaymentOptions;
  readonly manual: boolean;
  readonly exitWhenDone: boolean;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): RunOptions {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (text.trim() === '' || !Number.isFinite(parsed)) throw new RangeError(`${flag} must be a number, got ${text}`);
    return parsed;
  };
  const amount = value('--amount');
  const rate = value('--rate');
  const latencyMs = number('--latency', value('--latency'));
  const window = number('--window', value('--window'));
  return {
    port: number('--port', value('--port') ?? env.PORT) ?? 3000,
    payment: {
      ...(amount === undefined ? {} : { amount }),
      ...(rate === undefined ? {} : { exchangeRate: rate }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(window === undefined ? {} : { window }),
    },
    manual: argv.includes('--manual'),
    exitWhenDone: argv.includes('--exit-when-done') || env.DASHBOARD_EXIT_WHEN_DONE === '1',
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2), process.env);
  const dashboard = await startDashboardServer({ port: options.port, payment: options.payment });
  console.log(`dashboard: ${dashboard.url}`);
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    dashboard.close().then(
      () => (process.exitCode = code),
      (error: unknown) => {
        console.error('dashboard close failed:', error);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  if (options.manual) {
    console.log('press "Start payment" on the page');
    return;
  }
  try {
    const result = await dashboard.startPayment();
    const agree = result.delivered === result.received;
    console.log(`paid: sent ${result.sent}, delivered ${result.delivered}, received ${result.received}, rate ${result.rate}`);
    console.log(agree ? 'OK: sender and receiver agree' : 'MISMATCH: sender and receiver disagree');
    if (options.exitWhenDone) stop(agree ? 0 : 1);
    else console.log('still serving; Ctrl-C to stop');
  } catch (error) {
    if (stopping) return; // Ctrl-C tore the payment down on purpose
    console.error('payment failed:', error);
    if (options.exitWhenDone) stop(1);
  }
}

main().catch((error: unknown) => {
  console.error('dashboard failed:', error);
  process.exitCode = 1;
});
