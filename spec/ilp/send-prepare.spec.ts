import { EMPTY, firstValueFrom, map, type Observable, of, type SchedulerLike, Subscription, throwError } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  type IlpPrepare,
  type IlpReply,
  isIlpArgumentError,
  rejectF08,
  sendPrepare,
  serializeIlpFulfill,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';
import { fakePlugin, observablePlugin } from './fake-plugin';

const prepareAt = (expiresAtMs: number): IlpPrepare => ({
  amount: 10n,
  expiresAt: new Date(expiresAtMs),
  executionCondition: Buffer.alloc(32, 1),
  destination: 'test.bob',
  data: Buffer.from('payload'),
});

const FAR_FUTURE = Date.now() + 60_000;
const r00 = expect.objectContaining({ type: IlpPacketType.Reject, code: 'R00', triggeredBy: '' });

/** A scheduler that never fires, so async tests see only what the plugin's promise does. */
function idleScheduler(now = 0): SchedulerLike & { cancelled: number; scheduled: number } {
  const scheduler = {
    cancelled: 0,
    scheduled: 0,
    now: () => now,
    schedule: () => {
      scheduler.scheduled += 1;
      return new Subscription(() => {
        scheduler.cancelled += 1;
      });
    },
  };
  return scheduler as unknown as SchedulerLike & { cancelled: number; scheduled: number };
}

describe('sendPrepare: timing on the scheduler (E26, B7: a hung plugin must not block forever)', () => {
  it(
    'emits a synthesized R00 at prepare.expiresAt when no reply arrives, having sent once at subscription',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(50), { scheduler: m.scheduler });
      m.expect(reply$).toBeObservable('- 49ms (r|)', { r: r00 });
      m.expect(replies).toHaveSubscriptions('^ 49ms !');
    }),
  );

  it(
    'measures the timeout to the absolute expiry, not from subscription, and sends nothing before subscription (cold)',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(50), { scheduler: m.scheduler });
      m.expect(reply$, '- 9ms ^').toBeObservable('- 49ms (r|)', { r: r00 });
      m.expect(replies).toHaveSubscriptions('- 9ms ^ 39ms !');
    }),
  );

  it(
    'sends once per subscription',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(50), { scheduler: m.scheduler });
      m.expect(reply$).toBeObservable('- 49ms (r|)', { r: r00 });
      m.expect(reply$, '- 4ms ^').toBeObservable('- 49ms (r|)', { r: r00 });
      m.expect(replies).toHaveSubscriptions(['^ 49ms !', '- 4ms ^ 44ms !']);
    }),
  );

  it(
    'stops waiting after timeoutMs when that comes before the expiry',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(50), { scheduler: m.scheduler, timeoutMs: 20 });
      m.expect(reply$).toBeObservable('- 19ms (r|)', { r: r00 });
      m.expect(replies).toHaveSubscriptions('^ 19ms !');
    }),
  );

  it(
    'answers R00 at once and sends nothing when the Prepare has already expired',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(10), { scheduler: m.scheduler });
      m.expect(reply$, '- 9ms ^').toBeObservable('- 9ms (r|)', { r: r00 });
      m.expect(replies).toHaveSubscriptions([]);
    }),
  );

  it(
    'emits nothing after an early unsubscribe',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const reply$ = sendPrepare(observablePlugin(replies), prepareAt(50), { scheduler: m.scheduler });
      m.expect(reply$, '^ 19ms !').toBeObservable('-');
      m.expect(replies).toHaveSubscriptions('^ 19ms !');
    }),
  );

  it('cancels its timer when the reply arrives and when unsubscribed', async () => {
    const scheduler = idleScheduler();
    const reject = serializeIlpReply(rejectF08(2n, 1n));
    await firstValueFrom(sendPrepare(fakePlugin(() => Promise.resolve(reject)), prepareAt(50), { scheduler }));
    expect([scheduler.scheduled, scheduler.cancelled]).toEqual([1, 1]);
    sendPrepare(fakePlugin(), prepareAt(50), { scheduler }).subscribe().unsubscribe();
    expect([scheduler.scheduled, scheduler.cancelled]).toEqual([2, 2]);
  });
});

