/**
 * The benchmark harness: interleaved timed runs with a warm-up, medians, and the result table.
 *
 * How runs are taken follows research/perf-anchor.md: warm-up runs are discarded until every
 * contender has spent `warmupMs` warming up (and done at least `minWarmupRuns`), then the timed
 * runs alternate between contenders (ABBA order) so that load from other processes, JIT tiering
 * and GC drift hit every contender alike. No GC is forced before runs: a forced full GC shrinks
 * V8's young generation and makes the next ~1000 packets ~70 % slower (perf-anchor, "GC
 * sensitivity").
 *
 * @example
 * ```ts
 * const results = await interleave({ ours: () => runOurs(), ref: () => runRef() }, { warmupMs: 1500, runs: 5 });
 * console.log(formatTable([pairRow('money 1e7', 'pps', results.ours, results.ref, 'higher')]));
 * ```
 */
import { performance } from 'node:perf_hooks';

/**
 * One run: does its own set-up, times only what it measures, and returns the figure (a rate, a
 * size). `warmup` is true for discarded runs, so a slow scenario may warm up on a smaller input.
 *
 * @example
 * ```ts
 * const run: Run = async (warmup) => measurePps(warmup ? 1e5 : 1e6);
 * ```
 */
export type Run = (warmup: boolean) => Promise<number>;

/**
 * The figures of one contender.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3, values: [3, 1, 2] }
 * ```
 */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
  /** In run order, so run i of one contender pairs with run i of another. */
  readonly values: readonly number[];
}

/**
 * Median (the lower middle for an even count, so it is always a measured value), min and max.
 *
 * @example
 * ```ts
 * summarize([5, 9, 7]).median; // 7
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    n: values.length,
    values,
  };
}

/**
 * How many runs, and how much warm-up.
 *
 * @example
 * ```ts
 * const options: InterleaveOptions = { warmupMs: 1500, runs: 5 };
 * ```
 */
export interface InterleaveOptions {
  /** Each contender warms up until it has spent this long (wall time of whole runs). */
  readonly warmupMs: number;
  /** ... and done at least this many warm-up runs. Default 1. */
  readonly minWarmupRuns?: number;
  /** Timed runs per contender. */
  readonly runs: number;
}

/**
 * Runs the contenders interleaved and summarizes each.
 *
 * @example
 * ```ts
 * const { ours, ref } = await interleave({ ours: runOurs, ref: runRef }, { warmupMs: 1500, runs: 5 });
 * ```
 */
export async function interleave<K extends string>(contenders: Record<K, Run>, options: InterleaveOptions): Promise<Record<K, Summary>> {
  const names = Object.keys(contenders) as K[];
  const minWarmupRuns = options.minWarmupRuns ?? 1;
  const warm = new Map<K, { ms: number; runs: number }>(names.map((name) => [name, { ms: 0, runs: 0 }]));
  const cold = (): K[] => names.filter((name) => {
    const spent = warm.get(name) ?? { ms: 0, runs: 0 };
    return spent.runs < minWarmupRuns || spent.ms < options.warmupMs;
  });
  for (let pending = cold(); pending.length > 0; pending = cold()) {
    for (const name of pending) {
      const start = performance.now();
      await contenders[name](true);
      const spent = warm.get(name) ?? { ms: 0, runs: 0 };
      warm.set(name, { ms: spent.ms + performance.now() - start, runs: spent.runs + 1 });
    }
  }
  const values = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let run = 0; run < options.runs; run++) {
    // ABBA: whoever ran last in one round runs first in the next, so neither always follows the other.
    const order = run % 2 === 0 ? names : [...names].reverse();
    for (const name of order) values.get(name)?.push(await contenders[name](false));
  }
  const result = {} as Record<K, Summary>;
  for (const name of names) result[name] = summarize(values.get(name) ?? []);
  return result;
}

/**
 * A {@link Run} that calls a synchronous or async operation in batches for `ms` and returns
 * operations per second. Batches keep the clock reads out of the measured cost.
 *
 * @example
 * ```ts
 * const run = rateRun(() => decodePacket(encodePacket(packet)), 200);
 * ```
 */
export function rateRun(operation: () => unknown, ms: number, batch = 64): Run {
  return async () => {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    const isAsync = operation() instanceof Promise;
    while (elapsed < ms) {
      if (isAsync) for (let i = 0; i < batch; i++) await operation();
      else for (let i = 0; i < batch; i++) operation();
      count += batch;
      elapsed = performance.now() - start;
    }
    return (count * 1000) / elapsed;
  };
}

/**
 * Which direction of a figure is the good one: `higher` for rates, `lower` for sizes.
 *
 * @example
 * ```ts
 * const better: Better = 'lower'; // heap per connection
 * ```
 */
export type Better = 'higher' | 'lower';

/**
 * One line of the result table. `ref` is absent for a figure only one side has (the crypto floor).
 *
 * @example
 * ```ts
 * const row: Row = { scenario: 'connect', unit: 'conn/s', ours, ref, better: 'higher', notes: '' };
 * ```
 */
export interface Row {
  readonly scenario: string;
  readonly unit: string;
  readonly ours: Summary;
  readonly ref?: Summary;
  readonly better: Better;
  readonly notes: string;
  /** A goal from DESIGN §6 / the brief: the ours/ref ratio, or ours' own median, at least this. */
  readonly target?: { readonly of: 'ratio' | 'ours'; readonly atLeast: number };
}

