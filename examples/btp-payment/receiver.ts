/**
 * The receiving process: a STREAM server behind BTP on 127.0.0.1. It starts a small connector
 * (`createBtpNetwork`: two BTP listeners on ephemeral ports, with an exchange rate and a max
 * packet amount), puts our server on one side, and hands the parent the other side's URL with
 * STREAM credentials (what an SPSP response would carry). It then adds up the money of the first
 * connection until the sender closes it, reports the total and exits.
 *
 * Messages on stdout (JSON lines):
 *   {"type":"ready","btpUrl":"btp+ws://:…@127.0.0.1:PORT","destinationAccount":"…","sharedSecret":"<base64>"}
 *   {"type":"received","total":"…","connectionTotal":"…"}
 * Logs go to stderr. The receiver stays up until its stdin ends (the parent's "stop"); stdin
 * ending before the payment is over (the parent went away) stops it with exit code 1.
 *
 * Run alone: `npx ts-node --transpile-only examples/btp-payment/receiver.ts --rate 0.5 --max-packet 1000`
 *
 * @example
 * ```ts
 * const receiver = startExample('examples/btp-payment/receiver.ts', ['--rate', '0.5']);
 * const ready = await receiver.message('ready');
 * ```
 */
import BtpPlugin from 'ilp-plugin-btp';
import { firstValueFrom, fromEvent, lastValueFrom, map, mergeMap, race, scan, share, take, tap } from 'rxjs';
import { type Connection, type Plugin, createBtpNetwork, createServer, toU64 } from '../../lib';
import { argument, describeError, tellParent } from './processes';

function log(line: string): void {
  process.stderr.write(`receiver: ${line}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const exchangeRate = argument(argv, 'rate', '0.5');
  const maxPacketAmount = toU64(argument(argv, 'max-packet', '1000'), '--max-packet');
  const network = await createBtpNetwork({ exchangeRate, maxPacketAmount });
  const plugin: Plugin = new BtpPlugin({ server: network.serverUrl });
  const server = await createServer({ plugin });
  try {
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    log(`listening for BTP at 127.0.0.1 (rate ${exchangeRate}, max packet ${maxPacketAmount}); STREAM address ${destinationAccount}`);

    let connection: Connection | undefined;
    // Subscribed before the credentials go out, and money$ subscribed synchronously inside the
    // emissions: the first packet's money is applied only after streams$ has handed the stream out.
    const received$ = server.connections$.pipe(
      take(1),
      tap((opened) => {
        connection = opened;
        log(`connection from ${opened.destinationAccount ?? 'the sender'}`);
      }),
      mergeMap((opened) => opened.streams$),
      mergeMap((stream) => stream.money$),
      scan((total, amount) => total + amount, 0n),
    );
    // The parent holds our stdin open while it needs us: end of input means "stop". Before the
    // payment is over that is a failure; after it, the normal way out (see below).
    process.stdin.resume();
    const stdinEnded$ = fromEvent(process.stdin, 'end').pipe(take(1), share());
    const parentGone$ = stdinEnded$.pipe(
      map(() => {
        throw new Error('stdin closed before the payment finished');
      }),
    );
    const totalPromise = lastValueFrom(race(received$, parentGone$), { defaultValue: 0n });
    const stopPromise = firstValueFrom(stdinEnded$, { defaultValue: undefined });
    tellParent({ type: 'ready', btpUrl: network.clientUrl, destinationAccount, sharedSecret: sharedSecret.toString('base64') });

    // Completes when the sender ends the connection (streams$ and money$ complete on a clean close).
    const total = await totalPromise;
    const connectionTotal = (connection as Connection | undefined)?.totals.received ?? 0n;
    log(`connection closed: ${total} received`);
    tellParent({ type: 'received', total, connectionTotal });
    // A server outlives its connections: stay up until the parent says stop, so the sender's
    // last reply (to its ConnectionClose) gets home and the sender can disconnect first.
    await stopPromise;
    return 0;
  } finally {
    process.stdin.destroy();
    await server.close();
    await network.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`failed: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
