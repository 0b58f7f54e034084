/**
 * Scenario 'data' (run after receiver): bytes on one stream over the in-memory network, ours vs
 * the reference, each implementation talking to itself (perf-anchor.md anchors (b)); then the
 * memory a paused reader makes the pair hold (./memory-data.ts).
 *
 * Throughput: the client writes one buffer (`sendData` / `write`) and the server's stream hands
 * every chunk to a listener (ours: `data$`; the reference: `'data'`). Every run builds a fresh
 * network, server and connection; set-up (IL-DCP, handshake, rate probe, `createStream`) is
 * outside the timed region, which runs from the write until the server has the last byte. MiB/s
 * is the write's size over that time. The run then waits for the write to finish (ours: every
 * byte acknowledged; the reference: every byte in a packet) and throws unless the received
 * length equals the written one and every received chunk equals the bytes written at its offset
 * (compared after the timed region, so checking costs neither side), so a broken run cannot post
 * a fast figure. The written bytes are random, with the run number stamped at both ends so no
 * two runs send the same bytes.
 *
 * Variants: 1 MiB and 16 MiB (quick mode: 4 MiB) at 0 ms, 1 MiB at 1 ms one-way latency (on rxjs' asyncScheduler; a
 * 1 ms timer takes ~1.2 ms). The reference moves one 16 KiB window per round trip with one
 * packet in flight (~52 and ~71 MiB/s at 0 ms, ~6 MiB/s at 1 ms); ours keeps a window of
 * packets in flight and a 256 KiB stream window (`streamReceiveWindow`). Warm-up matters a lot
 * here: ours' first 16 MiB runs are two to four times slower than its tenth, so the 0 ms variants
 * warm up for 2.5-4 s and at least 6-15 runs (quick mode: about 1 s). The notes give, per side, the packets the client
 * sent until the last byte arrived (Fulfills, with the Rejects if any), their mean payload, and
 * the median time.
 *
 * The memory part forces GCs, which shrink V8's young generation; it runs after the throughput
 * part, and the next scenario (connect) warms up for 1.5 s before it times anything.
 *
 * Targets (shown under the table): ours/ref >= 2 at 0 ms, >= 10 at 1 ms.
 *
 * @example
 * ```ts
 * const rows = await dataScenario.run({ quick: true });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createMemoryNetwork } from '../../lib/network';
import { type BenchSettings, type Row, type Run, type Scenario, formatNumber, interleave, progress, summarize } from '../harness';
import { type Implementation, implementations } from './drivers';
import { pausedReaderRows } from './memory-data';

const MIB = 1024 * 1024;
const KIB = 1024;
/** A run that has not finished by then is broken; it throws instead of hanging the bench. */
const RUN_TIMEOUT_MS = 60_000;

/**
 * One throughput row: what to send, at which one-way latency, how many runs.
 *
 * @example
 * ```ts
 * const variant: DataVariant = { label: 'data 1 MiB, 0 ms', size: MIB, warmupSize: MIB, latency: 0,
 *   warmupMs: 2500, minWarmupRuns: 15, runs: 11, target: 2, note: 'anchor ref 52.4' };
 * ```
 */
export interface DataVariant {
  readonly label: string;
  /** Bytes written in a timed run. */
  readonly size: number;
  /** Bytes written in a warm-up run (latency-bound variants only need the code paths run). */
  readonly warmupSize: number;
  /** One-way latency in ms. */
  readonly latency: number;
  readonly warmupMs: number;
  readonly minWarmupRuns: number;
  readonly runs: number;
  /** The ours/ref ratio this row should reach. */
  readonly target: number;
  /** Appended to the row's notes (an anchor figure). */
  readonly note: string;
}

/**
 * The throughput variants; quick mode sends less, warms up less and runs fewer times.
 *
 * @example
 * ```ts
 * dataVariants(false).map((variant) => variant.label); // ['data 1 MiB, 0 ms', 'data 16 MiB, 0 ms', 'data 1 MiB, 1 ms']
 * ```
 */
export function dataVariants(quick: boolean): DataVariant[] {
  return quick
    ? [
        { label: 'data 1 MiB, 0 ms', size: MIB, warmupSize: MIB, latency: 0, warmupMs: 800, minWarmupRuns: 5, runs: 5, target: 2, note: 'anchor ref 52.4' },
        { label: 'data 4 MiB, 0 ms', size: 4 * MIB, warmupSize: 4 * MIB, latency: 0, warmupMs: 1000, minWarmupRuns: 3, runs: 3, target: 2, note: 'anchor ref 16 MiB: 70.7' },
        { label: 'data 1 MiB, 1 ms', size: MIB, warmupSize: 256 * KIB, latency: 1, warmupMs: 0, minWarmupRuns: 1, runs: 3, target: 10, note: 'anchor ref 5.96' },
      ]
    : [
        { label: 'data 1 MiB, 0 ms', size: MIB, warmupSize: MIB, latency: 0, warmupMs: 2500, minWarmupRuns: 15, runs: 11, target: 2, note: 'anchor ref 52.4' },
        { label: 'data 16 MiB, 0 ms', size: 16 * MIB, warmupSize: 16 * MIB, latency: 0, warmupMs: 4000, minWarmupRuns: 6, runs: 7, target: 2, note: 'anchor ref 70.7' },
        { label: 'data 1 MiB, 1 ms', size: MIB, warmupSize: 256 * KIB, latency: 1, warmupMs: 0, minWarmupRuns: 1, runs: 5, target: 10, note: 'anchor ref 5.96' },
      ];
}

