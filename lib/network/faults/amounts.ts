/**
 * Faults on the amount: an exchange rate that moves during a payment, and a connector that keeps
 * more than the sender's slippage allows. Both rewrite the Prepare's amount on its way to the
 * receiver; the STREAM receiver then rejects what fell below the sender's minimum (RFC 29 §5.2).
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [rateMoves([{ from: 1_000, rate: '0.98' }]), skim({ fraction: 0.02, probability: 0.1 })] });
 * ```
 */
import { defer, of } from 'rxjs';
import { rejectF08 } from '../../ilp';
import { MAX_U64 } from '../../wire/types';
import { MemoryNetworkError } from '../errors';
import { convertAmount, type ExactRate, maxConvertibleAmount, parseExchangeRate } from '../exchange-rate';
import type { Fault } from './types';
import { type FaultWhen, recordFault, selectiveFault } from './when';

/** One step of {@link rateMoves}. */
export interface RateStep {
  /** In force from this many ms after installation. Default 0. */
  from?: number;
  /** ... and once this many Prepares have passed the fault. Default 0. */
  afterPackets?: number;
  /** Multiplier on top of the network's rate, as `exchangeRate` accepts it (`0.98`, `'99/100'`). */
  rate: number | string;
}

/**
 * Moves the exchange rate mid-payment: the last step reached (by time and packet count) multiplies
 * every amount, floored, on top of the network's own rate; before the first step, amounts pass
 * unchanged. Records `rateMoved` (amount: what the move took off, negative for a gain) when an
 * amount changes; an amount pushed past 2^64-1 gets F08.
 *
 * @example
 * ```ts
 * rateMoves([{ from: 500, rate: '1.05' }, { from: 2_000, rate: '0.9' }]);
 * ```
 */
export function rateMoves(steps: readonly RateStep[]): Fault {
  if (!Array.isArray(steps) || steps.length === 0) throw new MemoryNetworkError('INVALID_OPTION', 'rateMoves: steps must be a non-empty array');
  const resolved = steps.map((step, i) => {
    const from = step.from ?? 0;
    const afterPackets = step.afterPackets ?? 0;
    if (typeof from !== 'number' || Number.isNaN(from) || !Number.isSafeInteger(afterPackets) || afterPackets < 0) {
      throw new MemoryNetworkError('INVALID_OPTION', `rateMoves: steps[${i}] needs a numeric from and an integer afterPackets >= 0`);
    }
    return { from, afterPackets, rate: parseExchangeRate(step.rate, `rateMoves: steps[${i}].rate`), text: String(step.rate) };
  });
  return (next) => {
    let passed = 0;
    return (prepare, ctx) =>
      defer(() => {
        const elapsed = ctx.elapsed();
        let current: { rate: ExactRate; text: string } | undefined;
        for (const step of resolved) if (elapsed >= step.from && passed >= step.afterPackets) current = step;
        passed += 1;
        if (!current) return next(prepare, ctx);
        const amount = convertAmount(prepare.amount, current.rate);
        // Past u64 a connector cannot forward it: that is an F08, as in the network's own conversion.
        if (amount > MAX_U64) return of(rejectF08(prepare.amount, maxConvertibleAmount(current.rate), ctx.triggeredBy));
        if (amount !== prepare.amount) recordFault(ctx, 'rateMoved', prepare.amount - amount, { detail: current.text });
        return next({ ...prepare, amount }, ctx);
      });
  };
}

/** Options of {@link skim}: how much to keep, and when. */
export interface SkimOptions extends FaultWhen {
  /** Fraction of the amount kept (floored), as `exchangeRate` accepts it: `0.02`, `'1/50'`. Default 0. */
  fraction?: number | string;
  /** Units kept on top of the fraction (never more than the amount). Default 0. */
  units?: bigint | number;
}

/**
 * A connector that keeps more than it should: the matching Prepares reach the receiver with
 * `units + floor(amount x fraction)` less. Records `skimmed` with the amount kept.
 *
 * @example
 * ```ts
 * skim({ fraction: '1/10', probability: 0.2 }); // 10 % off one Prepare in five
 * ```
 */
export function skim(options: SkimOptions = {}): Fault {
  const fraction = options.fraction === undefined || options.fraction === 0 ? { numerator: 0n, denominator: 1n } : parseExchangeRate(options.fraction, 'skim: fraction');
  if (fraction.numerator > fraction.denominator) throw new MemoryNetworkError('INVALID_OPTION', 'skim: fraction must be at most 1');
  const units = options.units ?? 0;
  if (!(typeof units === 'bigint' ? units >= 0n : Number.isSafeInteger(units) && units >= 0)) {
    throw new MemoryNetworkError('INVALID_OPTION', `skim: units must be an integer >= 0, got ${String(units)}`);
  }
  const fixed = BigInt(units);
  return selectiveFault(options, 'skim', (prepare, ctx, next) => {
    const wanted = fixed + convertAmount(prepare.amount, fraction);
    const kept = wanted < prepare.amount ? wanted : prepare.amount;
    recordFault(ctx, 'skimmed', kept);
    return next({ ...prepare, amount: prepare.amount - kept }, ctx);
  });
}
