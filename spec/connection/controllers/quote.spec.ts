/**
 * Quotes (RFC 29 §3.4: 29-3.4-a judge amounts in our own units at the calculated path rate,
 * 29-3.4-c probe first; checklist E29): what an amount is expected to deliver when every packet is
 * rounded down on its own by the connectors, and the least it can deliver at the minimum rate.
 */
import fc from 'fast-check';
import { computeQuote } from '../../../lib/connection/controllers/quote';
import { type Ratio, multiplyFloor } from '../../../lib/connection/ratio';
import type { ExchangeRate } from '../../../lib/connection/types';

const ratio = (numerator: bigint, denominator: bigint): Ratio => ({ numerator, denominator });

function exchangeRate(rate: Ratio, minimum: Ratio): ExchangeRate {
  return { rate, minimum, lowerBound: rate, upperBound: ratio(rate.numerator + 1n, rate.denominator), value: Number(rate.numerator) / Number(rate.denominator) };
}

describe('computeQuote (29-3.4-a, 29-3.4-c, E29)', () => {
  it('rounds packet by packet: 10 packets of 1,000 at 0.4999 deliver 10 × 499, not floor(10,000 × 0.4999)', () => {
    const rate = exchangeRate(ratio(4999n, 10_000n), ratio(4949n, 10_000n));
    const quote = computeQuote(10_000n, 1_000n, rate);
    expect(quote.packets).toBe(10n);
    expect(quote.estimatedDelivery).toBe(4_990n);
    expect(quote.estimatedDelivery).toBeLessThan(multiplyFloor(10_000n, rate.rate));
    expect(quote.minDelivery).toBe(10n * 494n);
    expect(quote.sourceAmount).toBe(10_000n);
    expect(quote.maxPacketAmount).toBe(1_000n);
    expect(quote.exchangeRate).toBe(rate);
  });

  it('an exact multiple takes no remainder packet; an amount below one packet takes one', () => {
    const rate = exchangeRate(ratio(3n, 1n), ratio(2n, 1n));
    expect(computeQuote(4_000n, 1_000n, rate)).toMatchObject({ packets: 4n, estimatedDelivery: 12_000n, minDelivery: 8_000n });
    expect(computeQuote(999n, 1_000n, rate)).toMatchObject({ packets: 1n, estimatedDelivery: 2_997n, minDelivery: 1_998n });
    expect(computeQuote(1_001n, 1_000n, rate)).toMatchObject({ packets: 2n, estimatedDelivery: 3_003n, minDelivery: 2_002n });
  });

  const MAX_U64 = 2n ** 64n - 1n;

  it.each([
    {
      title: 'a remainder takes one more packet, rounded on its own: 10,500 at max 1,000 and 0.5 is 11 packets, 5,250',
      amount: 10_500n,
      max: 1_000n,
      rate: ratio(1n, 2n),
      minimum: ratio(99n, 200n),
      // minDelivery at the minimum ratio 0.495, also per packet: 10 × floor(495) + floor(247.5).
      expected: { packets: 11n, estimatedDelivery: 10n * 500n + 250n, minDelivery: 10n * 495n + 247n },
    },
    {
      title: 'a remainder that rounds to nothing still counts as a packet but adds no delivery',
      amount: 2_003n,
      max: 1_000n,
      rate: ratio(1n, 7n),
      minimum: ratio(1n, 8n),
      // 3 units at 1/7: floor(3/7) = 0.
      expected: { packets: 3n, estimatedDelivery: 2n * 142n + 0n, minDelivery: 2n * 125n + 0n },
    },
    {
      title: 'quoting 0 takes no packet and delivers nothing',
      amount: 0n,
      max: 1_000n,
      rate: ratio(1n, 2n),
      minimum: ratio(1n, 4n),
      expected: { packets: 0n, estimatedDelivery: 0n, minDelivery: 0n },
    },
    {
      title: 'amounts near 2^64 are exact (bigint, no floating point)',
      amount: MAX_U64,
      max: MAX_U64,
      rate: ratio(1n, 3n),
      minimum: ratio(1n, 4n),
      expected: { packets: 1n, estimatedDelivery: MAX_U64 / 3n, minDelivery: MAX_U64 / 4n },
    },
  ])('$title', ({ amount, max, rate, minimum, expected }) => {
    expect(computeQuote(amount, max, exchangeRate(rate, minimum))).toMatchObject(expected);
  });

  it('property: packets = ceil(amount / max); estimate = Σ floor(packet × rate) over the actual packets; minDelivery <= estimate when minimum <= rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 100_000n }),
        fc.bigInt({ min: 1n, max: 5_000n }),
        fc.bigInt({ min: 0n, max: 1_000n }),
        fc.bigInt({ min: 1n, max: 1_000n }),
        fc.bigInt({ min: 0n, max: 100n }),
        (amount, max, p, q, slippagePercent) => {
          const rate = ratio(p, q);
          const minimum = ratio(p * (100n - slippagePercent), q * 100n);
          const quote = computeQuote(amount, max, exchangeRate(rate, minimum));
          // Simulate the packets one by one, as a sender would send them.
          let left = amount;
          let packets = 0n;
          let estimate = 0n;
          let least = 0n;
          while (left > 0n) {
            const packet = left < max ? left : max;
            left -= packet;
            packets += 1n;
            estimate += multiplyFloor(packet, rate);
            least += multiplyFloor(packet, minimum);
          }
          expect(quote.packets).toBe(packets);
          expect(quote.estimatedDelivery).toBe(estimate);
          expect(quote.minDelivery).toBe(least);
          expect(quote.minDelivery).toBeLessThanOrEqual(quote.estimatedDelivery);
          expect(quote.estimatedDelivery).toBeLessThanOrEqual(multiplyFloor(amount, rate));
        },
      ),
      { numRuns: 300 },
    );
  });
});
