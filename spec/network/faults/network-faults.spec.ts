/**
 * Faults installed where users install them: in createPluginPair / createMemoryNetwork (the
 * connector's middle, after rate and F08, before delivery) and around any plugin with withFaults.
 */
import { map, of, switchMap } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  createMemoryNetwork,
  deserializeIlpReply,
  dropPrepare,
  IlpPacketType,
  jitter,
  type IlpReply,
  serializeIlpFulfill,
  serializeIlpPrepare,
  skim,
  withFaults,
  disconnect,
  sendPrepare,
} from '../../../lib';
import { prepareOf } from './harness';

const fulfillAll = () => of(serializeIlpFulfill({ fulfillment: Buffer.alloc(32, 1), data: Buffer.alloc(0) }));
const code = (reply: IlpReply) => (reply.type === IlpPacketType.Fulfill ? 'fulfill' : reply.code);

describe('faults in the memory network', () => {
  it(
    'a dropped Prepare is answered R00 at its expiry, with latency 5 on the scheduler (sender-side timing)',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 5, scheduler: m.scheduler, faults: [dropPrepare({ every: 2 })] });
      network.server.registerObservableDataHandler(fulfillAll);
      void network.client.connect();
      void network.server.connect();
      const send = (amount: bigint) => sendPrepare(network.client, prepareOf(amount, 40), { scheduler: m.scheduler }).pipe(map(code));
      m.expect(send(1n)).toBeObservable('10ms (f|)', { f: 'fulfill' });
      m.expect(m.cold('1ms a').pipe(switchMap(() => send(2n)))).toBeObservable('40ms r', { r: 'R00' });
      m.flush();
      expect(network.faultLedger.count('droppedPrepare')).toBe(1);
      expect(network.stats.clientToServer).toMatchObject({ prepares: 2, delivered: 1, fulfilled: 1 });
    }),
  );

  it(
    'faults see the receiver\'s units (after the exchange rate) and the stats count what was delivered',
    marbles((m) => {
      const network = createMemoryNetwork({ exchangeRate: 2, scheduler: m.scheduler, faults: [skim({ units: 5n })] });
      network.server.registerObservableDataHandler(fulfillAll);
      void network.client.connect();
      void network.server.connect();
      sendPrepare(network.client, prepareOf(100n, 1000), { scheduler: m.scheduler }).subscribe();
      m.flush();
      expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(195n);
      expect(network.faultLedger.money('clientToServer')).toMatchObject({ arrived: 195n, seen: 195n, unseen: 0n });
    }),
  );

  it('setFaults replaces the faults at run time and validates them', async () => {
    const network = createMemoryNetwork();
    network.server.registerDataHandler(async () => serializeIlpFulfill({ fulfillment: Buffer.alloc(32), data: Buffer.alloc(0) }));
    await network.client.connect();
    await network.server.connect();
    const send = async () => deserializeIlpReply(await network.client.sendData(serializeIlpPrepare(prepareOf(1n, Date.now() + 50)))).type;
    expect(await send()).toBe(IlpPacketType.Fulfill);
    network.setFaults([dropPrepare()]);
    const dropped = network.client.sendData(serializeIlpPrepare(prepareOf(1n, Date.now() + 30)));
    expect(deserializeIlpReply(await dropped)).toMatchObject({ code: 'R00' });
    network.setFaults(undefined);
    expect(await send()).toBe(IlpPacketType.Fulfill);
    expect(() => network.setFaults(['x' as never])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('withFaults around any plugin', () => {
  it(
    'jitters outgoing Prepares on the scheduler, in list order before a disconnect window, which also reads as isConnected() false',
    marbles((m) => {
      const network = createMemoryNetwork({ scheduler: m.scheduler });
      network.server.registerObservableDataHandler(fulfillAll);
      const plugin = withFaults(network.client, [jitter({ min: 3, max: 3 }), disconnect({ from: 10, duration: 5 })], { scheduler: m.scheduler, seed: 1 });
      void plugin.connect();
      void network.server.connect();
      m.expect(sendPrepare(plugin, prepareOf(1n, 1000), { scheduler: m.scheduler }).pipe(map(code))).toBeObservable('3ms (f|)', { f: 'fulfill' });
      // Sent at 11, jittered (outermost) to 14, inside the window: it fails as a disconnected
      // plugin's send does, and sendPrepare turns that into T00.
      m.expect(m.cold('11ms a').pipe(switchMap(() => sendPrepare(plugin, prepareOf(1n, 1000), { scheduler: m.scheduler })), map(code))).toBeObservable('14ms t', { t: 'T00' });
      const connected: boolean[] = [];
      m.scheduler.schedule(() => connected.push(plugin.isConnected()), 12);
      m.scheduler.schedule(() => connected.push(plugin.isConnected()), 16);
      m.flush();
      expect(connected).toEqual([false, true]);
      expect(plugin.faultLedger.count('refusedWhileDown', 'outgoing')).toBe(1);
      expect(plugin.faultLedger.money('outgoing')).toMatchObject({ arrived: 1n, seen: 1n });
    }),
  );

  it('faults incoming Prepares through a Promise handler, over a Promise-only plugin', async () => {
    const network = createMemoryNetwork();
    const promiseOnly = {
      connect: () => network.server.connect(),
      disconnect: () => network.server.disconnect(),
      isConnected: () => network.server.isConnected(),
      sendData: (data: Buffer) => network.server.sendData(data),
      registerDataHandler: (h: (data: Buffer) => Promise<Buffer>) => network.server.registerDataHandler(h),
      deregisterDataHandler: () => network.server.deregisterDataHandler(),
    };
    const server = withFaults(promiseOnly, [dropPrepare({ every: 2, direction: 'incoming' })]);
    let handled = 0;
    server.registerDataHandler(async () => {
      handled += 1;
      return serializeIlpFulfill({ fulfillment: Buffer.alloc(32), data: Buffer.alloc(0) });
    });
    await server.connect();
    await network.client.connect();
    const replies = [];
    for (let i = 0; i < 2; i += 1) replies.push(deserializeIlpReply(await network.client.sendData(serializeIlpPrepare(prepareOf(1n, Date.now() + 40)))));
    expect(replies.map(code)).toEqual(['fulfill', 'R00']);
    expect(handled).toBe(1);
    expect(server.faultLedger.count('droppedPrepare', 'incoming')).toBe(1);
    expect(server.on).toBeUndefined(); // the inner plugin has no events, so neither has the wrapper
  });
});
