/**
 * The exchange-rate interval of the send pipeline (RFC 29 §3.4: 29-3.4-b the rate is what arrived
 * over what was sent, in authenticated replies; checklist E29: aggregate lower and upper bounds
 * floor and (d+1)/s; E27/E28: never trust one reply to raise the estimate for good).
 */
import fc from 'fast-check';
import { RateBounds } from '../../../lib/connection/controllers/rate-bounds';
import { type Ratio, compareRatios } from '../../../lib/connection/ratio';

const r = (numerator: bigint, denominator: bigint): Ratio => ({ numerator, denominator });
/** Exact equality of two ratios as numbers (1/2 = 500/1000). */
const same = (a: Ratio | undefined, b: Ratio): boolean => a !== undefined && compareRatios(a, b) === 0;

describe('RateBounds (29-3.4-b, E29)', () => {
  it('is empty until a packet with a source amount > 0 was observed; a zero source (or negative delivery) is ignored', () => {
    const bounds = new RateBounds();
    expect(bounds.current).toBeUndefined();
    expect(bounds.observe(0n, 0n)).toBe(false);
    expect(bounds.observe(0n, 5n)).toBe(false);
    expect(bounds.observe(-3n, 1n)).toBe(false);
    expect(bounds.observe(10n, -1n)).toBe(false);
    expect(bounds.current).toBeUndefined();
  });

  it('one reply gives [delivered/source, (delivered+1)/source)', () => {
    const bounds = new RateBounds();
    expect(bounds.observe(1000n, 499n)).toBe(true);
    expect(bounds.current).toEqual({ lower: r(499n, 1000n), upper: r(500n, 1000n) });
  });

  it('narrows with every reply that tells more, and reports no change otherwise', () => {
    const bounds = new RateBounds();
    bounds.observe(1000n, 499n); // [0.499, 0.5)
    expect(bounds.observe(3000n, 1499n)).toBe(true); // [0.49966…, 0.5)
    expect(same(bounds.current?.lower, r(1499n, 3000n))).toBe(true);
    expect(same(bounds.current?.upper, r(1n, 2n))).toBe(true);
    // 1000 → 499 again says nothing new.
    expect(bounds.observe(1000n, 499n)).toBe(false);
    // 7 → 3: [0.4286, 0.5714): nothing new either.
    expect(bounds.observe(7n, 3n)).toBe(false);
    // 10,000 → 4999: [0.4999, 0.5): a tighter lower bound.
    expect(bounds.observe(10_000n, 4999n)).toBe(true);
    expect(same(bounds.current?.lower, r(4999n, 10_000n))).toBe(true);
    expect(same(bounds.current?.upper, r(1n, 2n))).toBe(true);
  });

  it('narrows the upper bound too when a reply says so', () => {
    const bounds = new RateBounds();
    bounds.observe(10n, 3n); // [0.3, 0.4)
    expect(bounds.observe(100n, 33n)).toBe(true); // [0.33, 0.34)
    expect(bounds.current).toEqual({ lower: r(33n, 100n), upper: r(34n, 100n) });
  });

  it('a reply outside the interval means the rate moved: the interval restarts from that reply alone', () => {
    const bounds = new RateBounds();
    bounds.observe(1000n, 500n); // [0.5, 0.501)
    // The rate dropped to 0.3.
    expect(bounds.observe(1000n, 300n)).toBe(true);
    expect(bounds.current).toEqual({ lower: r(300n, 1000n), upper: r(301n, 1000n) });
    // And rose to 0.7.
    expect(bounds.observe(10n, 7n)).toBe(true);
    expect(bounds.current).toEqual({ lower: r(7n, 10n), upper: r(8n, 10n) });
  });

  it('touching intervals do not overlap (half-open): [0.5, 0.6) then [0.6, 0.7) restarts', () => {
    const bounds = new RateBounds();
    bounds.observe(10n, 5n);
    expect(bounds.observe(10n, 6n)).toBe(true);
    expect(bounds.current).toEqual({ lower: r(6n, 10n), upper: r(7n, 10n) });
    expect(bounds.observe(10n, 5n)).toBe(true);
    expect(bounds.current).toEqual({ lower: r(5n, 10n), upper: r(6n, 10n) });
  });

  it('property: at a fixed hidden rate p/q with delivered = floor(a·p/q), the interval always contains the rate and only narrows', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 60 }),
        (p, q, amounts) => {
          const rate = r(p, q);
          const bounds = new RateBounds();
          let previous = bounds.current;
          for (const amount of amounts) {
            const delivered = (amount * p) / q;
            const changed = bounds.observe(amount, delivered);
            const now = bounds.current;
            if (amount === 0n) {
              expect(changed).toBe(false);
              expect(now).toBe(previous);
              continue;
            }
            expect(now).toBeDefined();
            // lower <= rate < upper, exactly.
            expect(compareRatios(now!.lower, rate)).toBeLessThanOrEqual(0);
            expect(compareRatios(rate, now!.upper)).toBeLessThan(0);
            if (previous) {
              // Only narrows: the lower bound never falls, the upper never rises.
              expect(compareRatios(now!.lower, previous.lower)).toBeGreaterThanOrEqual(0);
              expect(compareRatios(now!.upper, previous.upper)).toBeLessThanOrEqual(0);
              const narrowed = compareRatios(now!.lower, previous.lower) > 0 || compareRatios(now!.upper, previous.upper) < 0;
              expect(changed).toBe(narrowed);
            } else {
              expect(changed).toBe(true);
            }
            previous = now;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: the interval is exactly the intersection of every reply since the last restart', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10_000n }), fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 30 }), (p, q, amounts) => {
        const bounds = new RateBounds();
        for (const amount of amounts) bounds.observe(amount, (amount * p) / q);
        // Largest d/a and smallest (d+1)/a over all replies.
        let lower = r(0n, 1n);
        let upper: Ratio | undefined;
        for (const amount of amounts) {
          const d = (amount * p) / q;
          if (compareRatios(r(d, amount), lower) > 0) lower = r(d, amount);
          if (!upper || compareRatios(r(d + 1n, amount), upper) < 0) upper = r(d + 1n, amount);
        }
        expect(same(bounds.current?.lower, lower)).toBe(true);
        expect(same(bounds.current?.upper, upper!)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
