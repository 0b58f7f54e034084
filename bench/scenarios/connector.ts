/**
 * Scenario "connector": money through one real ilp-connector 23.0.2 running in its own process,
 * over BTP (WebSockets on 127.0.0.1), ours vs the reference, both ends in this process. The
 * connector is the one of spec/network/connector-stream.spec.ts (spec/helpers/ilp-connector.ts):
 * the client's account in USD at scale 2 with a max packet amount of 1000 cents, the server's in
 * EUR at scale 4, 1 USD = 0.9 EUR, so every cent arrives as exactly 90 units.
 *
 * Every run connects fresh BTP plugins, a fresh server and client (set-up, IL-DCP, handshake and
 * rate probe untimed), then times one `sendTotal`. "pps" counts the Fulfills the client's plugin
 * got in the timed region, so both implementations are counted alike. A run throws unless the
 * connector's own books moved by exactly the amount sent and 90 times it, so a broken
 * implementation cannot post a fast figure. The connector's per-account rate limit is raised out of
 * the way (see {@link UNLIMITED}). Anchor (perf-anchor.md): the reference does ~800 packets/s
 * through one connector in its own process; the machine has 2 cores for both processes.
 *
 * @example
 * ```ts
 * const rows = await connectorScenario.run({ quick: true });
 * ```
 */
import { performance } from 'node:perf_hooks';
import type { MemoryPlugin } from '../../lib';
import {
  type ConnectorSpec,
  ConnectorBtpPlugin,
  type IlpConnector,
  closeAllConnectors,
  connectorRate,
  forwardedAmount,
  spawnConnector,
} from '../../spec/helpers/ilp-connector';
import { type RunDetail, describeRuns } from './money-runs';
import { type BenchSettings, type Row, type Run, type Scenario, interleave, progress } from '../harness';
import { type Implementation, implementations } from './drivers';

const RATES = { USD: '1', EUR: '0.9' };
const CENTS_TO_EUR = connectorRate(RATES, { code: 'USD', scale: 2 }, { code: 'EUR', scale: 4 });

/**
 * The connector's default rate limit (10,000 Prepares per account per minute) would throttle a
 * whole bench run with T05 after its first ten thousand packets; this measures throughput, so the
 * bucket is made large enough never to run dry.
 */
const UNLIMITED = { refillCount: 1_000_000, refillPeriod: 1000 };

const SPEC: ConnectorSpec = {
  ilpAddress: 'test.bench',
  rates: RATES,
  accounts: {
    alice: { relation: 'child', assetCode: 'USD', assetScale: 2, maxPacketAmount: 1000n, rateLimit: UNLIMITED },
    bob: { relation: 'child', assetCode: 'EUR', assetScale: 4, rateLimit: UNLIMITED },
  },
};

interface Variant {
  readonly label: string;
  /** Cents per timed run (1000 per packet). */
  readonly cents: number;
  readonly warmupCents: number;
  readonly warmupMs: number;
  readonly runs: number;
}

function variant(quick: boolean): Variant {
  return quick
    ? { label: 'connector 2e5 cents, BTP', cents: 2e5, warmupCents: 1e5, warmupMs: 300, runs: 3 }
    : { label: 'connector 1e6 cents, BTP', cents: 1e6, warmupCents: 2e5, warmupMs: 1500, runs: 5 };
}

/**
 * The drivers of ./drivers.ts are typed for the in-memory network's plugins but only hand the
 * plugin to `createServer` / `createConnection` (and the reference's), which take any ILP plugin.
 */
function asDriverPlugin(plugin: ConnectorBtpPlugin): MemoryPlugin {
  return plugin as unknown as MemoryPlugin;
}

/** One run: fresh plugins, server and client on the connector; returns packets/s of one `sendTotal`. */
async function sendOnce(impl: Implementation, connector: IlpConnector, cents: number, details?: RunDetail[]): Promise<number> {
  const serverPlugin = new ConnectorBtpPlugin(connector.url('bob'));
  const clientPlugin = new ConnectorBtpPlugin(connector.url('alice'));
  try {
    const server = await impl.startServer(asDriverPlugin(serverPlugin));
    const client = await impl.connect(asDriverPlugin(clientPlugin), server.credentials());
    const booksBefore = await connector.balances();
    const fulfilledBefore = clientPlugin.replies.fulfilled;
    const start = performance.now();
    await client.createStream().sendTotal(cents);
    const ms = performance.now() - start;
    const packets = clientPlugin.replies.fulfilled - fulfilledBefore;
    const booksAfter = await connector.balances();
    await client.end();
    await server.close();
    const paidIn = (booksAfter.alice ?? 0n) - (booksBefore.alice ?? 0n);
    const paidOut = (booksBefore.bob ?? 0n) - (booksAfter.bob ?? 0n);
    const expected = forwardedAmount(BigInt(cents), CENTS_TO_EUR);
    if (paidIn !== BigInt(cents) || paidOut !== expected) {
      throw new Error(`${impl.label}: the connector took ${paidIn} of ${cents} cents and paid out ${paidOut} of ${expected}`);
    }
    details?.push({ packets, ms });
    return (packets * 1000) / ms;
  } finally {
    await clientPlugin.disconnect();
    await serverPlugin.disconnect();
  }
}

function runOf(impl: Implementation, connector: IlpConnector, v: Variant, details: RunDetail[]): Run {
  return (warmup) => sendOnce(impl, connector, warmup ? v.warmupCents : v.cents, warmup ? undefined : details);
}

/**
 * The connector scenario: one row, packets/s through a connector process.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=connector npm run bench
 * ```
 */
export const connectorScenario: Scenario = {
  name: 'connector',
  async run(settings: BenchSettings) {
    const v = variant(settings.quick);
    progress(`${v.label}: starting ilp-connector in a child process`);
    const connector = await spawnConnector(SPEC);
    try {
      progress(`${v.label}: ${v.runs} runs each, interleaved`);
      const oursDetails: RunDetail[] = [];
      const refDetails: RunDetail[] = [];
      const { ours, ref } = await interleave(
        { ours: runOf(implementations.ours, connector, v, oursDetails), ref: runOf(implementations.ref, connector, v, refDetails) },
        { warmupMs: v.warmupMs, runs: v.runs },
      );
      const row: Row = {
        scenario: v.label,
        unit: 'pps',
        ours,
        ref,
        better: 'higher',
        notes: `ours ${describeRuns(oursDetails)}, ref ${describeRuns(refDetails)}; connector in its own process; anchor ref ~800`,
      };
      return [row];
    } finally {
      await closeAllConnectors();
    }
  },
};
