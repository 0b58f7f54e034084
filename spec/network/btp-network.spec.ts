/**
 * The BTP network: the in-memory network's connector between two real ilp-plugin-btp listeners on
 * 127.0.0.1, with ordinary ilp-plugin-btp clients on each side (RFC 23 over ws://).
 */
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import BtpPlugin from 'ilp-plugin-btp';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { createConnection, createServer, type Connection } from '../../lib';
import { fetchIldcp, ilpReject, type Plugin, readF08Data, sendPrepare } from '../../lib/ilp';
import { type BtpNetwork, createBtpNetwork, isBtpNetworkError } from '../../lib/network';
import { IlpPacketType } from '../../lib/wire/types';
import { prepareTo } from './helpers';

jest.setTimeout(15_000);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Plugins to disconnect, then networks to close, after each test, whatever happened. */
const cleanup: { plugins: Plugin[]; networks: BtpNetwork[] } = { plugins: [], networks: [] };
afterEach(async () => {
  await Promise.all(cleanup.plugins.splice(0).map((plugin) => plugin.disconnect()));
  await Promise.all(cleanup.networks.splice(0).map((network) => network.close()));
});

async function network(options: Parameters<typeof createBtpNetwork>[0] = {}): Promise<BtpNetwork> {
  const started = await createBtpNetwork(options);
  cleanup.networks.push(started);
  return started;
}

async function plugin(url: string): Promise<Plugin> {
  const connected: Plugin = new BtpPlugin({ server: url });
  cleanup.plugins.push(connected);
  await connected.connect();
  return connected;
}

