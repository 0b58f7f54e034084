/**
 * The memory half of scenario 'data': what a pair holds when the receiving application stops
 * reading. The server never reads its streams (ours: no `data$` subscriber and `pauseData()`;
 * the reference: `stream.pause()`), the client writes one large buffer, and once the sender has
 * stalled (its moved bytes unchanged for {@link STALL_MS}) full GCs run and the growth of V8's
 * heap plus external memory (Buffers' backing stores) since before the write is the figure.
 *
 * The written buffer is allocated before the baseline, so the caller's own buffer is not counted:
 * the row is everything the two implementations added, sender and receiver. Both queue the
 * caller's buffer itself (ours copies one segment per packet), so what remains is what a paused
 * reader makes the pair hold, to compare with the receive window that bounds what the receiver
 * may buffer: ours' `streamReceiveWindow` (default 1 MiB), the reference's Readable highWaterMark
 * (16,384 B on Node 20). Needs `global.gc` (node --expose-gc); bench/index.ts re-executes itself
 * with it when missing.
 *
 * @example
 * ```ts
 * const rows = await pausedReaderRows({ quick: true });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { CONNECTION_DEFAULTS } from '../../lib';
import { createMemoryNetwork } from '../../lib/network';
import { type BenchSettings, type Row, type Run, formatNumber, interleave, progress, summarize } from '../harness';
import { type BenchDataSend, type Implementation, implementations } from './drivers';

const KIB = 1024;
const MIB = 1024 * KIB;
/**
 * The sender counts as stalled once its moved bytes did not change for this long (ms).
 *
 * @example
 * ```ts
 * await sleep(STALL_MS); // no progress since: the receive window is full
 * ```
 */
export const STALL_MS = 200;
const POLL_MS = 10;
/** A sender that neither stalls nor finishes by then is broken. */
const STALL_TIMEOUT_MS = 30_000;
/** The reference's receive window: its Readable's highWaterMark on Node 20. */
const REF_RECEIVE_WINDOW = 16_384;

/** heapUsed and external (which includes Buffers' backing stores), in bytes. */
interface Heap {
  readonly heapUsed: number;
  readonly external: number;
}

/** Full GCs until the heap stops shrinking (at most 5), with a turn before each for weak callbacks. */
async function settledHeap(): Promise<Heap> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('the data scenario\'s memory rows need node --expose-gc');
  let previous = Infinity;
  for (let i = 0; i < 5; i++) {
    await nextTurn();
    gc();
    const { heapUsed, external } = process.memoryUsage();
    if (heapUsed + external >= previous * 0.999) break;
    previous = heapUsed + external;
  }
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external };
}

/** Resolves once `send` moved no byte for {@link STALL_MS}; throws if it finished or never stalls. */
async function stalled(label: string, send: BenchDataSend, size: number): Promise<void> {
  const started = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    await sleep(POLL_MS);
    const moved = send.movedBytes();
    if (moved >= size) throw new Error(`${label} moved all ${size} bytes to a reader that never reads`);
    if (moved !== last) {
      last = moved;
      since = Date.now();
    } else if (moved > 0 && Date.now() - since >= STALL_MS) {
      return;
    }
    if (Date.now() - started > STALL_TIMEOUT_MS) throw new Error(`${label} did not stall within ${STALL_TIMEOUT_MS} ms (moved ${moved} bytes)`);
  }
}

/** What one timed run saw besides the total, for the notes. */
interface PausedDetail {
  readonly heap: number;
  readonly external: number;
  /** Bytes the sender moved before it stalled: what the receiver holds unread. */
  readonly moved: number;
}

function pausedRun(impl: Implementation, size: number, details: PausedDetail[]): Run {
  return async (warmup) => {
    const network = createMemoryNetwork();
    const server = await impl.startServer(network.server, { paused: true });
    const client = await impl.connect(network.client, server.credentials());
    const stream = client.createStream();
    const bytes = randomBytes(size);
    let before: Heap;
    let after: Heap;
    let send: BenchDataSend;
    let moved: number;
    try {
      before = await settledHeap();
      send = stream.sendData(bytes);
      await stalled(impl.label, send, size);
      after = await settledHeap();
      moved = send.movedBytes();
    } finally {
      // Also after a broken run, so the process can end.
      await client.destroy();
      await server.close();
    }
    // Keeps the caller's buffer alive through the measurement, as a writer would.
    if (bytes.length !== size) throw new Error('unreachable');
    const heap = after.heapUsed - before.heapUsed;
    const external = after.external - before.external;
    if (!warmup) details.push({ heap, external, moved });
    return (heap + external) / KIB;
  };
}

const median = (values: readonly number[]): number => summarize(values).median;

/**
 * The paused-reader row, KiB (lower is better): what the pair retained once a large write stalled.
 *
 * @example
 * ```ts
 * const [retained] = await pausedReaderRows({ quick: false }); // KiB
 * ```
 */
export async function pausedReaderRows({ quick }: BenchSettings): Promise<Row[]> {
  const size = quick ? 4 * MIB : 16 * MIB;
  const runs = quick ? 1 : 3;
  const label = `data paused reader, ${size / MIB} MiB`;
  progress(`${label}: ${runs} runs each, interleaved`);
  const oursDetails: PausedDetail[] = [];
  const refDetails: PausedDetail[] = [];
  const { ours, ref } = await interleave(
    { ours: pausedRun(implementations.ours, size, oursDetails), ref: pausedRun(implementations.ref, size, refDetails) },
    { warmupMs: 0, runs },
  );
  const kib = (details: readonly PausedDetail[], field: keyof PausedDetail): string => formatNumber(median(details.map((d) => d[field])) / KIB);
  const split = (details: readonly PausedDetail[]): string => `heap ${kib(details, 'heap')} + ext ${kib(details, 'external')}`;
  const held = (details: readonly PausedDetail[], window: number): string =>
    `receiver holds ${kib(details, 'moved')} unread, window ${formatNumber(window / KIB)}`;
  return [
    {
      scenario: `${label}: retained`,
      unit: 'KiB',
      ours,
      ref,
      better: 'lower',
      notes:
        `sender + receiver, ${STALL_MS} ms after the sender stalled, after forced GC; ours ${split(oursDetails)}, ref ${split(refDetails)}; ` +
        `ours ${held(oursDetails, CONNECTION_DEFAULTS.streamReceiveWindow)} (streamReceiveWindow); ref ${held(refDetails, REF_RECEIVE_WINDOW)} (highWaterMark)`,
    },
  ];
}
