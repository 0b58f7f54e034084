/**
 * When a fault applies: a probability, every n-th packet, a window of time, a direction, a
 * predicate, a limit; all optional, all combined with "and". This is what lets a test place a
 * fault exactly (`{ every: 3 }`) or scatter it from a seed (`{ probability: 0.1 }`).
 *
 * @example
 * ```ts
 * dropPrepare({ from: 1_000, until: 2_000, probability: 0.5 });
 * ```
 */
import { defer, type Observable } from 'rxjs';
import type { IlpPrepare, IlpReply } from '../../ilp';
import { MemoryNetworkError } from '../errors';
import type { FaultDirection } from './direction';
import type { FaultEvent, FaultEventKind } from './ledger';
import type { Fault, FaultContext, Forward } from './types';

/** When a fault applies; every field is optional and they combine with "and". */
export interface FaultWhen {
  /** Chance per candidate packet, 0..1, drawn from the seeded source. Default 1. */
  probability?: number;
  /** Only every n-th candidate (the n-th, 2n-th, ...), counted before the probability. */
  every?: number;
  /** Only from this many ms after the faults were installed (inclusive). */
  from?: number;
  /** Only before this many ms after the faults were installed (exclusive). */
  until?: number;
  /** Only Prepares going this way. */
  direction?: FaultDirection;
  /** Only Prepares this predicate accepts. */
  match?: (prepare: IlpPrepare, ctx: FaultContext) => boolean;
  /** At most this many times in all. */
  limit?: number;
}

/** Decides, packet by packet, whether a fault applies; holds the counters of one installation. */
export type FaultMatcher = (prepare: IlpPrepare, ctx: FaultContext) => boolean;

function invalid(fault: string, detail: string): MemoryNetworkError {
  return new MemoryNetworkError('INVALID_OPTION', `${fault}: ${detail}`);
}

/**
 * Validates `when` (throws {@link MemoryNetworkError} `INVALID_OPTION` naming `fault`) and returns
 * a factory of matchers: call it once per installation, so counters are not shared.
 *
 * @example
 * ```ts
 * const makeMatcher = faultWhen({ every: 2 }, 'dropPrepare');
 * const applies = makeMatcher();
 * applies(prepare, ctx); // false, then true, false, true...
 * ```
 */
export function faultWhen(when: FaultWhen | undefined, fault: string): () => FaultMatcher {
  const w = when ?? {};
  if (typeof w !== 'object' || w === null) throw invalid(fault, 'options must be an object');
  const probability = w.probability ?? 1;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) throw invalid(fault, `probability must be in 0..1, got ${String(probability)}`);
  const every = w.every ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) throw invalid(fault, `every must be an integer >= 1, got ${String(every)}`);
  const from = w.from ?? 0;
  const until = w.until ?? Infinity;
  if (typeof from !== 'number' || typeof until !== 'number' || Number.isNaN(from) || Number.isNaN(until) || until < from) {
    throw invalid(fault, `from/until must be numbers with from <= until, got ${String(w.from)}..${String(w.until)}`);
  }
  const limit = w.limit ?? Infinity;
  if (typeof limit !== 'number' || Number.isNaN(limit) || limit < 0) throw invalid(fault, `limit must be >= 0, got ${String(limit)}`);
  if (w.match !== undefined && typeof w.match !== 'function') throw invalid(fault, 'match must be a function');
  const { direction, match } = w;
  return () => {
    let candidates = 0;
    let applied = 0;
    return (prepare, ctx) => {
      if (direction !== undefined && ctx.direction !== direction) return false;
      const elapsed = ctx.elapsed();
      if (elapsed < from || elapsed >= until) return false;
      if (match && !match(prepare, ctx)) return false;
      candidates += 1;
      if (candidates % every !== 0) return false;
      if (probability < 1 && !ctx.random.chance(probability)) return false;
      if (applied >= limit) return false;
      applied += 1;
      return true;
    };
  };
}

/**
 * Records `kind` for the Prepare in `ctx` in the context's ledger.
 *
 * @example
 * ```ts
 * recordFault(ctx, 'droppedPrepare', prepare.amount);
 * ```
 */
export function recordFault(
  ctx: FaultContext,
  kind: FaultEventKind,
  amount = 0n,
  extra: Pick<FaultEvent, 'prepare' | 'detail'> = {},
): void {
  ctx.ledger.record({ kind, direction: ctx.direction, packet: ctx.packet.id, atMs: ctx.elapsed(), amount, ...extra });
}

/**
 * A fault that acts on the Prepares `when` selects and passes every other one on untouched.
 * Each installation counts its own candidates (`every`, `limit`); `act` gets the next hop, to
 * forward (changed, delayed, twice) or not at all.
 *
 * @example
 * ```ts
 * const dropAll = selectiveFault({ every: 2 }, 'myDrop', (prepare, ctx) => expiryReject(prepare, ctx, 'lost'));
 * ```
 */
export function selectiveFault(
  when: FaultWhen | undefined,
  name: string,
  act: (prepare: IlpPrepare, ctx: FaultContext, next: Forward) => Observable<IlpReply>,
): Fault {
  const matcher = faultWhen(when, name);
  return (next) => {
    const applies = matcher();
    return (prepare, ctx) => defer(() => (applies(prepare, ctx) ? act(prepare, ctx, next) : next(prepare, ctx)));
  };
}
