/**
 * The max packet amount of the send pipeline, learned from F08 rejects (RFC 27 §error codes,
 * checklist 27-F08-a: senders MAY retry smaller and must handle missing or garbage data; E30:
 * floor(sent × max / received) in bigint, a binary search when there is no data, and a path max of
 * 0 ends the payment).
 */
import fc from 'fast-check';
import { MaxPacketAmount } from '../../../lib/connection/controllers/max-packet-amount';

const MAX_U64 = 2n ** 64n - 1n;

/** Number of bits of `n` (ceil(log2(n + 1))). */
const bitLength = (n: bigint): number => n.toString(2).length;

/** A search from `initial` takes about log2(initial) halvings plus log2(limit) bisection steps: at most this many. */
const stepBound = (initial: bigint): number => 2 * bitLength(initial) + 2;

/** A hidden path limit and a configured maximum at or above it, both in 1..2^64 - 1. */
const limitAndInitial = fc
  .tuple(fc.bigInt({ min: 1n, max: MAX_U64 }), fc.bigInt({ min: 1n, max: MAX_U64 }))
  .map(([a, b]) => (a <= b ? { limit: a, initial: b } : { limit: b, initial: a }));

/** What a MaxPacketAmount says about the path. */
type State = Pick<MaxPacketAmount, 'budget' | 'isPrecise' | 'verifiedAmount'>;

/** Checks the fields of `max` that `expected` names (the others are not looked at). */
function expectState(max: MaxPacketAmount, expected: Partial<State>): void {
  const actual: State = { budget: max.budget, isPrecise: max.isPrecise, verifiedAmount: max.verifiedAmount };
  expect(actual).toMatchObject(expected);
}

/**
 * Runs the search against a simulated path that forwards at most `limit` and answers F08 without
 * data above it: each step sends one packet of `budget`. Stops once the limit is known precisely.
 */
function search(max: MaxPacketAmount, limit: bigint, maxSteps = 1_000): { f08s: number; steps: number; sent: bigint[] } {
  let f08s = 0;
  let steps = 0;
  const sent: bigint[] = [];
  while (!max.isPrecise && steps < maxSteps) {
    const amount = max.budget;
    if (amount === 0n) break;
    sent.push(amount);
    steps += 1;
    if (amount <= limit) max.onDelivered(amount);
    else {
      f08s += 1;
      max.onTooLarge(amount, undefined);
    }
  }
  return { f08s, steps, sent };
}

