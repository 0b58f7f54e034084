/**
 * The sending process: reads the receiver's credentials (one JSON line on stdin: `btpUrl`,
 * `destinationAccount`, base64 `sharedSecret`), connects an ilp-plugin-btp client to the
 * receiver's connector, pays `--amount` on one stream with a live progress bar on stderr, ends
 * the connection cleanly and reports what it sent and what arrived.
 *
 * Message on stdout (JSON line): {"type":"sent","sent":"…","delivered":"…","packets":N}
 *
 * Run by hand, piping the receiver's first line in:
 * `npx ts-node --transpile-only examples/btp-payment/receiver.ts | head -1 | npx ts-node --transpile-only examples/btp-payment/sender.ts --amount 100000`
 *
 * @example
 * ```ts
 * const sender = startExample('examples/btp-payment/sender.ts', ['--amount', '100000']);
 * sender.child.stdin?.end(JSON.stringify(ready) + '\n');
 * ```
 */
import BtpPlugin from 'ilp-plugin-btp';
import { auditTime, lastValueFrom, tap } from 'rxjs';
import { type Plugin, createConnection, toU64 } from '../../lib';
import { ProgressBar, type ProgressSnapshot } from '../progress-bar';
import { argument, describeError, readFirstLine, tellParent } from './processes';

/** What the receiver hands out: where to connect, and the STREAM credentials. */
interface Credentials {
  readonly btpUrl: string;
  readonly destinationAccount: string;
  readonly sharedSecret: Buffer;
}

function parseCredentials(value: unknown): Credentials {
  const fields = (value ?? {}) as Record<string, unknown>;
  const { btpUrl, destinationAccount, sharedSecret } = fields;
  if (typeof btpUrl !== 'string' || !/^btp\+wss?:\/\//.test(btpUrl)) throw new TypeError('credentials: btpUrl must be a btp+ws:// URL');
  if (typeof destinationAccount !== 'string' || destinationAccount.length === 0) throw new TypeError('credentials: destinationAccount is missing');
  if (typeof sharedSecret !== 'string') throw new TypeError('credentials: sharedSecret must be base64');
  const secret = Buffer.from(sharedSecret, 'base64');
  if (secret.length !== 32) throw new TypeError(`credentials: sharedSecret must be 32 bytes, got ${secret.length}`);
  return { btpUrl, destinationAccount, sharedSecret: secret };
}

async function main(argv: readonly string[]): Promise<number> {
  // Checked before anything connects: a bad amount is the user's mistake, not the network's.
  const amount = toU64(argument(argv, 'amount', '500000'), '--amount');
  const credentials = parseCredentials(await readFirstLine());
  const plugin: Plugin = new BtpPlugin({ server: credentials.btpUrl });
  try {
    const connection = await createConnection({ plugin, destinationAccount: credentials.destinationAccount, sharedSecret: credentials.sharedSecret });
    process.stderr.write(`sender: connected as ${connection.sourceAccount}, probed rate ${connection.exchangeRate?.value}\n`);

    const bar = new ProgressBar(process.stderr, amount);
    const started = performance.now();
    let packets = 0;
    const snapshot = (): ProgressSnapshot => ({
      sent: connection.totals.sent,
      delivered: connection.totals.delivered,
      packets,
      elapsedMs: performance.now() - started,
    });
    // One progress value per fulfilled packet; drawing every one would cost more than sending it,
    // so the bar redraws at most every 50 ms (lossy on purpose: it is only a view of the totals).
    await lastValueFrom(
      connection.createStream().sendMoney(amount).pipe(
        tap(() => (packets += 1)),
        auditTime(50),
        tap(() => bar.render(snapshot())),
      ),
      { defaultValue: undefined },
    );
    bar.render(snapshot(), true);
    bar.finish();

    // end() flushes and closes: the receiver sees a clean close and reports its total.
    await connection.end();
    tellParent({ type: 'sent', sent: connection.totals.sent, delivered: connection.totals.delivered, packets });
    return 0;
  } finally {
    await plugin.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sender: failed: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
