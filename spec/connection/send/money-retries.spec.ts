/**
 * Retrying a money packet after temporary rejects (RFC 27 §T/§R) with the connection's backoff,
 * and the congestion window halving once per epoch (E31).
 */
import { Subject, VirtualTimeScheduler, defer, of } from 'rxjs';
import { sendWithRetries } from '../../../lib/connection/send/money-retries';
import { CongestionWindow } from '../../../lib/connection/controllers/congestion-window';
import type { Outcome } from '../../../lib/connection/transmit';
import { IlpPacketType } from '../../../lib/wire/types';
import { fulfilled, rejected } from './outcomes';

const policy = { baseDelayMs: 10, factor: 2, maxDelayMs: 1_000, attempts: 4 };

function setup(replies: Outcome[], cancelled = () => false) {
  const scheduler = new VirtualTimeScheduler();
  const congestion = new CongestionWindow({ initial: 8, max: 8 });
  const attempts: number[] = [];
  const cancel$ = new Subject<void>();
  const outcomes: Outcome[] = [];
  sendWithRetries(
    () =>
      defer(() => {
        attempts.push(scheduler.now());
        return of(replies[attempts.length - 1] ?? replies.at(-1)!);
      }),
    { policy, scheduler, congestion, cancelled, cancel$ },
  ).subscribe((outcome) => outcomes.push(outcome));
  scheduler.flush();
  return { attempts, outcomes, congestion };
}

describe('sendWithRetries', () => {
  it('retries T04 with backoff until the Fulfill, halving the window for the T04 once', () => {
    const win = fulfilled(495n, 500n);
    const { attempts, outcomes, congestion } = setup([rejected('T04'), rejected('T04'), win]);
    expect(attempts).toEqual([0, 10, 30]);
    expect(outcomes).toEqual([win]);
    // The second T04 left after the window shrank, in a new epoch: it halves again (8 → 4 → 2).
    expect(congestion.packets).toBe(2);
  });

  it('a T00 does not touch the window; the last temporary reject is emitted when the attempts are used up', () => {
    const { attempts, outcomes, congestion } = setup([rejected('T00')]);
    expect(attempts).toHaveLength(4);
    expect(outcomes.map((o) => (o.reply.type === IlpPacketType.Fulfill ? '' : o.reply.code))).toEqual(['T00']);
    expect(congestion.packets).toBe(8);
  });

  it('a final reject is emitted at once; a cancelled retry emits the temporary reject', () => {
    expect(setup([rejected('F02')]).attempts).toEqual([0]);
    const { attempts, outcomes } = setup([rejected('T04')], () => true);
    expect(attempts).toEqual([0]);
    expect(outcomes).toHaveLength(1);
  });
});
