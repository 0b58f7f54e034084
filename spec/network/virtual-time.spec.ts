/**
 * The in-memory network as a virtual-time transport: every hop is `timer(latency, scheduler)` or
 * nothing, so marble tests pin when a Prepare arrives and when its reply comes back, and at
 * latency 0 the whole round trip is synchronous.
 */
import { asyncScheduler, map, mergeMap, type SchedulerLike, timer } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  fetchIldcp,
  type IlpReply,
  incomingPrepares,
  deserializeIlpReply,
  rejectF99,
  sendPrepare,
  serializeIlpFulfill,
  serializeIlpPrepare,
} from '../../lib/ilp';
import { createMemoryNetwork, createPluginPair } from '../../lib/network';
import { IlpPacketType } from '../../lib/wire/types';
import { answerWith, prepareTo } from './helpers';

const fulfill = { type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 1), data: Buffer.alloc(0) } as const;
const kind = (reply: IlpReply): string => (reply.type === IlpPacketType.Reject ? reply.code : 'fulfill');

function connectedPair(options: Parameters<typeof createPluginPair>[0]) {
  const [client, server] = createPluginPair(options);
  // MemoryPlugin connects synchronously; the promise is only for the Plugin contract.
  void client.connect();
  void server.connect();
  return [client, server] as const;
}

function countingScheduler(): SchedulerLike & { count: number } {
  const scheduler = {
    count: 0,
    now: () => Date.now(),
    schedule: (...args: Parameters<SchedulerLike['schedule']>) => {
      scheduler.count += 1;
      return asyncScheduler.schedule(...args);
    },
  };
  return scheduler as SchedulerLike & { count: number };
}

describe('createPluginPair({ latency: 5, scheduler }) in virtual time (RFC 27 §overview: one hop each way)', () => {
  it(
    'delivers a Prepare at frame 5 and answers it at exactly frame 10',
    marbles((m) => {
      const [client, server] = connectedPair({ latency: 5, scheduler: m.scheduler });
      const arrivals = incomingPrepares(server).pipe(
        map(({ prepare, respond }) => {
          respond(rejectF99(Buffer.from('pong')));
          return prepare.amount;
        }),
      );
      const trigger = m.cold('a|');
      const replies = trigger.pipe(
        mergeMap(() => sendPrepare(client, prepareTo('test.memory.server', 7n, new Date(1_000)), { scheduler: m.scheduler })),
        map(kind),
      );
      m.expect(arrivals).toBeObservable('5ms p', { p: 7n });
      m.expect(replies).toBeObservable('10ms (r|)', { r: 'F99' });
      m.expect(trigger).toHaveSubscriptions('^!');
    }),
  );

  it(
    'answers IL-DCP at exactly frame 10 (RFC 31), from the connector, without reaching the other end',
    marbles((m) => {
      const [client, server] = connectedPair({ latency: 5, scheduler: m.scheduler, client: { address: 'test.alice', assetCode: 'USD', assetScale: 2 } });
      const trigger = m.cold('a|');
      const ildcp = trigger.pipe(mergeMap(() => fetchIldcp(client, { scheduler: m.scheduler })));
      m.expect(ildcp).toBeObservable('10ms (i|)', { i: { clientAddress: 'test.alice', assetCode: 'USD', assetScale: 2 } });
      m.expect(incomingPrepares(server)).toBeObservable('-');
      m.expect(trigger).toHaveSubscriptions('^!');
    }),
  );

  it(
    'answers R00 at the expiry frame when the reply would come later, and the connector turns the late Fulfill into R00 (27-Term-a, E26)',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 5, scheduler: m.scheduler });
      void network.client.connect();
      void network.server.connect();
      // The receiver takes 20 frames to answer: its Fulfill reaches the connector at 25, after the expiry at 12.
      incomingPrepares(network.server)
        .pipe(mergeMap(({ respond }) => timer(20, m.scheduler).pipe(map(() => respond(fulfill)))))
        .subscribe();
      const trigger = m.cold('a|');
      const replies = trigger.pipe(
        mergeMap(() => sendPrepare(network.client, prepareTo('test.memory.server', 1n, new Date(12)), { scheduler: m.scheduler })),
        map(kind),
      );
      m.expect(replies).toBeObservable('12ms (r|)', { r: 'R00' });
      m.expect(trigger).toHaveSubscriptions('^!');
      m.flush();
      expect(m.scheduler.now()).toBe(30);
      expect(network.stats.clientToServer).toMatchObject({ prepares: 1, delivered: 1, fulfilled: 0, rejected: 1 });
    }),
  );

  it(
    'lets a reply callback send the next Prepare: round trips follow each other at 10, 20, 30',
    marbles((m) => {
      const [client, server] = connectedPair({ latency: 5, scheduler: m.scheduler });
      answerWith(server, () => rejectF99(Buffer.alloc(0)));
      const send = () => sendPrepare(client, prepareTo('test.memory.server', 1n, new Date(1_000)), { scheduler: m.scheduler });
      const trigger = m.cold('a|');
      const chain = trigger.pipe(
        mergeMap(() => send()),
        mergeMap(() => send()),
        mergeMap(() => send()),
        map(kind),
      );
      m.expect(chain).toBeObservable('30ms (r|)', { r: 'F99' });
      m.expect(trigger).toHaveSubscriptions('^!');
    }),
  );
});

