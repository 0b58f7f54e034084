/**
 * Learns the path exchange rate and max packet amount with unfulfillable test packets
 * (RFC 29 §3.4: 29-3.4-c, 29-6.1-a): a volley of amounts at once; each authentic F99 reply reports
 * what arrived, each F08 the path's limit. The rate comes from the largest probe that got through,
 * since it carries the most digits of precision. When only F08s came back, probe again at the
 * discovered maximum, a bounded number of rounds.
 *
 * @example
 * ```ts
 * probeRate(send, { amounts: [1000n, 1_000_000n], maxPacketAmount: MAX_U64, rounds: 4 })
 *   .subscribe(({ rate, maxPacketAmount }) => console.log(rate, maxPacketAmount));
 * ```
 */
import { Observable, type SchedulerLike, asyncScheduler, defer, forkJoin, map, mergeMap, of, switchMap, throwError, timer } from 'rxjs';
import { IlpPacketType } from '../wire/types';
import { readF08Data } from '../ilp';
import { ConnectionError } from '../errors';
import type { Ratio } from './ratio';
import type { Outcome } from './transmit';

/**
 * The probe amounts ilp-protocol-stream peers are used to (I-19), less the 1-unit one that tells nothing.
 *
 * @example
 * ```ts
 * // Amounts above maxPacketAmount are capped and sent once, so this volley is 1,000 and 1,000,000:
 * probeRate(sendProbe, { amounts: DEFAULT_PROBE_AMOUNTS, maxPacketAmount: 1_000_000n, rounds: PROBE_ROUNDS });
 * ```
 */
export const DEFAULT_PROBE_AMOUNTS: readonly bigint[] = [1_000n, 1_000_000n, 1_000_000_000n, 1_000_000_000_000n];

/**
 * What the probe learned.
 *
 * @example
 * ```ts
 * probeRate(sendProbe, options).subscribe(({ rate, maxPacketAmount }: ProbeResult) => console.log(rate, maxPacketAmount));
 * // the 1,000,000 probe arrived as 499,000 and F08s put the path's limit at 1,000,000:
 * // { numerator: 499_000n, denominator: 1_000_000n } 1_000_000n
 * ```
 */
export interface ProbeResult {
  readonly rate: Ratio;
  readonly maxPacketAmount: bigint;
}

/**
 * Probe settings.
 *
 * @example
 * ```ts
 * const options: ProbeOptions = {
 *   amounts: DEFAULT_PROBE_AMOUNTS,
 *   maxPacketAmount: MAX_U64,
 *   rounds: PROBE_ROUNDS,
 *   retryDelayMs: 100, // after T rejects: 100, 200, 400, ... ms before the next volley
 *   scheduler: asyncScheduler,
 * };
 * probeRate(sendProbe, options);
 * ```
 */
export interface ProbeOptions {
  readonly amounts: readonly bigint[];
  /** The known (or configured) max packet amount; probes never exceed it. */
  readonly maxPacketAmount: bigint;
  /** How many volleys to try before giving up. */
  readonly rounds: number;
  /** Wait before a volley retried because of temporary (T) rejects; doubles each round. Default 100. */
  readonly retryDelayMs?: number;
  /** Drives the retry wait. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs the probe. `sendProbe(amount)` sends one unfulfillable packet and emits its outcome.
 *
 * @example
 * ```ts
 * probeRate((amount) => transmit(link, { amount, frames, fulfillable: false, minDestination: 0n }), options)
 * ```
 */
export function probeRate(
  sendProbe: (amount: bigint) => Observable<Outcome>,
  options: ProbeOptions,
): Observable<ProbeResult> {
  const volley = (amounts: readonly bigint[], maxPacketAmount: bigint, round: number): Observable<ProbeResult> =>
    defer(() => {
      const capped = [...new Set(amounts.map((a) => (a > maxPacketAmount ? maxPacketAmount : a)))].filter((a) => a > 0n);
      if (capped.length === 0) {
        return throwError(() => new ConnectionError('CONNECT_FAILED', 'the path max packet amount is 0'));
      }
      return forkJoin(capped.map((amount) => sendProbe(amount).pipe(map((outcome) => [amount, outcome] as const)))).pipe(
        mergeMap((results) => {
          let max = maxPacketAmount;
          let best: [bigint, bigint] | undefined;
          for (const [amount, outcome] of results) {
            const f08Max = f08MaxInSource(amount, outcome);
            if (f08Max !== undefined && f08Max < max) max = f08Max;
            const delivered = outcome.replyPacket?.prepareAmount;
            if (delivered !== undefined && outcome.reply.type === IlpPacketType.Reject && (!best || amount > best[0])) {
              best = [amount, delivered];
            }
          }
          if (best) return of({ rate: { numerator: best[1], denominator: best[0] }, maxPacketAmount: max });
          const canRetry = round + 1 < options.rounds;
          if (canRetry && max < maxPacketAmount) return volley([max], max, round + 1);
          const temporary = results.filter(([, o]) => o.reply.type === IlpPacketType.Reject && o.reply.code.startsWith('T')).map(([a]) => a);
          if (canRetry && temporary.length > 0) {
            // A connector short of liquidity (T04) or briefly unavailable: wait, then try again,
            // adding two thirds of the smallest refused amount in case the size was the problem (E31).
            const smallest = temporary.reduce((a, b) => (a < b ? a : b));
            const delay = (options.retryDelayMs ?? 100) * 2 ** round;
            return timer(delay, options.scheduler ?? asyncScheduler).pipe(
              switchMap(() => volley([...capped, (smallest * 2n) / 3n], max, round + 1)),
            );
          }
          return throwError(() => new ConnectionError('CONNECT_FAILED', describeFailure(results.map(([, o]) => o))));
        }),
      );
    });
  return volley(options.amounts, options.maxPacketAmount, 0);
}

/**
 * floor(sent × maximum / received) from an F08's data (27-F08-a, E30): the path's limit in source
 * units; undefined if the reply is not an F08 or its data says nothing usable.
 *
 * @example
 * ```ts
 * f08ExactMaxInSource(2000n, outcome) // 1000n when a hop allows 500 of the 1000 it received
 * ```
 */
export function f08ExactMaxInSource(sent: bigint, outcome: Outcome): bigint | undefined {
  if (outcome.reply.type !== IlpPacketType.Reject || outcome.reply.code !== 'F08') return undefined;
  const details = readF08Data(outcome.reply.data);
  if (!details || details.receivedAmount <= details.maximumAmount || details.receivedAmount === 0n) return undefined;
  return (sent * details.maximumAmount) / details.receivedAmount;
}

/**
 * The limit an F08 implies, in source units: exact from its data, or half of `sent` when the data
 * says nothing usable, so a path that only says "too large" is found in log2 steps, not one per
 * unit. Undefined if the reply is not an F08.
 *
 * @example
 * ```ts
 * f08MaxInSource(1000n, f08WithoutData) // 500n
 * ```
 */
export function f08MaxInSource(sent: bigint, outcome: Outcome): bigint | undefined {
  if (outcome.reply.type !== IlpPacketType.Reject || outcome.reply.code !== 'F08') return undefined;
  return f08ExactMaxInSource(sent, outcome) ?? sent / 2n;
}

function describeFailure(outcomes: readonly Outcome[]): string {
  const codes = outcomes.map((o) => (o.reply.type === IlpPacketType.Reject ? o.reply.code : 'fulfill'));
  return `no probe packet got an authentic reply (replies: ${codes.join(', ')})`;
}
