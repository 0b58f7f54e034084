/**
 * The sender's knowledge of the path exchange rate: the probed rate, the least rate a packet may
 * be accepted at, and the interval every authentic reply narrows (controllers/rate-bounds.ts).
 * Kept in one place so the rate a packet is priced at, the minimum it demands and the rate the
 * connection publishes can never disagree.
 *
 * @example
 * ```ts
 * const rates = new ExchangeRateTracker(settings, (rate) => connection.setExchangeRate(rate));
 * rates.accept({ numerator: 1n, denominator: 2n }); // the probe's result, published
 * rates.minDestination(1000n);                       // 495n with 1 % slippage
 * ```
 */
import { ConnectionError } from '../../errors';
import { type Ratio, compareRatios, multiplyFloor, ratioToNumber } from '../ratio';
import { RateBounds } from '../controllers/rate-bounds';
import type { ExchangeRate } from '../types';
import type { SenderSettings } from './settings';

/**
 * Tracks one connection's exchange rate and publishes it whenever it changes.
 *
 * @example
 * ```ts
 * const rates = new ExchangeRateTracker({ slippage: { numerator: 1n, denominator: 100n }, minExchangeRate: undefined }, publish);
 * rates.rate;                  // undefined: not probed yet
 * rates.accept({ numerator: 1n, denominator: 2n });
 * rates.observe(1000n, 499n);  // true: the reply pinned the rate to [0.499, 0.5), published again
 * rates.rate;                  // { numerator: 499n, denominator: 1000n }
 * ```
 */
export class ExchangeRateTracker {
  private readonly bounds = new RateBounds();
  private probed: Ratio | undefined;
  private least: Ratio | undefined;

  constructor(
    private readonly settings: Pick<SenderSettings, 'slippage' | 'minExchangeRate'>,
    private readonly publish: (rate: ExchangeRate) => void,
  ) {}

  /** The rate packets are priced at; undefined until the probe succeeded. */
  get rate(): Ratio | undefined {
    return this.probed;
  }

  /**
   * Takes the probe's rate, or throws a ConnectionError when it cannot pay (nothing arrived, or
   * below `minExchangeRate`); publishes and returns the resulting exchange rate.
   */
  accept(rate: Ratio): ExchangeRate {
    if (rate.numerator === 0n) {
      throw new ConnectionError('EXCHANGE_RATE', `the largest probe (${rate.denominator}) delivered nothing: the path rate is too small to pay`);
    }
    const { minExchangeRate, slippage } = this.settings;
    if (minExchangeRate && compareRatios(rate, minExchangeRate) < 0) {
      throw new ConnectionError('EXCHANGE_RATE', `the path rate ${ratioToNumber(rate)} is below minExchangeRate ${ratioToNumber(minExchangeRate)}`);
    }
    this.probed = rate;
    this.least = minExchangeRate ?? multiply(rate, complement(slippage));
    return this.publishCurrent();
  }

  /**
   * `source` units arrived as `arrived`: narrows the bounds and, once the rate is known, keeps it
   * inside them and publishes it. Returns true if it published.
   */
  observe(source: bigint, arrived: bigint): boolean {
    if (!this.bounds.observe(source, arrived) || !this.probed) return false;
    this.probed = this.clamped(this.probed);
    this.publishCurrent();
    return true;
  }

  /** The exchange rate with the current bounds; undefined before the probe. */
  current(): ExchangeRate | undefined {
    const { probed: rate, least: minimum } = this;
    if (!rate || !minimum) return undefined;
    const interval = this.bounds.current;
    return {
      rate,
      minimum,
      lowerBound: interval?.lower ?? rate,
      upperBound: interval?.upper ?? { numerator: rate.numerator + 1n, denominator: rate.denominator },
      value: ratioToNumber(rate),
    };
  }

  /** The least a packet of `amount` may deliver (its STREAM prepareAmount); 0 before the probe. */
  minDestination(amount: bigint): bigint {
    return this.least ? multiplyFloor(amount, this.least) : 0n;
  }

  /** True when a packet of `amount` would deliver nothing at the probed rate: its money would only feed the connectors. */
  deliversNothing(amount: bigint): boolean {
    return amount > 0n && this.probed !== undefined && multiplyFloor(amount, this.probed) === 0n;
  }

  /** The error to fail with when the tracked rate is certainly below the minimum; undefined otherwise. */
  belowMinimum(): ConnectionError | undefined {
    const interval = this.bounds.current;
    if (!interval || !this.least || compareRatios(interval.upper, this.least) > 0) return undefined;
    return new ConnectionError('EXCHANGE_RATE', `the exchange rate is below ${ratioToNumber(interval.upper)}, under the minimum ${ratioToNumber(this.least)}`);
  }

  private publishCurrent(): ExchangeRate {
    const exchangeRate = this.current();
    if (!exchangeRate) throw new Error('publishRate before the probe');
    this.publish(exchangeRate);
    return exchangeRate;
  }

  /**
   * The rate kept inside the tracked bounds: once replies pin the rate more precisely than the
   * probe did (or the rate moved), the lower bound is the best estimate that never overstates.
   */
  private clamped(rate: Ratio): Ratio {
    const interval = this.bounds.current;
    if (!interval) return rate;
    if (compareRatios(rate, interval.lower) < 0 || compareRatios(rate, interval.upper) >= 0) return interval.lower;
    return rate;
  }
}

function multiply(a: Ratio, b: Ratio): Ratio {
  return { numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator };
}

function complement(slippage: Ratio): Ratio {
  return { numerator: slippage.denominator - slippage.numerator, denominator: slippage.denominator };
}