/** What one timed run saw, for the notes. */
interface TransferDetail {
  /** Client Prepares that reached the server until the last byte arrived. */
  readonly packets: number;
  /** Client Prepares rejected from the write until it finished. */
  readonly rejected: number;
  readonly ms: number;
}

/** One random buffer per size, reused; each run stamps its number into a copy's ends. */
const randomSources = new Map<number, Buffer>();
let runNumber = 0;

/** Fresh bytes for one run: the cached random bytes with the run number at both ends. */
function sourceBytes(size: number): Buffer {
  let random = randomSources.get(size);
  if (!random) {
    random = randomBytes(size);
    randomSources.set(size, random);
  }
  runNumber += 1;
  const bytes = Buffer.from(random);
  bytes.writeUInt32BE(runNumber, 0);
  bytes.writeUInt32BE(runNumber, size - 4);
  return bytes;
}

/** Rejects after `ms` with `what()` in the message, unless `promise` settles first; never leaves a timer. */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws unless `chunks`, concatenated, are exactly `sent`. */
function verify(label: string, sent: Buffer, chunks: readonly Buffer[]): void {
  let offset = 0;
  for (const chunk of chunks) {
    if (offset + chunk.length > sent.length || !chunk.equals(sent.subarray(offset, offset + chunk.length))) {
      throw new Error(`${label}: received bytes differ from the sent ones at offsets ${offset}..${offset + chunk.length}`);
    }
    offset += chunk.length;
  }
  if (offset !== sent.length) throw new Error(`${label}: received ${offset} bytes of ${sent.length}`);
}

/**
 * One run: fresh network, server and connection; writes `size` bytes on one stream; returns MiB/s
 * from the write until the server had the last byte. Throws unless the bytes arrived intact.
 */
async function transferOnce(impl: Implementation, size: number, latency: number, details?: TransferDetail[]): Promise<number> {
  const network = createMemoryNetwork({ latency });
  const stats = network.stats.clientToServer;
  const chunks: Buffer[] = [];
  let received = 0;
  let complete: { at: number; delivered: number } | undefined;
  let signalComplete: () => void = () => undefined;
  const allReceived = new Promise<void>((resolve) => (signalComplete = resolve));
  const server = await impl.startServer(network.server, {
    onData: (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= size && !complete) {
        complete = { at: performance.now(), delivered: stats.delivered };
        signalComplete();
      }
    },
  });
  const client = await impl.connect(network.client, server.credentials());
  const stream = client.createStream();
  const bytes = sourceBytes(size);
  const deliveredBefore = stats.delivered;
  const rejectedBefore = stats.rejected;
  let rejected: number;
  let start: number;
  try {
    start = performance.now();
    const send = stream.sendData(bytes);
    await within(allReceived, RUN_TIMEOUT_MS, () => `${impl.label} received ${received} of ${size} bytes`);
    await within(send.done, RUN_TIMEOUT_MS, () => `${impl.label}'s write of ${size} bytes did not finish`);
    rejected = stats.rejected - rejectedBefore;
  } catch (error) {
    // A broken run still closes everything, so the process can end.
    await client.destroy().catch(() => undefined);
    await server.close().catch(() => undefined);
    throw error;
  }
  await client.end();
  await server.close();
  verify(impl.label, bytes, chunks);
  const end = complete ?? { at: NaN, delivered: NaN };
  const ms = end.at - start;
  details?.push({ packets: end.delivered - deliveredBefore, rejected, ms });
  return size / MIB / (ms / 1000);
}

function runOf(impl: Implementation, variant: DataVariant, details: TransferDetail[]): Run {
  return (warmup) => transferOnce(impl, warmup ? variant.warmupSize : variant.size, variant.latency, warmup ? undefined : details);
}

/** "37 pkts of 28.3 KiB in 6.20 ms": the first run's packets, their mean payload, the median time. */
function describeTransfers(details: readonly TransferDetail[], size: number): string {
  const first = details[0];
  if (!first) return 'no runs';
  const rejects = first.rejected > 0 ? ` (+${first.rejected} rejected)` : '';
  const ms = summarize(details.map((detail) => detail.ms)).median;
  return `${first.packets.toLocaleString('en-US')} pkts${rejects} of ${formatNumber(size / first.packets / KIB)} KiB in ${formatNumber(ms)} ms`;
}

/**
 * The data scenario: three throughput rows (MiB/s, target ratios >= 2 at 0 ms and >= 10 at
 * 1 ms), then the paused-reader memory rows (KiB). Needs `global.gc` for the memory rows.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=data npm run bench
 * ```
 */
export const dataScenario: Scenario = {
  name: 'data',
  async run(settings: BenchSettings) {
    const rows: Row[] = [];
    for (const variant of dataVariants(settings.quick)) {
      progress(`${variant.label}: ${variant.runs} runs each, interleaved`);
      const oursDetails: TransferDetail[] = [];
      const refDetails: TransferDetail[] = [];
      const { ours, ref } = await interleave(
        { ours: runOf(implementations.ours, variant, oursDetails), ref: runOf(implementations.ref, variant, refDetails) },
        { warmupMs: variant.warmupMs, minWarmupRuns: variant.minWarmupRuns, runs: variant.runs },
      );
      rows.push({
        scenario: variant.label,
        unit: 'MiB/s',
        ours,
        ref,
        better: 'higher',
        notes: `ours ${describeTransfers(oursDetails, variant.size)}, ref ${describeTransfers(refDetails, variant.size)}; ${variant.note}`,
        target: { of: 'ratio', atLeast: variant.target },
      });
    }
    randomSources.clear();
    rows.push(...(await pausedReaderRows(settings)));
    return rows;
  },
};
