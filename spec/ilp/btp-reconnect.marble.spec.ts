/**
 * The reconnect schedule of the WebSocket BTP plugin (lib/ilp/btp-reconnect.ts), pinned in virtual
 * time: each attempt is a cold Observable that takes 5 ms to fail (`#`) or succeed (`(x|)`), so
 * the frames below are the waits of the backoff plus 5 per attempt.
 */
import { type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { BtpPluginError } from '../../lib/ilp/btp-errors';
import { BTP_RECONNECT_DEFAULTS, type ResolvedBtpReconnect, reconnectAttempts, reconnectDelayMs, resolveBtpReconnect } from '../../lib/ilp/btp-reconnect';

const dropped = new BtpPluginError('CONNECTION_CLOSED', 'the WebSocket closed');
const refused = new BtpPluginError('AUTH_REJECTED', 'the server refused the credentials');

/** A connect function whose n-th call returns the n-th of `attempts`. */
function scripted(attempts: ReadonlyArray<Observable<string>>): { connect: () => Observable<string>; calls: () => number } {
  let calls = 0;
  return {
    connect: () => {
      const attempt = attempts[calls++];
      if (attempt === undefined) throw new Error(`attempt ${calls} was not scripted`);
      return attempt;
    },
    calls: () => calls,
  };
}

describe('reconnectAttempts: backoff on the scheduler', () => {
  it(
    'defaults: waits 100, then 200, 400 after each failure; completes with the first success',
    marbles((m) => {
      const failing = m.cold<string>('- 4ms #', undefined, dropped);
      const succeeding = m.cold<string>('- 4ms (x|)');
      const { connect } = scripted([failing, failing, succeeding]);
      // 100: attempt 1, fails at 105; 105 + 200 = 305: attempt 2, fails at 310; 310 + 400 = 710: attempt 3, up at 715.
      m.expect(reconnectAttempts(connect, BTP_RECONNECT_DEFAULTS, m.scheduler)).toBeObservable('715ms (a|)', { a: 3 }); // three attempts spent
      m.expect(failing).toHaveSubscriptions(['100ms ^ 4ms !', '305ms ^ 4ms !']);
      m.expect(succeeding).toHaveSubscriptions('710ms ^ 4ms !');
    }),
  );

  it(
    'gives up after maxAttempts failures with the last error',
    marbles((m) => {
      const failing = m.cold<string>('- 4ms #', undefined, dropped);
      const options: ResolvedBtpReconnect = { ...BTP_RECONNECT_DEFAULTS, maxAttempts: 3 };
      m.expect(reconnectAttempts(scripted([failing, failing, failing]).connect, options, m.scheduler)).toBeObservable('715ms #', undefined, dropped);
    }),
  );

  it(
    'gives up at once when the server refuses the credentials (AUTH_REJECTED): the same ones cannot do better',
    marbles((m) => {
      const rejecting = m.cold<string>('- 4ms #', undefined, refused);
      const script = scripted([rejecting]);
      m.expect(reconnectAttempts(script.connect, BTP_RECONNECT_DEFAULTS, m.scheduler)).toBeObservable('105ms #', undefined, refused);
      m.flush();
      expect(script.calls()).toBe(1);
    }),
  );

  it(
    'the waits stop growing at maxDelayMs',
    marbles((m) => {
      const failing = m.cold<string>('- 4ms #', undefined, dropped);
      const succeeding = m.cold<string>('- 4ms (x|)');
      const options = resolveBtpReconnect({ initialDelayMs: 100, factor: 10, maxDelayMs: 1_000 });
      if (options === undefined) throw new Error('reconnect resolved to off');
      // 100: attempt 1, fails at 105; wait 100 × 10 = 1,000: attempt 2 at 1105, fails at 1110;
      // wait 1,000 (100 × 100 = 10,000, capped): attempt 3 at 2110, up at 2115.
      m.expect(reconnectAttempts(scripted([failing, failing, succeeding]).connect, options, m.scheduler)).toBeObservable('2115ms (a|)', { a: 3 });
      m.expect(succeeding).toHaveSubscriptions('2110ms ^ 4ms !');
    }),
  );

  it(
    'an outage that goes on after a short reconnect continues from the attempts already spent: longer waits, the same maxAttempts',
    marbles((m) => {
      const failing = m.cold<string>('- 4ms #', undefined, dropped);
      const succeeding = m.cold<string>('- 4ms (x|)');
      const options: ResolvedBtpReconnect = { ...BTP_RECONNECT_DEFAULTS, maxAttempts: 3 };
      // One attempt spent: the first wait is 200, not 100; success at 205 makes it two.
      m.expect(reconnectAttempts(scripted([succeeding]).connect, options, m.scheduler, 1)).toBeObservable('205ms (a|)', { a: 2 });
      // Two spent: one attempt left, after 400; its failure is the end.
      m.expect(reconnectAttempts(scripted([failing]).connect, options, m.scheduler, 2)).toBeObservable('405ms #', undefined, dropped);
      // All three spent: no attempt at all.
      m.expect(reconnectAttempts(scripted([]).connect, options, m.scheduler, 3)).toBeObservable('#', undefined, new BtpPluginError('CONNECTION_CLOSED', 'gave up reconnecting after 3 attempts'));
    }),
  );

  it(
    'unsubscribing (disconnect()) stops the attempts: nothing starts after it',
    marbles((m) => {
      const failing = m.cold<string>('- 4ms #', undefined, dropped);
      const script = scripted([failing, failing, failing]);
      m.expect(reconnectAttempts(script.connect, BTP_RECONNECT_DEFAULTS, m.scheduler), '^ 200ms !').toBeObservable('');
      m.expect(failing).toHaveSubscriptions('100ms ^ 4ms !');
      m.flush();
      expect(script.calls()).toBe(1);
    }),
  );
});

describe('resolveBtpReconnect and reconnectDelayMs', () => {
  it('off by default and for false; true gives the defaults; an object overrides some', () => {
    expect(resolveBtpReconnect(undefined)).toBeUndefined();
    expect(resolveBtpReconnect(false)).toBeUndefined();
    expect(resolveBtpReconnect(true)).toEqual({ initialDelayMs: 100, factor: 2, maxDelayMs: 10_000, maxAttempts: Infinity });
    expect(resolveBtpReconnect({ maxAttempts: 5 })).toEqual({ initialDelayMs: 100, factor: 2, maxDelayMs: 10_000, maxAttempts: 5 });
  });

  it.each([
    ['a string', 'yes'],
    ['a negative delay', { initialDelayMs: -1 }],
    ['an infinite max delay', { maxDelayMs: Infinity }],
    ['a factor below 1', { factor: 0.5 }],
    ['zero attempts', { maxAttempts: 0 }],
    ['a fractional attempt count', { maxAttempts: 2.5 }],
    ['NaN attempts', { maxAttempts: NaN }],
  ])('refuses %s with INVALID_OPTION', (_label, option) => {
    expect(() => resolveBtpReconnect(option as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('delays grow by the factor from the initial delay and stop at the maximum', () => {
    const options = { initialDelayMs: 50, factor: 3, maxDelayMs: 1_000, maxAttempts: Infinity };
    expect([0, 1, 2, 3, 4].map((attempt) => reconnectDelayMs(attempt, options))).toEqual([50, 150, 450, 1_000, 1_000]);
    // factor^attempt overflows to Infinity; 0 × Infinity must not make the wait NaN.
    expect(reconnectDelayMs(1_100, { ...options, initialDelayMs: 0 })).toBe(0);
    expect(reconnectDelayMs(1_100, options)).toBe(1_000);
  });
});