describe('createBtpNetwork: STREAM over two real BTP hops', () => {
  it('carries a 100,000-unit payment from our client to our server at rate 0.5, max packet 1000, with exact totals and counters', async () => {
    const btp = await network({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const server = await createServer({ plugin: await plugin(btp.serverUrl) });
    let received = 0n;
    const serverConnections: Connection[] = [];
    server.connections$.subscribe((connection) => {
      serverConnections.push(connection);
      connection.streams$.subscribe((stream) => stream.money$.subscribe((amount) => (received += amount)));
    });
    const connection = await createConnection({ plugin: await plugin(btp.clientUrl), ...server.generateAddressAndSecret() });
    expect([connection.sourceAccount, connection.destinationAccount?.startsWith('test.btp.server.')]).toEqual(['test.btp.client', true]);

    await lastValueFrom(connection.createStream().sendMoney(100_000));
    const afterPayment = { ...btp.stats.clientToServer };
    await connection.end();
    await server.close();

    // RFC 29 §5.3.8 / DESIGN §2: both ends agree to the unit, and so does the connector in between.
    expect(connection.totals).toMatchObject({ sent: 100_000n, delivered: 50_000n, inFlight: 0n });
    expect(received).toBe(50_000n);
    expect(serverConnections.map((c) => c.totals.received)).toEqual([50_000n]);
    // 100 money packets of 1000; end() adds one fulfilled ConnectionClose carrying no money.
    expect(afterPayment).toMatchObject({ ildcp: 1, fulfilled: 100, sourceAmountFulfilled: 100_000n, destinationAmountFulfilled: 50_000n });
    const up = btp.stats.clientToServer;
    expect(up).toMatchObject({ fulfilled: 101, sourceAmountFulfilled: 100_000n, destinationAmountFulfilled: 50_000n });
    expect(up.prepares).toBe(up.fulfilled + up.rejected);
    expect(btp.stats.serverToClient).toMatchObject({ ildcp: 1, fulfilled: 0 });
  });

  it('starts and stops in well under a few seconds, releasing both ports', async () => {
    const began = Date.now();
    const btp = await createBtpNetwork();
    const ports = [btp.clientUrl, btp.serverUrl].map((url) => Number(new URL(url.slice('btp+'.length)).port));
    expect(btp.clientUrl).toMatch(/^btp\+ws:\/\/:[0-9a-f]{32}@127\.0\.0\.1:\d+$/);
    await btp.close();
    await btp.close();
    const again = await network({ clientPort: ports[0], serverPort: ports[1] });
    expect(again.clientUrl.endsWith(`:${ports[0]}`)).toBe(true);
    expect(Date.now() - began).toBeLessThan(2_000);
  });
});

describe('createBtpNetwork: the connector over BTP behaves like the in-memory one', () => {
  it('answers IL-DCP for each side from its end config (RFC 31)', async () => {
    const btp = await network({ client: { assetCode: 'USD', assetScale: 2 }, server: { address: 'private.bob' } });
    const [client, server] = await Promise.all([plugin(btp.clientUrl), plugin(btp.serverUrl)]);
    expect(await firstValueFrom(fetchIldcp(client))).toEqual({ clientAddress: 'test.btp.client', assetCode: 'USD', assetScale: 2 });
    expect(await firstValueFrom(fetchIldcp(server))).toEqual({ clientAddress: 'private.bob', assetCode: 'XRP', assetScale: 9 });
  });

  it('answers T01 while the other side has no client, F02 off-route, and F08 with RFC data above the max (27-F08-a)', async () => {
    const btp = await network({ maxPacketAmount: 1000, connectorAddress: 'test.connie' });
    const client = await plugin(btp.clientUrl);
    const send = (destination: string, amount: bigint) => firstValueFrom(sendPrepare(client, prepareTo(destination, amount)));
    expect(await send('test.btp.server.x', 1n)).toMatchObject({ code: 'T01', triggeredBy: 'test.connie' });
    await plugin(btp.serverUrl);
    expect(await send('g.nowhere', 1n)).toMatchObject({ code: 'F02' });
    const tooBig = await send('test.btp.server.x', 1001n);
    expect(tooBig).toMatchObject({ type: IlpPacketType.Reject, code: 'F08' });
    expect(readF08Data(tooBig.data)).toEqual({ receivedAmount: 1001n, maximumAmount: 1000n });
    expect(btp.stats.clientToServer).toMatchObject({ prepares: 3, delivered: 0, rejected: 3 });
  });

  it('answers T00 at once, not at the expiry, when a side disconnects before answering a Prepare', async () => {
    const btp = await network();
    const client = await plugin(btp.clientUrl);
    const server = await plugin(btp.serverUrl);
    const arrived = new Promise<void>((resolve) =>
      server.registerDataHandler(() => {
        resolve();
        return new Promise<Buffer>(() => undefined); // never answers
      }),
    );
    const began = Date.now();
    const reply = firstValueFrom(sendPrepare(client, prepareTo('test.btp.server', 5n)));
    await arrived;
    await server.disconnect();
    expect(await reply).toMatchObject({ code: 'T00', message: expect.stringContaining('the server side disconnected before it answered') });
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(btp.stats.clientToServer).toMatchObject({ delivered: 1, rejected: 1 });
  });

  it('applies the fault hook, set at creation or later', async () => {
    const btp = await network({ onPrepare: (prepare) => (prepare.amount === 13n ? ilpReject('T04', 'injected') : undefined) });
    const [client] = await Promise.all([plugin(btp.clientUrl), plugin(btp.serverUrl)]);
    expect(await firstValueFrom(sendPrepare(client, prepareTo('test.btp.server', 13n)))).toMatchObject({ code: 'T04', message: 'injected' });
    btp.setOnPrepare(() => ilpReject('F99', 'later'));
    expect(await firstValueFrom(sendPrepare(client, prepareTo('test.btp.server', 1n)))).toMatchObject({ code: 'F99', message: 'later' });
  });

  it('rejects bad options with INVALID_OPTION and a taken port with LISTEN_FAILED', async () => {
    for (const options of [{ clientPort: 70_000 }, { serverSecret: 'has space' }, { exchangeRate: 'x' }, { latency: -1 }, { client: 'alice' as never }]) {
      expect(isBtpNetworkError(await rejection(createBtpNetwork(options)), 'INVALID_OPTION')).toBe(true);
    }
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      expect(isBtpNetworkError(await rejection(createBtpNetwork({ serverPort: port })), 'LISTEN_FAILED')).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
