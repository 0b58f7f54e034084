/**
 * Each fault on its own, in virtual time: what the receiver gets, what the sender sees and when,
 * and what the ledger records.
 */
import { catchError, map, of, switchMap, timer } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  corruptFulfillData,
  disconnect,
  dropPrepare,
  dropReply,
  duplicatePrepare,
  garbageRejectData,
  IlpPacketType,
  jitter,
  maxPacketAmountSchedule,
  rateMoves,
  readF08Data,
  rejectBurst,
  skim,
  stopAnswering,
} from '../../../lib';
import { FULFILL, harness, prepareOf, REJECT } from './harness';

describe('loss faults answer R00 at the Prepare expiry (RFC 27 §overview step 10)', () => {
  it(
    'dropPrepare: the receiver never gets it; R00 exactly at expiry (50 ms)',
    marbles((m) => {
      const h = harness(m.scheduler, [dropPrepare()]);
      m.expect(h.send(prepareOf(10n, 50))).toBeObservable('50ms (r|)', { r: 'R00' });
      m.flush();
      expect(h.delivered).toHaveLength(0);
      expect(h.ledger.tally('droppedPrepare')).toEqual({ count: 1, amount: 10n });
      expect(h.ledger.money()).toEqual({ arrived: 0n, seen: 0n, seenCorrupted: 0n, unseen: 0n, twice: 0n });
    }),
  );

  it(
    'dropReply: the receiver fulfills (money moved), the sender gets R00 at expiry; the money trail shows it unseen',
    marbles((m) => {
      const h = harness(m.scheduler, [dropReply()]);
      const answer = () => timer(5, m.scheduler).pipe(map(() => FULFILL));
      m.expect(h.send(prepareOf(10n, 30), answer)).toBeObservable('30ms (r|)', { r: 'R00' });
      m.flush();
      expect(h.delivered).toHaveLength(1);
      expect(h.ledger.tally('droppedReply')).toEqual({ count: 1, amount: 10n });
      expect(h.ledger.money()).toEqual({ arrived: 10n, seen: 0n, seenCorrupted: 0n, unseen: 10n, twice: 0n });
    }),
  );

  it(
    'stopAnswering({ from: 20 }): answered before 20 ms, lost from then on',
    marbles((m) => {
      const h = harness(m.scheduler, [stopAnswering({ from: 20 })]);
      m.expect(h.send(prepareOf(1n, 100))).toBeObservable('(f|)', { f: 'fulfill' });
      // Sent at 20, expiring at 100: 80 ms of silence, then R00.
      const late = m.cold('20ms a').pipe(switchMap(() => h.send(prepareOf(2n, 100))));
      m.expect(late).toBeObservable('100ms r', { r: 'R00' });
      m.flush();
      expect(h.delivered.map((p) => p.amount)).toEqual([1n]);
    }),
  );
});

describe('injected rejects', () => {
  it(
    'rejectBurst: a T04 burst of `length` Prepares, starting where `when` matches, without reaching the receiver',
    marbles((m) => {
      const h = harness(m.scheduler, [rejectBurst({ every: 3, length: 2, limit: 1 })]);
      const codes: string[] = [];
      for (let i = 0; i < 6; i += 1) h.send(prepareOf(1n)).subscribe((c) => codes.push(c));
      expect(codes).toEqual(['fulfill', 'fulfill', 'T04', 'T04', 'fulfill', 'fulfill']);
      expect(h.delivered).toHaveLength(4);
      expect(h.ledger.count('injectedReject')).toBe(2);
    }),
  );

  it(
    'maxPacketAmountSchedule: F08 with receivedAmount | maximumAmount data, the max changing at 10 ms and after 3 packets',
    marbles((m) => {
      const h = harness(m.scheduler, [maxPacketAmountSchedule([{ max: 100n }, { from: 10, max: 50n }, { afterPackets: 3, max: 500n }])]);
      const replies: Array<{ code: string; data?: unknown }> = [];
      const send = (amount: bigint) =>
        h.sendRaw(prepareOf(amount, 1000)).subscribe((r) => replies.push(r.type === IlpPacketType.Fulfill ? { code: 'fulfill' } : { code: r.code, data: readF08Data(r.data) }));
      send(100n); // max 100: passes
      send(101n); // F08 100
      m.scheduler.schedule(() => send(60n), 10); // max 50: F08 50
      m.scheduler.schedule(() => send(400n), 11); // 3 packets passed: max 500
      m.flush();
      expect(replies).toEqual([
        { code: 'fulfill' },
        { code: 'F08', data: { receivedAmount: 101n, maximumAmount: 100n } },
        { code: 'F08', data: { receivedAmount: 60n, maximumAmount: 50n } },
        { code: 'fulfill' },
      ]);
      expect(h.delivered.map((p) => p.amount)).toEqual([100n, 400n]);
    }),
  );
});

