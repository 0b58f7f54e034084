/**
 * What the money-moving scenarios (money, receiver) share: the shape of one latency variant and
 * the notes about the packets each run moved.
 *
 * @example
 * ```ts
 * const details: RunDetail[] = [];
 * // ... each timed run pushes { packets, ms } ...
 * describeRuns(details); // "1,000 pkts in 119 ms"
 * ```
 */
import { formatNumber, summarize } from '../harness';

/** One row of a money-moving scenario: how much, at which one-way latency, how many runs. */
export interface LatencyVariant {
  readonly label: string;
  readonly amount: number;
  /** Warm-up runs send this much instead: latency-bound runs only need the code paths run. */
  readonly warmupAmount: number;
  readonly latency: number;
  readonly warmupMs: number;
  readonly runs: number;
  /** Appended to the row's notes (an anchor figure, or why the amount differs). */
  readonly note: string;
}

/** What one timed run saw, for the notes. */
export interface RunDetail {
  readonly packets: number;
  readonly ms: number;
}

/**
 * "N pkts in M ms": the packets of the first run and the median time.
 *
 * @example
 * ```ts
 * describeRuns([{ packets: 1000, ms: 120 }, { packets: 1000, ms: 118 }]) // "1,000 pkts in 119 ms"
 * ```
 */
export function describeRuns(details: readonly RunDetail[]): string {
  const packets = details[0]?.packets ?? 0;
  return `${packets.toLocaleString('en-US')} pkts in ${formatNumber(summarize(details.map((d) => d.ms)).median)} ms`;
}
