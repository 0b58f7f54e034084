/** Consecutive failed packets end the connection once they reach maxConsecutiveFailures. */
import { FailureStreak } from '../../../lib/connection/send/failure-streak';

describe('FailureStreak', () => {
  it('fails on the limit-th failure in a row, with the last code', () => {
    const streak = new FailureStreak(3);
    expect(streak.record('F99', 'a')).toBeUndefined();
    expect(streak.record('F99', 'b')).toBeUndefined();
    expect(streak.record('F05', 'c')).toMatchObject({ code: 'SEND_FAILED', ilpCode: 'F05', message: 'SEND_FAILED: 3 packets in a row failed; last F05 c' });
  });

  it('starts over after a fulfilled packet', () => {
    const streak = new FailureStreak(2);
    streak.record('F99', '');
    streak.reset();
    expect(streak.record('F99', '')).toBeUndefined();
    expect(streak.record('F99', '')?.message).toBe('SEND_FAILED: 2 packets in a row failed; last F99');
  });
});
