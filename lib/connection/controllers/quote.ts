/**
 * What sending an amount is expected to deliver, computed packet by packet: connectors round each
 * packet down on its own, so 10 packets of 1,000 at a rate of 0.4999 deliver 10 × 499, not 4,999.
 *
 * @example
 * ```ts
 * const quote = computeQuote(10_000n, 1_000n, exchangeRate);
 * quote.estimatedDelivery; // 4_990n at a rate of 0.4999
 * ```
 */
import { type Ratio, multiplyFloor } from '../ratio';
import type { ExchangeRate } from '../types';

/**
 * A quote for sending `sourceAmount` over a connection's path, as it is known now.
 *
 * @example
 * ```ts
 * const quote: Quote = await firstValueFrom(connection.quote(2_500));
 * // on a path at a rate of 0.5 that carries at most 1,000 per packet, with 1 % slippage:
 * // { sourceAmount: 2_500n, maxPacketAmount: 1_000n, packets: 3n,
 * //   estimatedDelivery: 1_250n, minDelivery: 1_237n, exchangeRate }
 * // minDelivery is 495 + 495 + 247: each packet is floored on its own
 * ```
 */
export interface Quote {
  /** The amount quoted, in source units. */
  readonly sourceAmount: bigint;
  /** The largest packet the path carries, as far as known. */
  readonly maxPacketAmount: bigint;
  /** Money packets the amount takes at that size (retries and rejects not counted). */
  readonly packets: bigint;
  /** Destination units expected at the probed rate. */
  readonly estimatedDelivery: bigint;
  /** The least the receiver can get while every packet meets the minimum rate (slippage or minExchangeRate). */
  readonly minDelivery: bigint;
  /** The exchange rate the quote used, with its tracked bounds. */
  readonly exchangeRate: ExchangeRate;
}

/**
 * Quotes `sourceAmount` in packets of at most `maxPacketAmount` at `exchangeRate`.
 *
 * @example
 * ```ts
 * computeQuote(2_500n, 1_000n, rate).packets // 3n
 * ```
 */
export function computeQuote(sourceAmount: bigint, maxPacketAmount: bigint, exchangeRate: ExchangeRate): Quote {
  const packetSize = maxPacketAmount > 0n ? maxPacketAmount : 1n;
  const full = sourceAmount / packetSize;
  const rest = sourceAmount % packetSize;
  return {
    sourceAmount,
    maxPacketAmount,
    packets: full + (rest > 0n ? 1n : 0n),
    estimatedDelivery: inPackets(full, packetSize, rest, exchangeRate.rate),
    minDelivery: inPackets(full, packetSize, rest, exchangeRate.minimum),
    exchangeRate,
  };
}

function inPackets(full: bigint, packetSize: bigint, rest: bigint, rate: Ratio): bigint {
  return full * multiplyFloor(packetSize, rate) + multiplyFloor(rest, rate);
}
