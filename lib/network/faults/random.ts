/**
 * A tiny seeded pseudo-random source (mulberry32: 32 bits of state, one multiply-xorshift round
 * per draw). Not for cryptography: it exists so that a fault schedule is a pure function of its
 * seed, and a failing property test can be replayed from the seed it printed.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random.int(0, 9); // the same digit on every run
 * ```
 */

/** Draws from one seeded sequence; every method advances it. */
export interface RandomSource {
  /** The seed the sequence started from (as an unsigned 32-bit integer). */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p` (a draw is made even for 0 and 1, so later draws never shift). */
  chance(p: number): boolean;
  /** `length` random bytes. */
  bytes(length: number): Buffer;
  /** An element of `items`, which must not be empty. */
  pick<T>(items: readonly T[]): T;
}

/**
 * Creates a {@link RandomSource} from `seed`. Any number is accepted and folded to 32 bits, so
 * `seededRandom(7)` and `seededRandom(7 + 2 ** 32)` are the same sequence.
 *
 * @param seed - any finite number; non-integers are truncated
 * @returns a fresh source; two sources from one seed draw the same values
 *
 * @example
 * ```ts
 * const a = seededRandom(1), b = seededRandom(1);
 * a.next() === b.next(); // true
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${String(seed)}`);
  const start = Math.trunc(seed) >>> 0;
  let state = start;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`int(${min}, ${max}): need integers with min <= max`);
    return min + Math.floor(next() * (max - min + 1));
  };
  return {
    seed: start,
    next,
    int,
    // Always draws, so changing one probability does not shift every later draw of the schedule.
    chance: (p) => next() < p,
    bytes: (length) => {
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i += 1) out[i] = int(0, 255);
      return out;
    },
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item');
      return items[int(0, items.length - 1)] as (typeof items)[number];
    },
  };
}