describe('MaxPacketAmount (27-F08-a, E30)', () => {
  it('starts at the configured maximum, not yet precise', () => {
    expectState(new MaxPacketAmount(10_000n), { budget: 10_000n, verifiedAmount: 0n, isPrecise: false });
  });

  it('E30: an F08 with data gives the limit exactly (floor(sent × max / received), scaled to source units)', () => {
    const max = new MaxPacketAmount(MAX_U64);
    // f08ExactMaxInSource already scaled it: 10,000 sent, the hop allowed 350 of the 5,000 it received → 700.
    max.onTooLarge(10_000n, 700n);
    expectState(max, { budget: 700n, isPrecise: true });
    max.onDelivered(700n);
    expect(max.budget).toBe(700n);
  });

  it('E30: a later F08 with a smaller exact limit (a second hop) lowers it again; a larger one does not raise it', () => {
    const max = new MaxPacketAmount(MAX_U64);
    max.onTooLarge(10_000n, 700n);
    max.onDelivered(700n);
    max.onTooLarge(700n, 300n);
    expectState(max, { budget: 300n, isPrecise: true });
    max.onTooLarge(300n, 500n);
    expect(max.budget).toBe(300n);
  });

  it('an amount that got through raises a stale upper bound to it', () => {
    const max = new MaxPacketAmount(500n);
    max.onDelivered(800n);
    expectState(max, { verifiedAmount: 800n, budget: 800n });
  });

  it('E30: an F08 without data before anything got through halves, so the search takes log2 steps, not one per unit', () => {
    const max = new MaxPacketAmount(10_000n);
    max.onTooLarge(10_000n, undefined);
    expectState(max, { budget: 5_000n, isPrecise: false });
    max.onTooLarge(5_000n, undefined);
    expect(max.budget).toBe(2_500n);
  });

  it('E30: once something got through, an F08 without data bisects between what got through and what failed', () => {
    const max = new MaxPacketAmount(1_000n);
    max.onDelivered(400n);
    // Between 400 (through) and 1000 (not known to fail yet): try the middle, rounded up.
    expect(max.budget).toBe(700n);
    max.onTooLarge(700n, undefined);
    // Now between 400 and 699.
    expect(max.budget).toBe(550n);
    max.onDelivered(550n);
    expectState(max, { budget: 625n, isPrecise: false });
  });

  it('the budget is 0 when the path carries nothing (F08 data saying maximum 0, or no data on a 1-unit packet)', () => {
    const exact = new MaxPacketAmount(MAX_U64);
    exact.onTooLarge(1_000n, 0n);
    expectState(exact, { budget: 0n, isPrecise: true });
    const halved = new MaxPacketAmount(1n);
    halved.onTooLarge(1n, undefined);
    expect(halved.budget).toBe(0n);
  });

  it('a hop that lowers its limit after packets got through restarts the search (an amount verified before now fails)', () => {
    const max = new MaxPacketAmount(1_000n);
    max.onDelivered(1_000n);
    expect(max.isPrecise).toBe(true);
    max.onTooLarge(1_000n, undefined);
    expectState(max, { isPrecise: false, verifiedAmount: 0n });
    expect(max.budget).toBeLessThan(1_000n);
    expect(max.budget).toBeGreaterThan(0n);
  });

  it('a hop that lowers its limit with F08 data after packets got through is obeyed at once', () => {
    const max = new MaxPacketAmount(MAX_U64);
    max.onTooLarge(1_000_000n, 700n);
    max.onDelivered(700n);
    max.onTooLarge(700n, 300n);
    expectState(max, { budget: 300n, verifiedAmount: 0n });
  });

  it('E30 (safety): a search without F08 data never settles above the hidden limit, and always ends', () => {
    fc.assert(
      fc.property(limitAndInitial, ({ limit, initial }) => {
        const max = new MaxPacketAmount(initial);
        const { steps } = search(max, limit);
        expect(max.isPrecise).toBe(true);
        expect(max.budget).toBeGreaterThan(0n);
        expect(max.budget).toBeLessThanOrEqual(limit);
        expect(steps).toBeLessThanOrEqual(stepBound(initial));
      }),
      { numRuns: 500 },
    );
  });

  // Bisection between the largest amount that got through and the smallest that failed converges
  // to the limit itself in about log2(initial) halvings plus log2(limit) bisection steps.
  it('E30: a search without F08 data converges to the true hidden limit within ~2·log2 steps (examples)', () => {
    for (const [initial, limit] of [
      [10_000n, 613n],
      [10_000n, 7_000n],
      [1_000n, 613n],
      [MAX_U64, 613n],
      [MAX_U64, 10n ** 12n + 7n],
    ] as const) {
      const max = new MaxPacketAmount(initial);
      const { steps } = search(max, limit);
      expect({ initial, limit, budget: max.budget }).toEqual({ initial, limit, budget: limit });
      expect(steps).toBeLessThanOrEqual(stepBound(initial));
    }
  });

  it('E30 (property): a search without F08 data converges to the true hidden limit within ~2·log2 steps', () => {
    fc.assert(
      fc.property(limitAndInitial, ({ limit, initial }) => {
        const max = new MaxPacketAmount(initial);
        const { steps } = search(max, limit);
        expect(max.budget).toBe(limit);
        expect(steps).toBeLessThanOrEqual(stepBound(initial));
      }),
      { numRuns: 300 },
    );
  });

  it('E30 (property): after a hop lowers its limit, the restarted search converges to the new limit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (first, second) => {
        fc.pre(second < first);
        const max = new MaxPacketAmount(first);
        max.onDelivered(first);
        expect(max.budget).toBe(first);
        // The hop lowers its limit to `second`: the next packet of `first` meets F08 without data.
        max.onTooLarge(first, undefined);
        const { steps } = search(max, second);
        expect(max.budget).toBe(second);
        expect(steps).toBeLessThanOrEqual(stepBound(first));
      }),
      { numRuns: 300 },
    );
  });
});
