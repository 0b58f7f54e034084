/**
 * The simulated wire's timing: one trip across it takes `latency` ms on the scheduler, or no time
 * at all at latency 0. Kept out of the connector because it is about time, not about packets.
 *
 * @example
 * ```ts
 * const hop = latencyHop(scheduler, 10);
 * hop(() => arrive(packet)); // runs 10 ms later on `scheduler`
 * ```
 */
import type { SchedulerLike } from 'rxjs';

/**
 * Runs `step` on the far side of the wire.
 *
 * @example
 * ```ts
 * const hop: Hop = latencyHop(scheduler, latency);
 * hop(() => settle(packet));
 * ```
 */
export type Hop = (step: () => void) => void;

/**
 * One trip across the wire: none at latency 0 (the step runs at once, synchronously), else
 * `latency` ms on the scheduler. Steps that set off in the same millisecond (the scheduler's
 * resolution) travel in one batch on one timer, in the order they left: a window of packets costs
 * one timer, not one each, so the simulated wire does not eat the CPU the endpoints are measured on.
 *
 * @param scheduler - clock and timer of the trips
 * @param latency - one-way latency in ms, fixed for the life of the hop
 * @returns the hop; each call of `latencyHop` has its own batch
 *
 * @example
 * ```ts
 * const hop = latencyHop(testScheduler, 5);
 * hop(first);
 * hop(second); // same millisecond: rides first's timer, runs right after it
 * ```
 */
export function latencyHop(scheduler: SchedulerLike, latency: number): Hop {
  if (latency === 0) return (step) => step();
  let batch: { readonly departure: number; readonly steps: Array<() => void> } | undefined;
  return (step) => {
    const departure = scheduler.now();
    if (batch && batch.departure === departure) {
      batch.steps.push(step);
      return;
    }
    const current = { departure, steps: [step] };
    batch = current;
    scheduler.schedule(() => {
      if (batch === current) batch = undefined;
      for (const next of current.steps) next();
    }, latency);
  };
}
