/**
 * Connection tags with ilp-protocol-stream 2.7.1 (RFC 29 §4.1 setup; checklist 29-4.1-c, E39):
 * a tag given to generateAddressAndSecret() is sealed into the address token, and the connection
 * opened with those credentials carries it, whichever implementation is the client.
 */
import { createMemoryNetwork, createServer } from '../../lib';
import { reference } from './reference-shim';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer } from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

describe('connectionTag', () => {
  it('29-4.1-c: a tag from our server shows up on the connection the reference client opens with it, and that connection is the one paid', async () => {
    let taggedReceived = 0n;
    const pair = await refClientToOurServer(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      { connectionTag: 'order-42', onConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => (taggedReceived += a))) },
    );
    expect(pair.ours.connectionTag).toBe('order-42');
    await pair.ref.createStream().sendTotal(10_000);
    expect(taggedReceived).toBe(5000n);
    expect(pair.ours.totals.received).toBe(5000n);
  });

  it('29-4.1-c: the tag travels with the credentials, not the server: two reference clients in turn get their own tags, and no tag means none', async () => {
    const network = createMemoryNetwork({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const server = await createServer({ plugin: network.server });
    const tags: Array<string | undefined> = [];
    server.connections$.subscribe((c) => tags.push(c.connectionTag));
    try {
      for (const tag of ['alice', 'bob', undefined]) {
        const { destinationAccount, sharedSecret } = server.generateAddressAndSecret(tag);
        const ref = await reference.createConnection({ plugin: network.client, destinationAccount, sharedSecret });
        await ref.createStream().sendTotal(100);
        await ref.end();
      }
      expect(tags).toEqual(['alice', 'bob', undefined]);
    } finally {
      await server.close();
    }
  });

  it('29-4.1-c: a tag from the reference server shows up on its connection when our client connects with it', async () => {
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { connectionTag: 'order-42' });
    expect(pair.ref.connectionTag).toBe('order-42');
  });
});
