import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { connect, createConnection, createMemoryNetwork, createServer, isConnectionError, type Connection } from '../lib';
import { MAX_PACKET_SEQUENCE } from '../lib/connection/receiver';

jest.setTimeout(10_000);

async function setup() {
  const network = createMemoryNetwork({ exchangeRate: '1.37', server: { assetCode: 'EUR', assetScale: 6 } });
  const server = await createServer({ plugin: network.server });
  return { network, server, ...server.generateAddressAndSecret() };
}

describe('createConnection / connect', () => {
  it('29-4.3.3: learns the server asset details during the handshake; IL-DCP gives our own', async () => {
    const { network, server, destinationAccount, sharedSecret } = await setup();
    const connection = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    expect([connection.destinationAssetCode, connection.destinationAssetScale]).toEqual(['EUR', 6]);
    expect([connection.sourceAssetCode, connection.sourceAssetScale, connection.sourceAccount]).toEqual(['XRP', 9, 'test.memory.client']);
    expect(connection.state).toBe('open');
    expect(connection.exchangeRate?.value).toBeCloseTo(1.37, 2);
    await connection.end();
    await server.close();
  });

  it('connect() is cold: nothing is sent before subscribing; unsubscribing ends the connection cleanly', async () => {
    const { network, server, destinationAccount, sharedSecret } = await setup();
    const serverSide = firstValueFrom(server.connections$);
    const connection$ = connect({ plugin: network.client, destinationAccount, sharedSecret });
    await new Promise((r) => setTimeout(r, 10));
    expect(network.stats.clientToServer.prepares + network.stats.clientToServer.ildcp).toBe(0);
    let opened: Connection | undefined;
    const subscription = connection$.subscribe((c) => (opened = c));
    const remote = await serverSide;
    await new Promise((r) => setTimeout(r, 10));
    expect(opened?.state).toBe('open');
    const remoteStates = lastValueFrom(remote.state$.pipe(toArray()));
    subscription.unsubscribe();
    expect((await remoteStates).at(-1)).toBe('closed');
    await server.close();
  });

  it('connect() completes when the peer closes the connection cleanly', async () => {
    const { network, server, destinationAccount, sharedSecret } = await setup();
    const serverSide = firstValueFrom(server.connections$);
    const done = lastValueFrom(connect({ plugin: network.client, destinationAccount, sharedSecret }).pipe(toArray()));
    await (await serverSide).end();
    expect(await done).toHaveLength(1);
    await server.close();
  });

  it('fails with CONNECT_FAILED when no probe gets an authentic reply (wrong secret)', async () => {
    const { network, server, destinationAccount } = await setup();
    const error = await createConnection({ plugin: network.client, destinationAccount, sharedSecret: randomBytes(32) }).catch((e: unknown) => e);
    expect(isConnectionError(error, 'CONNECT_FAILED')).toBe(true);
    await server.close();
  });

  it.each([
    [{ destinationAccount: '' }, /destinationAccount/],
    [{ sharedSecret: 'secret' }, /sharedSecret/],
    [{ plugin: {} }, /plugin/],
    [{ slippage: 2 }, /slippage/],
    [{ window: 0 }, /window/],
    [{ maxPacketAmount: -1 }, /maxPacketAmount/],
  ])('validates its options: %p', async (override, message) => {
    const { network, server, destinationAccount, sharedSecret } = await setup();
    await expect(createConnection({ plugin: network.client, destinationAccount, sharedSecret, ...(override as object) })).rejects.toThrow(message);
    await server.close();
  });

  it('29-5.1.3-a / E9: the packet that would carry sequence 2^31 is never sent; the connection closes', async () => {
    const { network, server, destinationAccount, sharedSecret } = await setup();
    network.setMaxPacketAmount(1000);
    const connection = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    // 2^31 - 1 is kept for the ConnectionClose: 2^31 - 2 is the last that may carry money.
    (connection as unknown as { sequence: bigint }).sequence = MAX_PACKET_SEQUENCE - 2n;
    const before = network.stats.clientToServer.prepares;
    const result = lastValueFrom(connection.createStream().sendMoney(10_000)).catch((e: unknown) => e);
    const closed = lastValueFrom(connection.state$).catch((e: unknown) => e);
    expect(isConnectionError(await closed, 'PACKET_LIMIT')).toBe(true);
    await result;
    // One money packet with sequence 2^31 - 2, then only the ConnectionClose with 2^31 - 1.
    expect(network.stats.clientToServer.prepares - before).toBe(2);
    expect(connection.totals.sent).toBe(1_000n);
    await server.close();
  });
});
