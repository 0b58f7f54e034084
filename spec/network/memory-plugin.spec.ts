import { serializeIlpPrepare } from '../../lib/ilp';
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