describe('createPluginPair() at latency 0: the whole round trip is synchronous', () => {
  it('emits the reply before subscribe returns, with no timer anywhere', () => {
    const scheduler = countingScheduler();
    const [client, server] = connectedPair({ scheduler });
    answerWith(server, () => rejectF99(Buffer.from('pong')));
    const replies: IlpReply[] = [];
    const subscription = sendPrepare(client, prepareTo('test.memory.server'), { scheduler }).subscribe((reply) => replies.push(reply));
    expect(replies).toEqual([rejectF99(Buffer.from('pong'))]);
    expect(subscription.closed).toBe(true);
    expect(scheduler.count).toBe(0);
  });

  it(
    'pins it in a marble test too: the reply lands on the frame of the send',
    marbles((m) => {
      const [client, server] = connectedPair({ scheduler: m.scheduler });
      answerWith(server, () => fulfill);
      const trigger = m.cold('- 3ms a|');
      const replies = trigger.pipe(mergeMap(() => sendPrepare(client, prepareTo('test.memory.server'), { scheduler: m.scheduler })), map(kind));
      m.expect(replies).toBeObservable('- 3ms f|', { f: 'fulfill' });
      m.expect(trigger).toHaveSubscriptions('^ 4ms !');
    }),
  );

  it('is re-entrant: a reply callback and a data handler may each send a Prepare synchronously', () => {
    const network = createMemoryNetwork();
    void network.client.connect();
    void network.server.connect();
    const order: string[] = [];
    // The client answers the server's Prepares; the server, before answering the client, asks the client something.
    answerWith(network.client, () => {
      order.push('client answers the server');
      return rejectF99(Buffer.from('from client'));
    });
    incomingPrepares(network.server).subscribe(({ prepare, respond }) => {
      order.push(`server got ${prepare.amount}`);
      sendPrepare(network.server, prepareTo('test.memory.client', 100n + prepare.amount)).subscribe((reply) => {
        order.push(`server heard ${kind(reply)}`);
        respond(fulfill);
      });
    });
    sendPrepare(network.client, prepareTo('test.memory.server', 1n)).subscribe((first) => {
      order.push(`client heard ${kind(first)}`);
      sendPrepare(network.client, prepareTo('test.memory.server', 2n)).subscribe((second) => order.push(`client heard ${kind(second)}`));
    });
    expect(order).toEqual([
      'server got 1', 'client answers the server', 'server heard F99', 'client heard fulfill',
      'server got 2', 'client answers the server', 'server heard F99', 'client heard fulfill',
    ]);
    expect(network.stats.clientToServer).toMatchObject({ prepares: 2, delivered: 2, fulfilled: 2 });
    expect(network.stats.serverToClient).toMatchObject({ prepares: 2, delivered: 2, rejected: 2 });
  });

  it('answers T00 synchronously when the receiving handler disconnects the sender mid-delivery', () => {
    const network = createMemoryNetwork();
    void network.client.connect();
    void network.server.connect();
    incomingPrepares(network.server).subscribe(({ respond }) => {
      void network.client.disconnect();
      respond(fulfill);
    });
    const replies: IlpReply[] = [];
    sendPrepare(network.client, prepareTo('test.memory.server')).subscribe((reply) => replies.push(reply));
    expect(replies).toEqual([expect.objectContaining({ code: 'T00', message: expect.stringContaining('DISCONNECTED') })]);
    expect(network.stats.clientToServer).toMatchObject({ delivered: 1, fulfilled: 0 });
  });
});

describe('the Promise API of the memory plugins still works (ilp-protocol-stream uses it)', () => {
  it('resolves sendData on a later microtask, never synchronously, even at latency 0', async () => {
    const [client, server] = connectedPair({});
    answerWith(server, () => fulfill);
    let settled = false;
    const pending = client.sendData(serializeIlpPrepare(prepareTo('test.memory.server'))).finally(() => (settled = true));
    expect(settled).toBe(false);
    expect(deserializeIlpReply(await pending)).toEqual(fulfill);
    expect(settled).toBe(true);
  });

  it('mixes the two: an Observable sender with a Promise handler, and a Promise sender with an Observable handler', async () => {
    const [client, server] = connectedPair({});
    server.registerDataHandler(async () => serializeIlpFulfill({ fulfillment: Buffer.alloc(32, 2), data: Buffer.from('promise') }));
    const reply = await new Promise<IlpReply>((resolve) => sendPrepare(client, prepareTo('test.memory.server')).subscribe(resolve));
    expect(reply).toEqual({ type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 2), data: Buffer.from('promise') });
    answerWith(client, () => rejectF99(Buffer.from('observable')));
    const back = deserializeIlpReply(await server.sendData(serializeIlpPrepare(prepareTo('test.memory.client'))));
    expect(back).toEqual(rejectF99(Buffer.from('observable')));
  });
});
