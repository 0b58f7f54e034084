/**
 * Consecutive failed packets: one receiver refusal (F99) or a bad fulfillment may pass, but a
 * path that keeps failing is hopeless, and retrying it for ever would only burn sequence numbers.
 * A fulfilled packet ends the streak.
 *
 * @example
 * ```ts
 * const streak = new FailureStreak(settings.maxConsecutiveFailures);
 * const error = streak.record('F99', 'no room');
 * if (error) connection.fail(error);
 * ```
 */
import { ConnectionError } from '../../errors';

/**
 * Counts packets that failed in a row, up to a limit.
 *
 * @example
 * ```ts
 * const streak = new FailureStreak(2);
 * streak.record('F99', 'full'); // undefined
 * streak.record('F99', 'full'); // ConnectionError SEND_FAILED '2 packets in a row failed; last F99 full'
 * streak.reset();               // a packet was fulfilled
 * ```
 */
export class FailureStreak {
  private failures = 0;

  /** `limit` failures in a row end the connection. */
  constructor(private readonly limit: number) {}

  /** A packet was fulfilled: the path works. */
  reset(): void {
    this.failures = 0;
  }

  /** One more failure; returns the error to fail the connection with once the limit is reached. */
  record(code: string, message: string): ConnectionError | undefined {
    this.failures += 1;
    if (this.failures < this.limit) return undefined;
    return new ConnectionError('SEND_FAILED', `${this.failures} packets in a row failed; last ${code} ${message}`.trim(), undefined, code);
  }
}