describe('sendPrepare: outcomes are values', () => {
  const scheduler = idleScheduler();
  const send = (sendData: (data: Buffer) => Promise<Buffer>): Promise<IlpReply> =>
    firstValueFrom(sendPrepare(fakePlugin(sendData), prepareAt(FAR_FUTURE), { scheduler }));

  it('sends the serialized Prepare and emits the decoded Fulfill', async () => {
    const plugin = fakePlugin(() => Promise.resolve(serializeIlpFulfill({ fulfillment: Buffer.alloc(32, 9), data: Buffer.from('ok') })));
    const reply = await firstValueFrom(sendPrepare(plugin, prepareAt(FAR_FUTURE), { scheduler }));
    expect(plugin.sent).toEqual([serializeIlpPrepare(prepareAt(FAR_FUTURE))]);
    expect(reply).toEqual({ type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 9), data: Buffer.from('ok') });
  });

  it('emits a Reject as a value, F08 data intact', async () => {
    expect(await send(() => Promise.resolve(serializeIlpReply(rejectF08(1500n, 1000n))))).toEqual(rejectF08(1500n, 1000n));
  });

  it('turns a rejected sendData promise into T00 carrying the reason', async () => {
    expect(await send(() => Promise.reject(new Error('socket closed')))).toMatchObject({
      type: IlpPacketType.Reject,
      code: 'T00',
      message: expect.stringContaining('socket closed'),
    });
  });

  it('turns a sendData that throws synchronously, or returns no promise, into T00', async () => {
    expect(await send(() => { throw new Error('boom'); })).toMatchObject({ code: 'T00', message: expect.stringContaining('boom') });
    expect(await send(() => undefined as unknown as Promise<Buffer>)).toMatchObject({ code: 'T00' });
  });

  it('turns an undecodable reply, a Prepare as reply, or a non-Buffer into F01 (final: the peer is broken)', async () => {
    expect(await send(() => Promise.resolve(Buffer.from([13, 1, 2])))).toMatchObject({ code: 'F01' });
    expect(await send(() => Promise.resolve(serializeIlpPrepare(prepareAt(FAR_FUTURE))))).toMatchObject({ code: 'F01' });
    expect(await send(() => Promise.resolve('text' as unknown as Buffer))).toMatchObject({ code: 'F01' });
  });

  it('keeps a huge plugin error message within the RFC 27 message limit', async () => {
    const reply = await send(() => Promise.reject(new Error('x'.repeat(100_000))));
    expect(reply.type === IlpPacketType.Reject && Buffer.byteLength(reply.message)).toBeLessThanOrEqual(8191);
  });

  it('causes no unhandled rejection when the promise rejects after unsubscribe', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const plugin = fakePlugin(() => new Promise<Buffer>((_resolve, reject) => (fail = reject)));
      const seen: IlpReply[] = [];
      sendPrepare(plugin, prepareAt(FAR_FUTURE), { scheduler }).subscribe((reply) => seen.push(reply)).unsubscribe();
      fail(new Error('late failure'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('sendPrepare: argument validation', () => {
  it.each<[string, () => unknown]>([
    ['plugin', () => sendPrepare({} as never, prepareAt(FAR_FUTURE))],
    ['plugin', () => sendPrepare(null as never, prepareAt(FAR_FUTURE))],
    ['prepare.amount', () => sendPrepare(fakePlugin(), { ...prepareAt(FAR_FUTURE), amount: -5n })],
    ['options.timeoutMs', () => sendPrepare(fakePlugin(), prepareAt(FAR_FUTURE), { timeoutMs: -1 })],
    ['options.scheduler', () => sendPrepare(fakePlugin(), prepareAt(FAR_FUTURE), { scheduler: {} as SchedulerLike })],
  ])('throws IlpArgumentError naming %s at call time', (argument, call) => {
    let caught: unknown;
    try {
      call();
    } catch (error) {
      caught = error;
    }
    expect(isIlpArgumentError(caught) && caught.argument).toBe(argument);
  });
});

describe('sendPrepare over an ObservablePlugin: no Promise on the path, so marble tests pin the reply', () => {
  const fulfill = serializeIlpFulfill({ fulfillment: Buffer.alloc(32, 9), data: Buffer.from('ok') });

  it(
    'emits the reply at the exact frame the plugin emits it, and releases the plugin Observable then',
    marbles((m) => {
      const replies = m.cold<Buffer>('- 9ms (b|)', { b: fulfill });
      const plugin = observablePlugin(replies);
      const reply$ = sendPrepare(plugin, prepareAt(50), { scheduler: m.scheduler }).pipe(map((reply) => reply.type));
      m.expect(reply$).toBeObservable('- 9ms (f|)', { f: IlpPacketType.Fulfill });
      m.expect(replies).toHaveSubscriptions('^ 9ms !');
      m.flush();
      expect(plugin.calls).toEqual({ sendData: 0, sendDataObservable: 1 });
    }),
  );

  it('emits synchronously, with no timer at all, when the plugin answers synchronously', () => {
    const scheduler = idleScheduler();
    const seen: IlpReply[] = [];
    sendPrepare(observablePlugin(of(fulfill)), prepareAt(FAR_FUTURE), { scheduler }).subscribe((reply) => seen.push(reply));
    expect(seen).toEqual([{ type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 9), data: Buffer.from('ok') }]);
    expect(scheduler.scheduled).toBe(0);
  });

  it.each<[string, Observable<Buffer>, string]>([
    ['an error notification', throwError(() => new Error('link down')), 'link down'],
    ['a completion without a reply', EMPTY, 'completed without a reply'],
  ])('turns %s into T00', (_name, replies, message) => {
    const seen: IlpReply[] = [];
    sendPrepare(observablePlugin(replies), prepareAt(FAR_FUTURE), { scheduler: idleScheduler() }).subscribe((reply) => seen.push(reply));
    expect(seen).toEqual([expect.objectContaining({ code: 'T00', message: expect.stringContaining(message) })]);
  });

  it('turns an undecodable reply into F01 and takes only the first of several values', () => {
    const seen: IlpReply[] = [];
    const replies = of(Buffer.from([13, 1, 2]), fulfill);
    sendPrepare(observablePlugin(replies), prepareAt(FAR_FUTURE), { scheduler: idleScheduler() }).subscribe((reply) => seen.push(reply));
    expect(seen).toEqual([expect.objectContaining({ code: 'F01' })]);
  });
});
