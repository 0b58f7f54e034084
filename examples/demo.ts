/**
 * The demo: a STREAM server and client in one process, paying through a connector with an
 * exchange rate and a max packet amount. By default every packet crosses two real WebSocket hops
 * (ilp-plugin-btp on 127.0.0.1, a BTP listener on each side of the connector); `--memory` uses the
 * in-memory network instead. A progress bar shows sent, delivered, rate and packets/s; the demo
 * exits 0 when both ends agree on the totals, and 1 otherwise.
 *
 * Run: `npm run demo` (or `npm run demo -- --memory --amount 5000000 --rate 0.5 --max-packet 1000`).
 */
import BtpPlugin from 'ilp-plugin-btp';
import { auditTime, firstValueFrom, lastValueFrom, tap } from 'rxjs';
import {
  type Connection,
  type Plugin,
  createBtpNetwork,
  createConnection,
  createMemoryNetwork,
  createServer,
  toU64,
} from '../lib';
import { ProgressBar } from './progress-bar';

interface DemoOptions {
  readonly memory: boolean;
  readonly amount: bigint;
  readonly rate: string;
  readonly maxPacket: bigint;
}

function parseArgs(argv: readonly string[]): DemoOptions {
  const value = (flag: string, fallback: string): string => {
    const index = argv.indexOf(flag);
    return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1]! : fallback;
  };
  return {
    memory: argv.includes('--memory'),
    amount: toU64(value('--amount', '2000000'), '--amount'),
    rate: value('--rate', '0.5'),
    maxPacket: toU64(value('--max-packet', '1000'), '--max-packet'),
  };
}

/** The two plugins and how to take the network down again. */
interface Topology {
  readonly label: string;
  readonly client: Plugin;
  readonly server: Plugin;
  close(): Promise<void>;
}

async function btpTopology(options: DemoOptions): Promise<Topology> {
  const network = await createBtpNetwork({ exchangeRate: options.rate, maxPacketAmount: options.maxPacket });
  const server: Plugin = new BtpPlugin({ server: network.serverUrl });
  const client: Plugin = new BtpPlugin({ server: network.clientUrl });
  await Promise.all([server.connect(), client.connect()]);
  return {
    label: `ilp-plugin-btp over ws://127.0.0.1 (two hops through a connector)`,
    client,
    server,
    async close() {
      await Promise.all([client.disconnect(), server.disconnect()]);
      await network.close();
    },
  };
}

function memoryTopology(options: DemoOptions): Topology {
  const network = createMemoryNetwork({ exchangeRate: options.rate, maxPacketAmount: options.maxPacket });
  return { label: 'the in-memory network', client: network.client, server: network.server, close: async () => undefined };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const topology = options.memory ? memoryTopology(options) : await btpTopology(options);
  console.log(`ilp-stream-rx demo: ${options.amount} units at rate ${options.rate}, max packet ${options.maxPacket}, over ${topology.label}`);

  const server = await createServer({ plugin: topology.server });
  let received = 0n;
  const serverConnection = firstValueFrom(server.connections$);
  server.connections$.subscribe((connection) =>
    connection.streams$.subscribe((stream) => stream.money$.subscribe((amount) => (received += amount))),
  );

  const client: Connection = await createConnection({ plugin: topology.client, ...server.generateAddressAndSecret() });
  console.log(`connected: ${client.sourceAccount} -> ${client.destinationAccount}, probed rate ${client.exchangeRate?.value}`);

  const bar = new ProgressBar(process.stdout, options.amount);
  const started = performance.now();
  let packets = 0;
  const snapshot = () => ({ sent: client.totals.sent, delivered: client.totals.delivered, packets, elapsedMs: performance.now() - started });
  // One progress value per fulfilled packet; the bar redraws at most every 50 ms.
  await lastValueFrom(
    client.createStream().sendMoney(options.amount).pipe(
      tap(() => (packets += 1)),
      auditTime(50),
      tap(() => bar.render(snapshot())),
    ),
    { defaultValue: undefined },
  );
  const last = snapshot();
  bar.render(last, true);
  bar.finish();

  const remote = await serverConnection;
  await client.end();
  await server.close();
  await topology.close();

  const agree = client.totals.sent === options.amount && client.totals.delivered === received && remote.totals.received === received;
  console.log(
    [
      `sent      ${client.totals.sent}`,
      `delivered ${client.totals.delivered} (client's count)`,
      `received  ${received} (server's count)`,
      `rate      ${(Number(client.totals.delivered) / Number(client.totals.sent)).toFixed(4)}`,
      `time      ${last.elapsedMs.toFixed(0)} ms, ${Math.round((packets * 1000) / last.elapsedMs)} packets/s`,
      agree ? 'OK: both ends agree on the totals' : 'MISMATCH: the totals disagree',
    ].join('\n'),
  );
  return agree ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('demo failed:', error);
    process.exitCode = 1;
  },
);
