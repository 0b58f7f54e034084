import { asyncScheduler, map, mergeMap, type SchedulerLike, Subscription } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  incomingPrepares,
  type IlpReply,
  rejectF99,
  sendPrepare,
  serializeIlpPrepare,
} from '../../lib/ilp';
import { createMemoryNetwork, createPluginPair, isMemoryNetworkError, MemoryPlugin } from '../../lib/network';
import { IlpPacketType } from '../../lib/wire/types';
import { answerWith, prepareTo, send } from './helpers';

describe('createMemoryNetwork / createPluginPair', () => {
  it('createPluginPair returns the client end then the server end of one network', async () => {
    const [client, server] = createPluginPair();
    expect([client, server].every((plugin) => plugin instanceof MemoryPlugin)).toBe(true);
    expect([client.side, server.side]).toEqual(['client', 'server']);
    await client.connect();
    await server.connect();
    answerWith(server, () => rejectF99(Buffer.from('from the server')));
    expect((await send(client, prepareTo('test.memory.server'))).data.toString()).toBe('from the server');
  });

  it('validates options at creation and in the setters', () => {
    expect(() => createPluginPair({ latency: -5 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    const network = createMemoryNetwork();
    for (const change of [
      () => network.setExchangeRate(-1),
      () => network.setMaxPacketAmount(-1),
      () => network.setOnPrepare('nope' as never),
    ]) {
      let caught: unknown;
      try {
        change();
      } catch (error) {
        caught = error;
      }
      expect(isMemoryNetworkError(caught, 'INVALID_OPTION')).toBe(true);
    }
  });

  it('uses no timer at all at latency 0: both hops are microtasks', async () => {
    let timers = 0;
    const counting: SchedulerLike = {
      now: () => Date.now(),
      schedule: (...args: Parameters<SchedulerLike['schedule']>) => {
        timers += 1;
        return asyncScheduler.schedule(...args);
      },
    };
    const network = createMemoryNetwork({ scheduler: counting });
    await network.client.connect();
    await network.server.connect();
    answerWith(network.server, () => rejectF99(Buffer.alloc(0)));
    for (let i = 0; i < 20; i++) await send(network.client, prepareTo('test.memory.server'));
    expect(network.stats.clientToServer.rejected).toBe(20);
    expect(timers).toBe(0);
  });
});

describe('latency on the scheduler (marble tests)', () => {
  it(
    'delivers a Prepare to the other end one latency after it was sent, in both directions',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 10, scheduler: m.scheduler });
      void network.client.connect();
      void network.server.connect();
      const clientSends = m.cold('a 19ms b|', { a: 1n, b: 2n });
      const serverSends = m.cold('- 4ms c|', { c: 3n });
      const sendFrom = (plugin: MemoryPlugin, to: string) => (amount: bigint) =>
        void plugin.sendData(serializeIlpPrepare(prepareTo(to, amount, new Date(1_000)))).catch(() => undefined);
      const arrivals = (plugin: MemoryPlugin) => incomingPrepares(plugin).pipe(map(({ prepare }) => prepare.amount));

      m.expect(arrivals(network.server)).toBeObservable('- 9ms a 19ms b', { a: 1n, b: 2n });
      m.expect(arrivals(network.client)).toBeObservable('- 14ms c', { c: 3n });
      clientSends.subscribe(sendFrom(network.client, 'test.memory.server'));
      serverSends.subscribe(sendFrom(network.server, 'test.memory.client'));
      m.expect(clientSends).toHaveSubscriptions('^ 20ms !');
      m.expect(serverSends).toHaveSubscriptions('^ 5ms !');
    }),
  );

  it(
    'leaves a reply that would come back after the expiry to the sender, which emits R00 at the expiry (E26)',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 30, scheduler: m.scheduler });
      void network.client.connect();
      void network.server.connect();
      const trigger = m.cold('a|');
      const replies = trigger.pipe(
        mergeMap(() => sendPrepare(network.client, prepareTo('test.memory.server', 1n, new Date(50)), { scheduler: m.scheduler })),
        map((reply) => (reply.type === IlpPacketType.Reject ? reply.code : 'fulfill')),
      );
      m.expect(incomingPrepares(network.server).pipe(map(() => 'p'))).toBeObservable('- 29ms p');
      m.expect(replies).toBeObservable('- 49ms (r|)', { r: 'R00' });
      m.expect(trigger).toHaveSubscriptions('^!');
    }),
  );

  it(
    'never delivers a Prepare that expires on the way, and counts it rejected once the R00 is back',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 30, scheduler: m.scheduler });
      void network.client.connect();
      void network.server.connect();
      const trigger = m.cold('a|');
      trigger.subscribe(() => void network.client.sendData(serializeIlpPrepare(prepareTo('test.memory.server', 1n, new Date(20)))));
      m.expect(incomingPrepares(network.server)).toBeObservable('-');
      m.expect(trigger).toHaveSubscriptions('^!');
      m.flush();
      expect(network.stats.clientToServer).toMatchObject({ prepares: 1, delivered: 0, rejected: 1 });
    }),
  );
});

describe('round trip timing on the default asyncScheduler (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('answers a Prepare after exactly 2 x latency: one hop there, one back', async () => {
    const network = createMemoryNetwork({ latency: 25 });
    await network.client.connect();
    await network.server.connect();
    const subscriptions = new Subscription();
    subscriptions.add(answerWith(network.server, () => rejectF99(Buffer.from('pong'))));
    const replies: IlpReply[] = [];
    subscriptions.add(sendPrepare(network.client, prepareTo('test.memory.server')).subscribe((reply) => replies.push(reply)));
    await jest.advanceTimersByTimeAsync(24);
    expect(network.stats.clientToServer.delivered).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(network.stats.clientToServer.delivered).toBe(1);
    await jest.advanceTimersByTimeAsync(24);
    expect(replies).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(replies).toEqual([rejectF99(Buffer.from('pong'))]);
    subscriptions.unsubscribe();
  });
});
