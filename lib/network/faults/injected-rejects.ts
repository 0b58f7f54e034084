/**
 * Faults that answer in the receiver's place: bursts of temporary rejects (T04 by default), and a
 * max packet amount (F08 with RFC data) that changes over time or packet count.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [rejectBurst({ length: 5, probability: 0.02 })], seed: 9 });
 * ```
 */
import { defer, of } from 'rxjs';
import { ilpReject, rejectF08 } from '../../ilp';
import { MemoryNetworkError } from '../errors';
import { resolveMaxPacketAmount } from '../max-packet-amount';
import type { Fault } from './types';
import { faultWhen, type FaultWhen, recordFault } from './when';

/** Options of {@link rejectBurst}: when a burst starts, its code and its length. */
export interface RejectBurstOptions extends FaultWhen {
  /** The reject code, three characters. Default `T04` (insufficient liquidity). */
  code?: string;
  /** How many consecutive Prepares (the triggering one included) are rejected. Default 3. */
  length?: number;
}

/**
 * Starts a burst of rejects whenever `when` matches: that Prepare and the next `length - 1` are
 * answered with `code` without reaching the receiver. Records `injectedReject`.
 *
 * @example
 * ```ts
 * // Prepares 4, 5 and 6 get T04
 * createPluginPair({ faults: [rejectBurst({ match: (p, ctx) => ctx.packet.id === 4, length: 3 })] });
 * ```
 */
export function rejectBurst(options: RejectBurstOptions = {}): Fault {
  const code = options.code ?? 'T04';
  if (typeof code !== 'string' || !/^[A-Z][0-9A-Z]{2}$/.test(code)) throw new MemoryNetworkError('INVALID_OPTION', `rejectBurst: code must be like T04, got ${String(code)}`);
  const length = options.length ?? 3;
  if (!Number.isSafeInteger(length) || length < 1) throw new MemoryNetworkError('INVALID_OPTION', `rejectBurst: length must be an integer >= 1, got ${String(length)}`);
  const matcher = faultWhen(options, 'rejectBurst');
  return (next) => {
    const starts = matcher();
    let remaining = 0;
    return (prepare, ctx) =>
      defer(() => {
        if (remaining === 0 && starts(prepare, ctx)) remaining = length;
        if (remaining === 0) return next(prepare, ctx);
        remaining -= 1;
        recordFault(ctx, 'injectedReject', prepare.amount, { detail: code });
        return of(ilpReject(code, 'injected by rejectBurst', undefined, ctx.triggeredBy));
      });
  };
}

/** One step of a {@link maxPacketAmountSchedule}. */
export interface MaxPacketAmountStep {
  /** In force from this many ms after installation. Default 0. */
  from?: number;
  /** ... and once this many Prepares have passed the fault. Default 0. */
  afterPackets?: number;
  /** The max packet amount, in the units of the Prepares at this point of the path. */
  max: bigint | number | string;
}

/**
 * A max packet amount that changes mid-payment: the last step whose `from` and `afterPackets`
 * have both been reached is in force, and a larger Prepare gets F08 with `receivedAmount |
 * maximumAmount` data (RFC 27 §F08) without reaching the receiver. Before the first step applies
 * there is no limit. Records `injectedReject` (detail `F08`).
 *
 * In the memory network the faults sit after the exchange rate, so amounts are the receiver's units, as a
 * connector further down the path would report them.
 *
 * @example
 * ```ts
 * maxPacketAmountSchedule([{ max: 1000n }, { from: 500, max: 300n }, { afterPackets: 40, max: 2000n }]);
 * ```
 */
export function maxPacketAmountSchedule(steps: readonly MaxPacketAmountStep[], when?: FaultWhen): Fault {
  if (!Array.isArray(steps) || steps.length === 0) throw new MemoryNetworkError('INVALID_OPTION', 'maxPacketAmountSchedule: steps must be a non-empty array');
  const resolved = steps.map((step, i) => {
    const from = step.from ?? 0;
    const afterPackets = step.afterPackets ?? 0;
    if (typeof from !== 'number' || Number.isNaN(from) || !Number.isSafeInteger(afterPackets) || afterPackets < 0) {
      throw new MemoryNetworkError('INVALID_OPTION', `maxPacketAmountSchedule: steps[${i}] needs a numeric from and an integer afterPackets >= 0`);
    }
    return { from, afterPackets, max: resolveMaxPacketAmount(step.max, `maxPacketAmountSchedule: steps[${i}].max`) };
  });
  const matcher = faultWhen(when, 'maxPacketAmountSchedule');
  return (next) => {
    const applies = matcher();
    let passed = 0;
    return (prepare, ctx) =>
      defer(() => {
        if (!applies(prepare, ctx)) return next(prepare, ctx);
        const elapsed = ctx.elapsed();
        let max: bigint | undefined;
        for (const step of resolved) if (elapsed >= step.from && passed >= step.afterPackets) max = step.max;
        passed += 1;
        if (max === undefined || prepare.amount <= max) return next(prepare, ctx);
        recordFault(ctx, 'injectedReject', prepare.amount, { detail: `F08 max ${max}` });
        return of(rejectF08(prepare.amount, max, ctx.triggeredBy));
      });
  };
}