/**
 * Formats a figure with 3-4 significant digits: `12,345`, `123.4`, `1.23`.
 *
 * @example
 * ```ts
 * formatNumber(1234.5); // '1,235'
 * ```
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // A difference of two heap readings can be a hair below zero; '-0.00' would read as a finding.
  if (Math.abs(value) < 0.005) return '0.00';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * `median [min..max] (n)`, as perf-anchor.md prints figures.
 *
 * @example
 * ```ts
 * formatSummary(summarize([1, 2, 3])); // '2.00 [1.00..3.00] (3)'
 * ```
 */
export function formatSummary(summary: Summary): string {
  return `${formatNumber(summary.median)} [${formatNumber(summary.min)}..${formatNumber(summary.max)}] (${summary.n})`;
}

/**
 * The ratio cell: ours/ref of the medians, the range of the per-run-pair ratios (how noisy the
 * comparison was; perf-anchor's A/A pairs spread 0.92-1.08), and which side is better.
 *
 * @example
 * ```ts
 * formatRatio(row); // '2.41 [2.30..2.52] ours faster'
 * ```
 */
export function formatRatio(row: Row): string {
  if (!row.ref) return '';
  const ratio = row.ours.median / row.ref.median;
  const pairs: number[] = [];
  for (let i = 0; i < Math.min(row.ours.values.length, row.ref.values.length); i++) {
    pairs.push((row.ours.values[i] ?? NaN) / (row.ref.values[i] ?? NaN));
  }
  const spread = pairs.length > 1 ? ` [${Math.min(...pairs).toFixed(2)}..${Math.max(...pairs).toFixed(2)}]` : '';
  const oursBetter = row.better === 'higher' ? ratio > 1 : ratio < 1;
  const noise = ratio > 0.93 && ratio < 1.07;
  const verdict = noise ? 'same (noise)' : row.better === 'higher' ? (oursBetter ? 'ours faster' : 'ours SLOWER') : oursBetter ? 'ours smaller' : 'ours LARGER';
  return `${ratio.toFixed(2)}${spread} ${verdict}${row.better === 'lower' ? ' (lower=better)' : ''}`;
}

/**
 * The result table, one row per figure, columns padded to fit.
 *
 * @example
 * ```ts
 * console.log(formatTable(rows));
 * ```
 */
export function formatTable(rows: readonly Row[]): string {
  const header = ['scenario', 'unit', 'ours median [min..max] (n)', 'reference 2.7.1', 'ratio ours/ref [pair range]', 'notes'];
  const cells = rows.map((row) => [row.scenario, row.unit, formatSummary(row.ours), row.ref ? formatSummary(row.ref) : '-', formatRatio(row), row.notes]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)));
  // The notes column is last and left ragged, so a long note does not widen every line.
  const line = (values: readonly string[]): string =>
    values.map((value, column) => (column === values.length - 1 ? value : value.padEnd(widths[column] ?? 0))).join(' | ').trimEnd();
  const rule = widths.map((width, column) => '-'.repeat(column === widths.length - 1 ? header[column]?.length ?? 0 : width)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/**
 * One line per row that has a target: the figure, the goal, and whether it is met.
 *
 * @example
 * ```ts
 * formatTargets(rows); // 'codec+crypto round trip: ours/ref 2.41, target >= 2.3: met'
 * ```
 */
export function formatTargets(rows: readonly Row[], quick = false): string {
  // Quick runs warm up too little for CPU-bound figures (ours' money pps climbs for ~1.5 s).
  const caveat = quick ? ' (quick run: indicative only)' : '';
  return rows
    .filter((row) => row.target)
    .map((row) => {
      const target = row.target ?? { of: 'ours', atLeast: 0 };
      const value = target.of === 'ratio' ? row.ours.median / (row.ref?.median ?? NaN) : row.ours.median;
      const what = target.of === 'ratio' ? 'ours/ref' : 'ours';
      return `${row.scenario}: ${what} ${value.toFixed(2)}, target >= ${target.atLeast}: ${value >= target.atLeast ? 'met' : 'NOT MET'}${caveat}`;
    })
    .join('\n');
}

/**
 * Prints progress to stderr, so stdout carries only the table.
 *
 * @example
 * ```ts
 * progress('money 1e7: warming up');
 * ```
 */
export function progress(message: string): void {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);
}

/**
 * Settings every scenario gets.
 *
 * @example
 * ```ts
 * const settings: BenchSettings = { quick: process.env.BENCH_QUICK === '1' };
 * ```
 */
export interface BenchSettings {
  /** `BENCH_QUICK=1`: fewer and shorter runs, smaller amounts, a ~30 s smoke run. */
  readonly quick: boolean;
}

/**
 * A named group of figures; `bench/index.ts` runs the selected ones in order.
 *
 * @example
 * ```ts
 * export const connectScenario: Scenario = { name: 'connect', run: async (settings) => [row] };
 * ```
 */
export interface Scenario {
  /** What `BENCH_ONLY` matches. */
  readonly name: string;
  run(settings: BenchSettings): Promise<Row[]>;
}
