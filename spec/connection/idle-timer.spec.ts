import { Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { IdleTimer } from '../../lib/connection/idle-timer';

/** Emits 'x' when the idle timer fires; `touches` marks activity at their frames. */
function idleAfter(timeoutMs: number, touches: Observable<unknown>, scheduler: ConstructorParameters<typeof IdleTimer>[0]) {
  return new Observable<string>((subscriber) => {
    const idle = new IdleTimer(scheduler, timeoutMs, () => {
      subscriber.next('x');
      subscriber.complete();
    });
    idle.start();
    const activity = touches.subscribe(() => idle.touch());
    return () => {
      activity.unsubscribe();
      idle.stop();
    };
  });
}

describe('IdleTimer (idle timeout on the scheduler)', () => {
  it('fires after the timeout when nothing happens', marbles((m) => {
    const touches = m.cold('    -');
    m.expect(idleAfter(60, touches, m.scheduler)).toBeObservable('60ms (x|)');
  }));

  it('activity pushes the deadline to the last touch + timeout', marbles((m) => {
    const touches = m.cold('    10ms a 19ms b');  // touches at 10 and 30
    const subs = '              ^ 89ms !';
    m.expect(idleAfter(60, touches, m.scheduler)).toBeObservable('90ms (x|)');
    m.expect(touches).toHaveSubscriptions(subs);
  }));

  it('a touch exactly at the deadline keeps it alive', marbles((m) => {
    const touches = m.cold('    59ms a');
    m.expect(idleAfter(60, touches, m.scheduler)).toBeObservable('119ms (x|)');
  }));

  it('0 disables it', marbles((m) => {
    const touches = m.cold('    -');
    const result = idleAfter(0, touches, m.scheduler);
    m.expect(result, '^ 999ms !').toBeObservable('-');
  }));

  it('stop() cancels it for good', marbles((m) => {
    const touches = m.cold('    -');
    m.expect(idleAfter(60, touches, m.scheduler), '^ 30ms !').toBeObservable('-');
  }));
});
