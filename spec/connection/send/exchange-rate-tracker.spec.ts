/**
 * The sender's exchange rate (RFC 29 §3.4): the probed rate, the minimum derived from slippage or
 * minExchangeRate, and the bounds every authentic reply narrows (E27-E29).
 */
import { ExchangeRateTracker } from '../../../lib/connection/send/exchange-rate-tracker';
import { type Ratio, compareRatios } from '../../../lib/connection/ratio';
import type { ExchangeRate } from '../../../lib/connection/types';

const r = (numerator: bigint, denominator: bigint): Ratio => ({ numerator, denominator });
const onePercent = { slippage: r(1n, 100n), minExchangeRate: undefined };

function tracker(settings: { slippage: Ratio; minExchangeRate: Ratio | undefined } = onePercent) {
  const published: ExchangeRate[] = [];
  return { rates: new ExchangeRateTracker(settings, (rate) => published.push(rate)), published };
}

describe('ExchangeRateTracker', () => {
  it('knows nothing before the probe: no rate, no minimum, nothing published', () => {
    const { rates, published } = tracker();
    expect(rates.rate).toBeUndefined();
    expect(rates.current()).toBeUndefined();
    expect(rates.minDestination(1000n)).toBe(0n);
    expect(rates.deliversNothing(1000n)).toBe(false);
    expect(rates.belowMinimum()).toBeUndefined();
    // Bounds still narrow before the probe, but there is no rate to publish.
    expect(rates.observe(1000n, 499n)).toBe(false);
    expect(published).toEqual([]);
  });

  it('accepts the probed rate, derives the minimum from slippage and publishes once', () => {
    const { rates, published } = tracker();
    const rate = rates.accept(r(1n, 2n));
    expect(published).toEqual([rate]);
    expect(rate.rate).toEqual(r(1n, 2n));
    expect(compareRatios(rate.minimum, r(99n, 200n))).toBe(0);
    expect(rate.lowerBound).toEqual(r(1n, 2n));
    expect(rate.upperBound).toEqual(r(2n, 2n));
    expect(rate.value).toBe(0.5);
    expect(rates.minDestination(1000n)).toBe(495n);
  });

  it('uses minExchangeRate as the minimum when set', () => {
    const { rates } = tracker({ slippage: r(1n, 100n), minExchangeRate: r(2n, 5n) });
    expect(rates.accept(r(1n, 2n)).minimum).toEqual(r(2n, 5n));
    expect(rates.minDestination(1000n)).toBe(400n);
  });

  it('refuses a probe that delivered nothing, or a rate below minExchangeRate, with EXCHANGE_RATE', () => {
    expect(() => tracker().rates.accept(r(0n, 1000n))).toThrow(/EXCHANGE_RATE: the largest probe \(1000\) delivered nothing/);
    const { rates, published } = tracker({ slippage: r(1n, 100n), minExchangeRate: r(3n, 5n) });
    expect(() => rates.accept(r(1n, 2n))).toThrow(/EXCHANGE_RATE: the path rate 0.5 is below minExchangeRate 0.6/);
    expect(rates.rate).toBeUndefined();
    expect(published).toEqual([]);
  });

  it('keeps the rate inside the bounds replies pin down, publishing only when they change', () => {
    const { rates, published } = tracker();
    rates.accept(r(1n, 2n));
    expect(rates.observe(1000n, 499n)).toBe(true); // [0.499, 0.5): 0.5 is outside, so the lower bound
    expect(rates.rate).toEqual(r(499n, 1000n));
    expect(published.at(-1)).toMatchObject({ lowerBound: r(499n, 1000n), upperBound: r(500n, 1000n) });
    expect(rates.observe(1000n, 499n)).toBe(false); // tells nothing new
    expect(published).toHaveLength(2);
  });

  it('says when a packet would deliver nothing at the probed rate', () => {
    const { rates } = tracker();
    rates.accept(r(1n, 1000n));
    expect(rates.deliversNothing(999n)).toBe(true);
    expect(rates.deliversNothing(1000n)).toBe(false);
    expect(rates.deliversNothing(0n)).toBe(false);
  });

  it('reports a tracked rate certainly below the minimum', () => {
    const { rates } = tracker();
    rates.accept(r(1n, 2n)); // minimum 0.495
    rates.observe(1000n, 495n); // [0.495, 0.496): still possibly above
    expect(rates.belowMinimum()).toBeUndefined();
    rates.observe(1000n, 300n); // the rate moved to [0.3, 0.301)
    expect(rates.belowMinimum()?.message).toMatch(/^EXCHANGE_RATE: the exchange rate is below 0.301, under the minimum 0.495/);
  });
});
