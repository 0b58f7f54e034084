/**
 * A small seeded PRNG for the server fuzzer: the same seed gives the same inputs on every machine,
 * so a failure printed with its seed and input index can be replayed exactly.
 *
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, public domain), seeded through
 * splitmix32 so that nearby seeds give unrelated streams.
 *
 * @example
 * ```ts
 * const random = new Random(42);
 * random.int(6);        // 0..5
 * random.bytes(4);      // <Buffer ...>
 * random.u64();         // a bigint in 0..2^64-1, biased towards the edges
 * ```
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform integer in 0..n-1 (n <= 2^32). */
  int(n: number): number {
    return Math.floor((this.uint32() / 0x1_0000_0000) * n);
  }

  /** An integer in min..max inclusive. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uint32() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** n random bytes. */
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.uint32() & 0xff;
    return out;
  }

  /** A uniform u64. */
  uniformU64(): bigint {
    return (BigInt(this.uint32()) << 32n) | BigInt(this.uint32());
  }

  /** A u64 that is often an edge value: 0, 1, 2^k ± 1, 2^53 + 1, 2^63, 2^64 - 1. */
  u64(): bigint {
    switch (this.int(5)) {
      case 0:
        return this.pick([0n, 1n, 2n ** 31n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]);
      case 1: {
        const k = BigInt(this.range(1, 64));
        return 2n ** k - 1n;
      }
      case 2:
        return BigInt(this.int(1000));
      default:
        return this.uniformU64();
    }
  }
}

/**
 * The seed for this run: FUZZ_SEED if set, otherwise a fresh one (printed with any failure).
 *
 * @example
 * ```ts
 * fuzzSeed({ FUZZ_SEED: '42' }); // 42
 * ```
 */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['FUZZ_SEED'];
  if (raw !== undefined && raw !== '') {
    const seed = Number(raw);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`FUZZ_SEED must be an integer in 0..2^32-1, got ${raw}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x1_0000_0000);
}

/**
 * How many Prepares to send: FUZZ_PREPARES if set, otherwise `fallback`.
 *
 * @example
 * ```ts
 * fuzzCount(100_000, {}); // 100000
 * fuzzCount(100_000, { FUZZ_PREPARES: '500' }); // 500
 * ```
 */
export function fuzzCount(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['FUZZ_PREPARES'];
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`FUZZ_PREPARES must be a positive integer, got ${raw}`);
  return count;
}