describe('amount faults', () => {
  it(
    'rateMoves: amounts pass unchanged before the first step, then at the moved rate, floored',
    marbles((m) => {
      const h = harness(m.scheduler, [rateMoves([{ from: 10, rate: '0.5' }, { afterPackets: 2, rate: '3/2' }])]);
      h.send(prepareOf(101n, 1000)).subscribe();
      m.scheduler.schedule(() => h.send(prepareOf(101n, 1000)).subscribe(), 10);
      m.scheduler.schedule(() => h.send(prepareOf(101n, 1000)).subscribe(), 11);
      m.flush();
      expect(h.delivered.map((p) => p.amount)).toEqual([101n, 50n, 151n]);
      expect(h.ledger.count('rateMoved')).toBe(2);
    }),
  );

  it(
    'skim: the receiver gets units + floor(amount x fraction) less; the ledger says how much was kept',
    marbles((m) => {
      const h = harness(m.scheduler, [skim({ fraction: '1/10', units: 2n, every: 2 })]);
      for (const amount of [100n, 100n, 1n, 1n]) h.send(prepareOf(amount)).subscribe();
      expect(h.delivered.map((p) => p.amount)).toEqual([100n, 88n, 1n, 0n]);
      expect(h.ledger.tally('skimmed')).toEqual({ count: 2, amount: 13n });
    }),
  );
});

describe('timing faults', () => {
  it(
    'jitter: each Prepare waits a seeded 0..max ms, so a later one can overtake; same seed, same delays',
    marbles((m) => {
      const h = harness(m.scheduler, [jitter({ min: 1, max: 30 })], 11);
      const order: bigint[] = [];
      for (const amount of [1n, 2n, 3n, 4n, 5n]) h.send(prepareOf(amount, 1000)).subscribe();
      m.flush();
      order.push(...h.delivered.map((p) => p.amount));
      const delays = h.ledger.events.map((e) => e.detail);
      expect(new Set(order)).toEqual(new Set([1n, 2n, 3n, 4n, 5n]));
      expect(order).not.toEqual([1n, 2n, 3n, 4n, 5n]); // seed 11 reorders them
      const again = harness(m.scheduler, [jitter({ min: 1, max: 30 })], 11);
      for (const amount of [1n, 2n, 3n, 4n, 5n]) again.send(prepareOf(amount, 100_000)).subscribe();
      m.flush();
      expect(again.ledger.events.map((e) => e.detail)).toEqual(delays);
    }),
  );

  it(
    'jitter pins the reply at the drawn delay',
    marbles((m) => {
      const h = harness(m.scheduler, [jitter({ min: 7, max: 7 })]);
      m.expect(h.send(prepareOf(1n, 1000))).toBeObservable('7ms (f|)', { f: 'fulfill' });
    }),
  );

  it(
    'duplicatePrepare: the receiver gets two copies (the second `gap` ms later), the sender one reply; a fulfilled copy is recorded as credited twice',
    marbles((m) => {
      const h = harness(m.scheduler, [duplicatePrepare({ gap: 4 })]);
      m.expect(h.send(prepareOf(9n, 1000))).toBeObservable('(f|)', { f: 'fulfill' });
      m.flush();
      expect(h.delivered.map((p) => p.amount)).toEqual([9n, 9n]);
      expect(h.ledger.money()).toEqual({ arrived: 18n, seen: 9n, seenCorrupted: 0n, unseen: 9n, twice: 9n });
    }),
  );
});

