/**
 * Who gets the money of one incoming packet: its amount split among the StreamMoney frames by
 * shares (RFC 29 §5.3.8), within each stream's receive max and a 1 % rounding allowance.
 */
import { FrameType, MAX_U64, type Frame } from '../wire/types';
import type { DataAndMoneyStream } from '../stream/stream';

/**
 * Splits `amount` among the StreamMoney frames by shares, flooring each, and gives the remainder to
 * the lowest-numbered stream that still has room (RFC 29 §5.3.8). Returns undefined (reject) when
 * money cannot be attributed (E14, E15) or a stream would exceed its receive max (E19); in that case
 * the StreamMaxMoney the sender needs is pushed onto `replyFrames`.
 *
 * @example
 * ```ts
 * attributeMoney(100n, [[one, 1n], [three, 1n], [five, 1n]], frames)?.map(([s, n]) => [s.id, n]);
 * // [[1n, 34n], [3n, 33n], [5n, 33n]]
 * one.setReceiveMax(10n);
 * attributeMoney(100n, [[one, 1n]], frames);
 * // undefined: 100 is more than 10 plus the 1 % allowance; frames now holds
 * // StreamMaxMoney { streamId: 1n, receiveMax: 10n, totalReceived: 0n }
 * ```
 */
export function attributeMoney(
  amount: bigint,
  money: ReadonlyArray<readonly [DataAndMoneyStream, bigint]>,
  replyFrames: Frame[],
): Array<[DataAndMoneyStream, bigint]> | undefined {
  if (amount === 0n) return [];
  let totalShares = 0n;
  for (const [, shares] of money) totalShares += shares;
  if (totalShares === 0n) return undefined;

  const perStream = new Map<DataAndMoneyStream, bigint>();
  let assigned = 0n;
  for (const [stream, shares] of money) {
    const share = (amount * shares) / totalShares;
    perStream.set(stream, (perStream.get(stream) ?? 0n) + share);
    assigned += share;
  }
  const remainder = amount - assigned;
  if (remainder > 0n) {
    const ordered = [...perStream.keys()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const target = ordered.find((s) => s.receiveRoom - (perStream.get(s) ?? 0n) >= remainder) ?? ordered[0];
    if (target) perStream.set(target, (perStream.get(target) ?? 0n) + remainder);
  }

  let overLimit = false;
  for (const [stream, credit] of perStream) {
    // Totals are u64 on the wire (StreamMaxMoney.totalReceived): the 1 % allowance must not carry a
    // stream past 2^64 - 1, or the reply could not be encoded and the Prepare would fail with T00.
    if (stream.state === 'closed' || credit > withRoundingAllowance(stream.receiveRoom) || stream.totals.received + credit > MAX_U64) {
      overLimit = true;
      replyFrames.push({ type: FrameType.StreamMaxMoney, streamId: stream.id, receiveMax: stream.receiveMax, totalReceived: stream.totals.received });
      stream.receiveMaxAdvertised = true;
    }
  }
  return overLimit ? undefined : [...perStream];
}

/**
 * The most a stream accepts in one packet: its room plus 1 % (at least one unit). Senders convert
 * our limit into their units at an estimated rate and round; ilp-protocol-stream sizes the last
 * packet with a ceiling and retries a refusal forever, so a receiver that refused every rounding
 * overshoot would never let it finish. It grants itself the same 1 %.
 *
 * @example
 * ```ts
 * withRoundingAllowance(1000n); // 1010n
 * withRoundingAllowance(50n);   // 51n: the allowance is at least one unit
 * withRoundingAllowance(0n);    // 0n
 * ```
 */
export function withRoundingAllowance(room: bigint): bigint {
  if (room <= 0n) return 0n;
  const allowance = (room + 99n) / 100n;
  return room + allowance;
}

/**
 * What `credits` gives `stream` in total.
 *
 * @example
 * ```ts
 * creditOf([[one, 5n], [three, 2n]], one); // 5n
 * ```
 */
export function creditOf(credits: ReadonlyArray<readonly [DataAndMoneyStream, bigint]>, stream: DataAndMoneyStream): bigint {
  let sum = 0n;
  for (const [s, amount] of credits) if (s === stream) sum += amount;
  return sum;
}
