/**
 * The per-packet retry policy of the send pipeline (RFC 27 §error codes: 27-Err-T SHOULD retry
 * T-family rejects after a delay, 27-Err-R not indefinitely; checklist E31): the backoff schedule
 * `retryDelay`, and the `retryTemporary` operator on virtual time.
 */
import { NEVER, Subject, defer, map, of, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type RetryPolicy, retryDelay, retryTemporary } from '../../lib/operators/retry-policy';
import { CONNECTION_DEFAULTS } from '../../lib/connection/options';

const defaults: RetryPolicy = {
  baseDelayMs: CONNECTION_DEFAULTS.retryBaseDelayMs,
  factor: CONNECTION_DEFAULTS.retryFactor,
  maxDelayMs: CONNECTION_DEFAULTS.retryMaxDelayMs,
  attempts: CONNECTION_DEFAULTS.retryAttempts,
};

describe('retryDelay (27-Err-T: retry after a delay; E31 back off)', () => {
  it('doubles from the base with the defaults and stops at the cap: 100, 200, 400, … 3200, 5000, 5000', () => {
    const schedule = Array.from({ length: 9 }, (_, i) => retryDelay(defaults, i + 1));
    expect(schedule).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('the whole default schedule (9 waits for 10 attempts) is bounded by the cap: about 26 s', () => {
    const total = Array.from({ length: defaults.attempts - 1 }, (_, i) => retryDelay(defaults, i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBe(100 + 200 + 400 + 800 + 1600 + 3200 + 5000 + 5000 + 5000);
  });

  it('follows base × factor^(n-1) for other factors, and a factor of 1 is a constant wait', () => {
    const triple: RetryPolicy = { baseDelayMs: 7, factor: 3, maxDelayMs: 1_000, attempts: 10 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(triple, n))).toEqual([7, 21, 63, 189, 567, 1_000]);
    const flat: RetryPolicy = { baseDelayMs: 40, factor: 1, maxDelayMs: 1_000, attempts: 10 };
    expect([1, 5, 50].map((n) => retryDelay(flat, n))).toEqual([40, 40, 40]);
  });

  it('never exceeds the cap, even when the exponent overflows to Infinity', () => {
    const policy: RetryPolicy = { baseDelayMs: 100, factor: 2, maxDelayMs: 5_000, attempts: 10 };
    expect(retryDelay(policy, 2_000)).toBe(5_000);
    expect(retryDelay({ ...policy, maxDelayMs: 50 }, 1)).toBe(50);
    expect(retryDelay({ ...policy, baseDelayMs: 0 }, 30)).toBe(0);
  });
});

describe('retryTemporary (27-Err-T, 27-Err-R, E31; 29-5.1.1-b a fresh Prepare per attempt)', () => {
  const isTemporary = (value: string): boolean => value.startsWith('T') || value === 'R00';
  const policy: RetryPolicy = { baseDelayMs: 10, factor: 2, maxDelayMs: 1_000, attempts: 3 };
  let scheduler: TestScheduler;

  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('retries a temporary outcome after 10 then 20 ms, at most `attempts` subscriptions, then emits the last temporary outcome', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const temporary: string[] = [];
      const source = cold('-t|', { t: 'T04' });
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, onTemporary: (o) => temporary.push(o), cancelled: () => false, cancel$: NEVER }));
      // Attempt 1 at 0 answers at 1; wait 10 → attempt 2 at 11, answers at 12; wait 20 → attempt 3 at 32, answers at 33: attempts used up.
      expectObservable(result).toBe('33ms (t|)', { t: 'T04' });
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!']);
      scheduler.flush();
      // The hook sees every temporary outcome, also the last one that is not retried (congestion, failure counts).
      expect(temporary).toEqual(['T04', 'T04', 'T04']);
    });
  });

  it('R00 (expiry) and other T codes count as temporary; a success on a later attempt ends the retries', () => {
    scheduler.run(({ expectObservable }) => {
      const answers = ['R00', 'T01', 'fulfill', 'never asked'];
      const subscribedAt: number[] = [];
      // A cold source answering 1 ms after each subscription with the next answer.
      const source = defer(() => {
        subscribedAt.push(scheduler.now());
        return timer(1, scheduler).pipe(map(() => answers[subscribedAt.length - 1] ?? 'unexpected'));
      });
      const result = source.pipe(retryTemporary({ ...policy, attempts: 5 }, scheduler, { isTemporary, cancelled: () => false, cancel$: NEVER }));
      // Attempt 1 answers at 1 (R00), wait 10, attempt 2 answers at 12 (T01), wait 20, attempt 3 answers at 33 fulfilled.
      expectObservable(result).toBe('33ms (f|)', { f: 'fulfill' });
      scheduler.flush();
      expect(subscribedAt).toEqual([0, 11, 32]);
    });
  });

  it('resubscribes the cold source for each attempt (a fresh Prepare, a fresh sequence and IV)', () => {
    scheduler.run(({ expectObservable }) => {
      let subscriptions = 0;
      const source = defer(() => {
        subscriptions += 1;
        return of(subscriptions < 3 ? `T04#${subscriptions}` : `fulfilled#${subscriptions}`);
      });
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$: NEVER }));
      // Synchronous answers: retry 1 after 10 ms, retry 2 after 20 more.
      expectObservable(result).toBe('30ms (f|)', { f: 'fulfilled#3' });
      scheduler.flush();
      expect(subscriptions).toBe(3);
    });
  });

  it('non-temporary outcomes (a fulfill, F02, F08, F99) pass straight through: one subscription, no wait', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      for (const code of ['fulfill', 'F02', 'F08', 'F99']) {
        const source = cold('--a|', { a: code });
        expectObservable(source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$: NEVER }))).toBe('--a|', { a: code });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      }
    });
  });

  it('an error of the source (not a temporary outcome) is not retried', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('plugin gone'));
      expectObservable(source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$: NEVER }))).toBe('-#', undefined, new Error('plugin gone'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('attempts 1 never retries: the temporary outcome is emitted at once', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-t|', { t: 'T04' });
      expectObservable(source.pipe(retryTemporary({ ...policy, attempts: 1 }, scheduler, { isTemporary, cancelled: () => false, cancel$: NEVER }))).toBe('-(t|)', { t: 'T04' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('stops at once when cancel$ emits during a wait: the last temporary outcome settles the packet then, no further subscription', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('-t|', { t: 'T04' });
      // Attempt 1 answers at 1; the 10 ms wait would end at 11, but the close comes at 5.
      const cancel$ = hot('-----c');
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$ }));
      expectObservable(result).toBe('-----(t|)', { t: 'T04' });
      expectSubscriptions(source.subscriptions).toBe('^!');
      expectSubscriptions(cancel$.subscriptions).toBe('-^---!');
    });
  });

  it('cancel$ during the second wait: two attempts, settled at the cancellation', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('-t|', { t: 'T04' });
      const cancel$ = hot('20ms c');
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$ }));
      expectObservable(result).toBe('20ms (t|)', { t: 'T04' });
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
    });
  });

  it('cancelled() already true when a temporary outcome arrives: no wait, emitted as is', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-t|', { t: 'T04' });
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => true, cancel$: NEVER }));
      expectObservable(result).toBe('-(t|)', { t: 'T04' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('cancel$ emitting before any temporary outcome does not stop a packet that then succeeds', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const cancel$ = new Subject<void>();
      const source = cold('---a|', { a: 'fulfill' });
      const result = source.pipe(retryTemporary(policy, scheduler, { isTemporary, cancelled: () => false, cancel$ }));
      cancel$.next();
      expectObservable(result).toBe('---a|', { a: 'fulfill' });
    });
  });
});
