/**
 * Scenario 5, memory: V8 heap per idle connection pair (the client's connection plus the
 * server's), with 1000 pairs open, after forced full GCs; ours vs the reference
 * (perf-anchor.md (c): 24.6 KiB heap + 0.71 KiB external per pair).
 *
 * Each pair has its own in-memory network and server (a client connection owns its plugin), so
 * the baseline is taken after all networks and servers are up: the figure is what the 1000
 * connections add, not what the servers cost. Needs `global.gc` (node --expose-gc);
 * bench/index.ts re-executes itself with it when missing. It forces GCs, which shrink V8's young
 * generation and slow the next runs of anything, so bench/index.ts runs it last.
 *
 * @example
 * ```ts
 * const rows = await memoryScenario.run({ quick: true });
 * ```
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Run, type Scenario, formatNumber, interleave, progress, summarize } from '../harness';
import { closeAll, startServers } from './connect';
import { type BenchClient, type Implementation, implementations } from './drivers';

const KIB = 1024;

/**
 * The heap after forced GCs, in bytes.
 *
 * @example
 * ```ts
 * const { heapUsed } = await settledHeap();
 * ```
 */
export interface Heap {
  readonly heapUsed: number;
  readonly external: number;
}

/**
 * Full GCs until the heap stops shrinking (at most 5), with turns between for weak callbacks.
 *
 * @example
 * ```ts
 * const before = await settledHeap();
 * ```
 */
export async function settledHeap(): Promise<Heap> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('the memory scenario needs node --expose-gc');
  let previous = Infinity;
  for (let i = 0; i < 5; i++) {
    await nextTurn();
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous * 0.999) break;
    previous = used;
  }
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external };
}

function memoryRun(impl: Implementation, pairs: number, externals: number[]): Run {
  return async (warmup) => {
    const count = warmup ? Math.min(pairs, 100) : pairs;
    const fleet = await startServers(impl, count);
    const clients: BenchClient[] = [];
    const before = await settledHeap();
    for (let i = 0; i < count; i++) {
      const network = fleet.networks[i];
      const credentials = fleet.credentials[i];
      if (!network || !credentials) throw new Error('fleet is short');
      clients.push(await impl.connect(network.client, credentials));
    }
    // Let replies, timers set on open and promise chains run out, so the pairs are idle.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await settledHeap();
    await closeAll(clients, fleet.servers);
    if (!warmup) externals.push((after.external - before.external) / count / KIB);
    return (after.heapUsed - before.heapUsed) / count / KIB;
  };
}

/**
 * The memory scenario.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=memory npm run bench
 * ```
 */
export const memoryScenario: Scenario = {
  name: 'memory',
  async run({ quick }) {
    const pairs = quick ? 300 : 1000;
    const runs = quick ? 1 : 3;
    progress(`memory: ${runs} runs of ${pairs} idle pairs each, interleaved`);
    const oursExternal: number[] = [];
    const refExternal: number[] = [];
    const { ours, ref } = await interleave(
      { ours: memoryRun(implementations.ours, pairs, oursExternal), ref: memoryRun(implementations.ref, pairs, refExternal) },
      { warmupMs: 0, runs },
    );
    const median = (values: number[]): string => formatNumber(summarize(values).median);
    return [
      {
        scenario: `memory: heap per idle pair (${pairs} open)`,
        unit: 'KiB',
        ours,
        ref,
        better: 'lower',
        notes: `external KiB/pair: ours ${median(oursExternal)}, ref ${median(refExternal)}; after forced GC; anchor ref 24.6 + 0.71 ext`,
      },
    ];
  },
};
