import * as Btp from 'btp-packet';
import BtpPlugin from 'ilp-plugin-btp';
import { VirtualTimeScheduler, filter, firstValueFrom, mergeMap, take } from 'rxjs';
import { createConnection, createServer, type Connection, type DataAndMoneyStream, type Server } from '../../lib';
import { isBtpPluginError } from '../../lib/ilp/btp-errors';
import { parseBtpServerUrl } from '../../lib/ilp/btp-url';
import { BtpWebSocketPlugin, type BtpWebSocketPluginOptions } from '../../lib/ilp/btp-websocket-plugin';
import { type BtpNetwork, createBtpNetwork } from '../../lib/network';
import { entriesOf, errorPacket, FakeBtpServer, ilp, rejectionOf, WS } from '../helpers/fake-btp-server';
import { freePort } from '../helpers/free-port';

describe('BtpWebSocketPlugin against a scripted BTP peer (RFC 23)', () => {
  let peer: FakeBtpServer;
  const plugins: BtpWebSocketPlugin[] = [];
  const plugin = (options: Partial<BtpWebSocketPluginOptions> = {}): BtpWebSocketPlugin => {
    const made = new BtpWebSocketPlugin({ server: peer.url, WebSocket: WS, ...options });
    plugins.push(made);
    return made;
  };

  beforeEach(async () => {
    peer = await FakeBtpServer.start();
  });
  afterEach(async () => {
    await Promise.all(plugins.splice(0).map((p) => p.disconnect()));
    await peer.close();
  });

  it('23-auth: the first Message is auth (empty octet-stream), auth_username and auth_token in UTF-8; connect resolves on the Response', async () => {
    const client = plugin();
    const connected = jest.fn();
    client.on('connect', connected);
    await client.connect();
    const auth = await peer.packet(0);
    expect(auth.type).toBe(Btp.TYPE_MESSAGE);
    expect(entriesOf(auth).map((e) => [e.protocolName, e.contentType, e.data.toString('utf8')])).toEqual([
      ['auth', Btp.MIME_APPLICATION_OCTET_STREAM, ''],
      ['auth_username', Btp.MIME_TEXT_PLAIN_UTF8, 'alice'],
      ['auth_token', Btp.MIME_TEXT_PLAIN_UTF8, 's3cret'],
    ]);
    expect(client.isConnected()).toBe(true);
    expect(connected).toHaveBeenCalledTimes(1);
  });

  it('23-auth: options override the URL credentials', async () => {
    await plugin({ username: 'bob', token: 'tok€n' }).connect();
    const values = entriesOf(await peer.packet(0)).map((e) => e.data.toString('utf8'));
    expect(values).toEqual(['', 'bob', 'tok€n']);
  });

  it('23-auth: a BTP Error to the auth rejects connect with AUTH_REJECTED and the peer code, and closes', async () => {
    peer.authAnswer = (packet) => errorPacket(packet.requestId, 'F00');
    const client = plugin();
    const error = await rejectionOf(client.connect());
    expect(isBtpPluginError(error, 'AUTH_REJECTED')).toBe(true);
    expect((error as { btpCode?: string }).btpCode).toBe('F00');
    expect(client.isConnected()).toBe(false);
    await expect(client.sendData(Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('connect to a port where nothing listens rejects with CONNECTION_CLOSED', async () => {
    // A port below the ephemeral range that was just free: no other test's socket can hold it.
    const url = `btp+ws://alice:s3cret@127.0.0.1:${await freePort()}`;
    const error = await rejectionOf(new BtpWebSocketPlugin({ server: url, WebSocket: WS }).connect());
    expect(isBtpPluginError(error, 'CONNECTION_CLOSED')).toBe(true);
  });

  it('23-flow: sendData sends the packet under "ilp" and resolves with the Response matching its request id, in any order', async () => {
    const client = plugin();
    await client.connect();
    const first = client.sendData(Buffer.from('one'));
    const second = client.sendData(Buffer.from('two'));
    const [a, b] = [await peer.packet(1), await peer.packet(2)];
    expect(entriesOf(a)).toEqual(ilp(Buffer.from('one')));
    expect(a.requestId).not.toBe(b.requestId);
    peer.send(Btp.serializeResponse(b.requestId, ilp(Buffer.from('reply-two'))));
    peer.send(Btp.serializeResponse(a.requestId, ilp(Buffer.from('reply-one'))));
    expect((await first).toString()).toBe('reply-one');
    expect((await second).toString()).toBe('reply-two');
  });

  it('23-error: a BTP Error answer rejects sendData with PEER_ERROR; a Response without ilp data too', async () => {
    const client = plugin();
    await client.connect();
    const refused = client.sendData(Buffer.from('x'));
    peer.send(errorPacket((await peer.packet(1)).requestId, 'T00'));
    await expect(refused).rejects.toMatchObject({ name: 'BtpPluginError', code: 'PEER_ERROR', btpCode: 'T00' });
    const empty = client.sendData(Buffer.from('y'));
    peer.send(Btp.serializeResponse((await peer.packet(2)).requestId, []));
    await expect(empty).rejects.toMatchObject({ code: 'PEER_ERROR' });
  });

  it('23-flow: a Message from the peer goes to the data handler and its reply returns in a Response with the same id', async () => {
    const client = plugin();
    const handler = jest.fn(async (prepare: Buffer) => Buffer.concat([Buffer.from('re:'), prepare]));
    client.registerDataHandler(handler);
    await client.connect();
    peer.send(Btp.serializeMessage(4242, ilp(Buffer.from('prepare'))));
    const response = await peer.packet(1);
    expect(response.type).toBe(Btp.TYPE_RESPONSE);
    expect(response.requestId).toBe(4242);
    expect(entriesOf(response)).toEqual(ilp(Buffer.from('re:prepare')));
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('23-error: a failing handler, no handler, or a Transfer get a BTP Error F00 with the same id', async () => {
    const client = plugin();
    await client.connect();
    peer.send(Btp.serializeMessage(1, ilp(Buffer.from('p'))));
    client.registerDataHandler(() => Promise.reject(new Error('boom')));
    const noHandler = await peer.packet(1);
    peer.send(Btp.serializeMessage(2, ilp(Buffer.from('p'))));
    const failed = await peer.packet(2);
    client.deregisterDataHandler();
    client.registerDataHandler(() => {
      throw new Error('sync boom');
    });
    peer.send(Btp.serializeMessage(3, ilp(Buffer.from('p'))));
    const threw = await peer.packet(3);
    peer.send(Btp.serializeTransfer({ amount: '10' }, 4, []));
    const transfer = await peer.packet(4);
    for (const [packet, id] of [[noHandler, 1], [failed, 2], [threw, 3], [transfer, 4]] as const) {
      expect([packet.type, packet.requestId, (packet.data as { code: string }).code]).toEqual([Btp.TYPE_ERROR, id, 'F00']);
    }
    expect((failed.data as { data: string }).data).toContain('boom');
  });

  it('23-flow: unreadable packets and answers to unknown ids get no answer and break nothing', async () => {
    const client = plugin();
    client.registerDataHandler(async () => Buffer.from('ok'));
    await client.connect();
    peer.send(Buffer.from([0xff, 0x00, 0x13]));
    peer.socket?.send('a text frame');
    peer.send(Btp.serializeResponse(999_999, ilp(Buffer.from('stray'))));
    peer.send(errorPacket(999_998));
    const pending = client.sendData(Buffer.from('still works'));
    const request = await peer.packet(1);
    peer.send(Btp.serializeResponse(request.requestId, ilp(Buffer.from('yes'))));
    expect((await pending).toString()).toBe('yes');
    expect(peer.count).toBe(2); // the auth and this one request: nothing answered the junk
  });

  it('the peer closing fails what is in flight with CONNECTION_CLOSED and emits disconnect once', async () => {
    const client = plugin();
    const disconnected = jest.fn();
    client.on('disconnect', disconnected);
    await client.connect();
    const inFlight = client.sendData(Buffer.from('lost'));
    await peer.packet(1);
    peer.socket?.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(client.isConnected()).toBe(false);
    expect(disconnected).toHaveBeenCalledTimes(1);
    await expect(client.sendData(Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await client.connect(); // a new socket, authenticated again (RFC 23)
    expect(client.isConnected()).toBe(true);
    expect(entriesOf(await peer.packet(2))[0]?.protocolName).toBe('auth');
  });

  it('a request with no answer fails with TIMEOUT when the scheduler reaches responseTimeout; an answer cancels its timer', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, responseTimeout: 5_000 });
    const connecting = client.connect();
    await peer.packet(0);
    await connecting; // the auth was answered: its timer is gone
    expect(scheduler.actions).toHaveLength(0);
    const unanswered = client.sendData(Buffer.from('x'));
    await peer.packet(1);
    expect(scheduler.actions).toHaveLength(1);
    scheduler.flush();
    expect(scheduler.now()).toBe(5_000);
    await expect(unanswered).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('disconnect() closes the socket and resolves once closed; it is idempotent', async () => {
    const client = plugin();
    await client.connect();
    const closedOnServer = new Promise<void>((resolve) => peer.socket?.once('close', () => resolve()));
    await client.disconnect();
    await closedOnServer;
    expect(client.isConnected()).toBe(false);
    await client.disconnect();
  });

  it('refuses a second data handler and bad arguments with typed errors', async () => {
    const client = plugin();
    client.registerDataHandler(async () => Buffer.alloc(0));
    expect(() => client.registerDataHandler(async () => Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'HANDLER_ALREADY_REGISTERED' }));
    expect(() => client.registerDataHandler('x' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(client.sendData('x' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('BtpWebSocketPlugin options', () => {
  it('parses btp+ws / btp+wss URLs into a credential-free socket URL, username and token', () => {
    expect(parseBtpServerUrl('btp+ws://:secret@127.0.0.1:7768')).toEqual({ url: 'ws://127.0.0.1:7768/', username: '', token: 'secret' });
    expect(parseBtpServerUrl('btp+wss://alice:s3cr%40t@connector.example/btp?x=1')).toEqual({
      url: 'wss://connector.example/btp?x=1',
      username: 'alice',
      token: 's3cr@t',
    });
    expect(parseBtpServerUrl('ws://localhost:1').url).toBe('ws://localhost:1/');
  });

  it.each([
    ['not a string', 42],
    ['not a URL', 'btp+ws//nohost'],
    ['an http URL', 'http://127.0.0.1:80'],
    ['bad percent-encoding', 'btp+ws://:%E0%A4%A@127.0.0.1:1'],
  ])('refuses a server that is %s with INVALID_OPTION', (_label, server) => {
    expect(() => new BtpWebSocketPlugin({ server: server as string, WebSocket: WS })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('refuses a missing WebSocket class, a bad timeout and a non-string token', () => {
    const server = 'btp+ws://:s@127.0.0.1:1';
    expect(() => new BtpWebSocketPlugin({ server, WebSocket: 'x' as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new BtpWebSocketPlugin({ server, WebSocket: WS, responseTimeout: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new BtpWebSocketPlugin({ server, WebSocket: WS, token: 5 as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('BtpWebSocketPlugin moving money through createBtpNetwork (ilp-plugin-btp listeners + connector)', () => {
  let network: BtpNetwork | undefined;
  let server: Server | undefined;
  let connection: Connection | undefined;
  const serverPlugin = { current: undefined as BtpPlugin | undefined };
  let client: BtpWebSocketPlugin | undefined;

  afterEach(async () => {
    await connection?.destroy().catch(() => undefined);
    await server?.close();
    await client?.disconnect();
    await serverPlugin.current?.disconnect();
    await network?.close();
  });

  it('our client on the WebSocket plugin pays our server 10,000 units at rate 2, exactly, in several packets', async () => {
    network = await createBtpNetwork({ exchangeRate: 2, maxPacketAmount: 1_000 });
    serverPlugin.current = new BtpPlugin({ server: network.serverUrl });
    server = await createServer({ plugin: serverPlugin.current });
    const received = firstValueFrom(
      server.connections$.pipe(
        mergeMap((c) => c.streams$),
        mergeMap((stream: DataAndMoneyStream) => stream.totals$),
        filter((totals) => totals.received >= 20_000n),
        take(1),
      ),
    );
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    client = new BtpWebSocketPlugin({ server: network.clientUrl, WebSocket: WS });
    connection = await createConnection({ plugin: client, destinationAccount, sharedSecret });
    expect(connection.sourceAccount).toBe('test.btp.client');
    await connection.createStream().sendTotal(10_000);
    expect((await received).received).toBe(20_000n);
    const totals = await firstValueFrom(connection.totals$);
    expect([totals.sent, totals.delivered]).toEqual([10_000n, 20_000n]);
    expect(network.stats.clientToServer.fulfilled).toBeGreaterThanOrEqual(10);
  });
});