describe('reply data faults', () => {
  it.each(['missing', 'truncated', 'bitflip', 'garbage'] as const)(
    'corruptFulfillData(%s): the fulfillment stays, the data is spoiled, the sender sees it as a corrupt Fulfill',
    (mode) => {
      const h = harness({ now: () => 0, schedule: () => { throw new Error('no timers expected'); } } as never, [corruptFulfillData({ mode })]);
      let reply: unknown;
      h.sendRaw(prepareOf(5n)).subscribe((r) => (reply = r));
      expect(reply).toMatchObject({ type: IlpPacketType.Fulfill, fulfillment: FULFILL.type === IlpPacketType.Fulfill ? FULFILL.fulfillment : undefined });
      const data = (reply as { data: Buffer }).data;
      expect(data.equals(FULFILL.type === IlpPacketType.Fulfill ? FULFILL.data : Buffer.alloc(0))).toBe(false);
      if (mode === 'missing') expect(data).toHaveLength(0);
      expect(h.ledger.count('corruptedFulfill')).toBe(1);
      expect(h.ledger.money()).toMatchObject({ arrived: 5n, seen: 0n, seenCorrupted: 5n, unseen: 0n });
      expect(h.ledger.events.find((e) => e.kind === 'corruptFulfillSeen')?.prepare?.amount).toBe(5n);
    },
  );

  it(
    'garbageRejectData: Rejects keep their code with 1..64 garbage bytes of data; Fulfills pass',
    marbles((m) => {
      const h = harness(m.scheduler, [garbageRejectData()]);
      const replies: Array<{ type: number; code?: string; data: Buffer }> = [];
      h.sendRaw(prepareOf(1n), () => of(REJECT)).subscribe((r) => replies.push(r as never));
      h.sendRaw(prepareOf(1n)).subscribe((r) => replies.push(r as never));
      expect(replies[0]).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(replies[0]?.data.equals(Buffer.from('reject data'))).toBe(false);
      expect(replies[0]?.data.length).toBeGreaterThanOrEqual(1);
      expect(replies[1]).toBe(FULFILL);
      expect(h.ledger.count('garbledReject')).toBe(1);
    }),
  );
});

describe('disconnect', () => {
  it(
    'fails a send in flight at `from` with DISCONNECTED, refuses sends while down with NOT_CONNECTED, works again after',
    marbles((m) => {
      const fault = disconnect({ from: 10, duration: 20 });
      const h = harness(m.scheduler, [fault]);
      const slow = () => timer(15, m.scheduler).pipe(map(() => FULFILL));
      const code = (e: { code: string }) => of(e.code);
      m.expect(h.send(prepareOf(1n, 1000), slow).pipe(catchError(code))).toBeObservable('10ms (d|)', { d: 'DISCONNECTED' });
      const errors: string[] = [];
      const codes: string[] = [];
      m.scheduler.schedule(() => h.send(prepareOf(1n, 1000)).subscribe({ error: (e: { code: string }) => errors.push(e.code) }), 20);
      m.scheduler.schedule(() => h.send(prepareOf(1n, 1000)).subscribe((c) => codes.push(c)), 30);
      m.flush();
      expect(errors).toEqual(['NOT_CONNECTED']);
      expect(codes).toEqual(['fulfill']);
      expect([fault.linkDown?.(9), fault.linkDown?.(10), fault.linkDown?.(29), fault.linkDown?.(30)]).toEqual([false, true, true, false]);
      expect([h.ledger.count('failedByDisconnect'), h.ledger.count('refusedWhileDown')]).toEqual([1, 1]);
      // The one in flight had reached the receiver, which fulfilled it at 15: money moved, unseen.
      expect(h.ledger.money()).toMatchObject({ arrived: 2n, seen: 1n, unseen: 1n });
    }),
  );
});
