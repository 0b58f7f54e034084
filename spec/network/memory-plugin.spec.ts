import { map, NEVER, type Observable, of, takeUntil } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { incomingPrepares, isObservablePlugin, rejectF99, serializeIlpPrepare } from '../../lib/ilp';
import { createMemoryNetwork, isMemoryNetworkError } from '../../lib/network';
import { connectedNetwork, prepareTo } from './helpers';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('MemoryPlugin behaves like a real plugin (ilp-plugin-btp)', () => {
  it('starts disconnected, and emits connect and disconnect once per change', async () => {
    const { client } = createMemoryNetwork();
    const events: string[] = [];
    client.on('connect', () => events.push('connect'));
    client.on('disconnect', () => events.push('disconnect'));
    expect(client.isConnected()).toBe(false);
    await client.connect();
    await client.connect();
    expect(client.isConnected()).toBe(true);
    await client.disconnect();
    await client.disconnect();
    expect(client.isConnected()).toBe(false);
    expect(events).toEqual(['connect', 'disconnect']);
  });

  it('names its side', () => {
    const { client, server } = createMemoryNetwork();
    expect([client.side, server.side]).toEqual(['client', 'server']);
  });

  it('rejects sendData with NOT_CONNECTED while disconnected', async () => {
    const { client } = createMemoryNetwork();
    const error = await rejection(client.sendData(serializeIlpPrepare(prepareTo('test.memory.server'))));
    expect(isMemoryNetworkError(error, 'NOT_CONNECTED')).toBe(true);
  });

  it('rejects sendData with INVALID_ARGUMENT for anything but a Buffer', async () => {
    const network = await connectedNetwork();
    expect(isMemoryNetworkError(await rejection(network.client.sendData('bytes' as never)), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('fails every sendData still waiting with DISCONNECTED when it disconnects, and ignores their late replies', async () => {
    const network = await connectedNetwork();
    let answer: (reply: Buffer) => void = () => undefined;
    network.server.registerDataHandler(() => new Promise<Buffer>((resolve) => (answer = resolve)));
    const pending = network.client.sendData(serializeIlpPrepare(prepareTo('test.memory.server')));
    await new Promise((resolve) => setImmediate(resolve));
    await network.client.disconnect();
    expect(isMemoryNetworkError(await rejection(pending), 'DISCONNECTED')).toBe(true);
    answer(Buffer.from([14, 0]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(network.stats.clientToServer).toMatchObject({ delivered: 1, fulfilled: 0, rejected: 0 });
  });

  it('refuses a second data handler, and a handler that is not a function', () => {
    const { server } = createMemoryNetwork();
    server.registerDataHandler(() => Promise.resolve(Buffer.alloc(0)));
    const second = (() => {
      try {
        server.registerDataHandler(() => Promise.resolve(Buffer.alloc(0)));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isMemoryNetworkError(second, 'HANDLER_ALREADY_REGISTERED')).toBe(true);
    server.deregisterDataHandler();
    expect(() => server.registerDataHandler(() => Promise.resolve(Buffer.alloc(0)))).not.toThrow();
    expect(() => server.registerDataHandler('handler' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('MemoryPlugin as an ObservablePlugin', () => {
  const observe = (source: Observable<Buffer>) => {
    const seen: { value?: Buffer; error?: unknown; done: boolean } = { done: false };
    source.subscribe({ next: (value) => (seen.value = value), error: (error: unknown) => (seen.error = error), complete: () => (seen.done = true) });
    return seen;
  };

  it('is recognised by isObservablePlugin', () => {
    expect(isObservablePlugin(createMemoryNetwork().client)).toBe(true);
  });

  it('errors sendDataObservable synchronously with NOT_CONNECTED, and INVALID_ARGUMENT for a non-Buffer', async () => {
    const { client } = createMemoryNetwork();
    expect(isMemoryNetworkError(observe(client.sendDataObservable(Buffer.alloc(1))).error, 'NOT_CONNECTED')).toBe(true);
    await client.connect();
    expect(isMemoryNetworkError(observe(client.sendDataObservable('bytes' as never)).error, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('shares one handler slot between the Promise and the Observable kinds', () => {
    const { server } = createMemoryNetwork();
    server.registerObservableDataHandler(() => of(Buffer.alloc(0)));
    expect(() => server.registerDataHandler(() => Promise.resolve(Buffer.alloc(0)))).toThrow(expect.objectContaining({ code: 'HANDLER_ALREADY_REGISTERED' }));
    server.deregisterDataHandler();
    server.registerDataHandler(() => Promise.resolve(Buffer.alloc(0)));
    expect(() => server.registerObservableDataHandler(() => of(Buffer.alloc(0)))).toThrow(expect.objectContaining({ code: 'HANDLER_ALREADY_REGISTERED' }));
    expect(() => createMemoryNetwork().server.registerObservableDataHandler('handler' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('errors every waiting sendDataObservable with DISCONNECTED when it disconnects', async () => {
    const network = await connectedNetwork();
    network.server.registerObservableDataHandler(() => NEVER);
    const waiting = observe(network.client.sendDataObservable(serializeIlpPrepare(prepareTo('test.memory.server'))));
    await network.client.disconnect();
    expect(isMemoryNetworkError(waiting.error, 'DISCONNECTED')).toBe(true);
  });

  it(
    'cannot recall a Prepare by unsubscribing: it still arrives at frame 5, is answered and is counted',
    marbles((m) => {
      const network = createMemoryNetwork({ latency: 5, scheduler: m.scheduler });
      void network.client.connect();
      void network.server.connect();
      const arrivals = incomingPrepares(network.server).pipe(
        map(({ prepare, respond }) => {
          respond(rejectF99(Buffer.alloc(0)));
          return prepare.amount;
        }),
      );
      const send$ = network.client.sendDataObservable(serializeIlpPrepare(prepareTo('test.memory.server', 3n, new Date(1_000))));
      m.expect(arrivals).toBeObservable('5ms p', { p: 3n });
      const stopListening = m.cold('- 2ms x');
      m.expect(send$.pipe(takeUntil(stopListening))).toBeObservable('- 2ms |');
      m.expect(stopListening).toHaveSubscriptions('^ 2ms !');
      m.flush();
      expect(network.stats.clientToServer).toMatchObject({ prepares: 1, delivered: 1, rejected: 1 });
    }),
  );
});
