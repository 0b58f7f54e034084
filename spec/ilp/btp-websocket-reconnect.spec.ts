/**
 * BtpWebSocketPlugin's `reconnect` option against a scripted BTP peer on 127.0.0.1: a link that
 * drops by itself comes back, authenticated again (RFC 23), and a `disconnect()` is never undone.
 * The reconnect waits run on a VirtualTimeScheduler, so `flush()` is the moment they end; the
 * sockets are real.
 */
import { type AddressInfo, type Server as NetServer, type Socket, connect, createServer as createNetServer } from 'node:net';
import * as Btp from 'btp-packet';
import BtpPlugin from 'ilp-plugin-btp';
import { VirtualTimeScheduler, firstValueFrom, mergeMap } from 'rxjs';
import { createConnection, createServer, type Connection, type Server } from '../../lib';
import type { WebSocketConstructor } from '../../lib/ilp/btp-websocket';
import { BtpWebSocketPlugin, type BtpWebSocketPluginOptions } from '../../lib/ilp/btp-websocket-plugin';
import { type BtpNetwork, createBtpNetwork } from '../../lib/network';
import { entriesOf, FakeBtpServer, ilp, WS } from '../helpers/fake-btp-server';
import { waitFor } from '../helpers/stream-pair';

let peer: FakeBtpServer;
const plugins: BtpWebSocketPlugin[] = [];
/** Every WebSocket the plugins open, so a test can tell whether an attempt was made. */
let opened = 0;
const CountingWS = class extends (WS as unknown as new (url: string) => object) {
  constructor(url: string) {
    super(url);
    opened += 1;
  }
} as unknown as WebSocketConstructor;

function plugin(options: Partial<BtpWebSocketPluginOptions>): BtpWebSocketPlugin {
  const made = new BtpWebSocketPlugin({ server: peer.url, WebSocket: CountingWS, ...options });
  plugins.push(made);
  return made;
}

/** Resolves on the plugin's next `event`. */
function next(client: BtpWebSocketPlugin, event: 'connect' | 'disconnect'): Promise<void> {
  return new Promise((resolve) => {
    const once = (): void => {
      client.off(event, once);
      resolve();
    };
    client.on(event, once);
  });
}

beforeEach(async () => {
  peer = await FakeBtpServer.start();
  opened = 0;
});
afterEach(async () => {
  await Promise.all(plugins.splice(0).map((p) => p.disconnect()));
  await peer.close();
});

describe('BtpWebSocketPlugin reconnect option', () => {
  it('23-auth: a link the peer drops comes back after the backoff wait, authenticated again, and carries packets', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, reconnect: { initialDelayMs: 250 } });
    await client.connect();
    const down = next(client, 'disconnect');
    peer.socket?.terminate();
    await down;
    expect(client.isConnected()).toBe(false);
    expect(opened).toBe(1);

    const up = next(client, 'connect');
    scheduler.flush(); // the 250 ms wait ends: the attempt opens its socket now
    expect(scheduler.now()).toBe(250);
    expect(opened).toBe(2);
    await up;

    expect(client.isConnected()).toBe(true);
    expect(entriesOf(await peer.packet(1))[0]?.protocolName).toBe('auth');
    const reply = client.sendData(Buffer.from('after'));
    const sent = await peer.packet(2);
    expect(entriesOf(sent)).toEqual(ilp(Buffer.from('after')));
    peer.send(Btp.serializeResponse(sent.requestId, ilp(Buffer.from('ok'))));
    expect((await reply).toString()).toBe('ok');
  });

  it('keeps trying while the peer is away: a failed attempt waits longer, and the link is back once the peer is', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, reconnect: { initialDelayMs: 100, factor: 2 } });
    await client.connect();
    // Refuse the next socket during the handshake, as a restarting server would.
    let refuseNext = true;
    peer.server.on('connection', (socket) => {
      if (refuseNext) {
        refuseNext = false;
        socket.terminate();
      }
    });
    const down = next(client, 'disconnect');
    peer.socket?.terminate();
    await down;

    scheduler.flush(); // 100: attempt 1, refused
    expect(opened).toBe(2);
    // Its failure schedules the next wait, 200, to end at frame 300 (a VirtualAction holds its due frame).
    await waitFor('the next wait to be scheduled', () => scheduler.actions.some((action) => action.delay === 300), 3_000);
    const up = next(client, 'connect');
    scheduler.flush(); // 100 + 200: attempt 2
    expect(scheduler.now()).toBe(300);
    expect(opened).toBe(3);
    await up;
    expect(client.isConnected()).toBe(true);
  });

  it('disconnect() during the wait stops reconnecting: no socket is opened afterwards', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, reconnect: true });
    await client.connect();
    const down = next(client, 'disconnect');
    peer.socket?.terminate();
    await down;
    expect(scheduler.actions.length).toBe(1); // the reconnect wait

    await client.disconnect();
    scheduler.flush();

    expect(opened).toBe(1);
    expect(client.isConnected()).toBe(false);
  });

  it('a disconnect() called from a disconnect listener is not undone by the reconnect', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, reconnect: true });
    await client.connect();
    const down = next(client, 'disconnect');
    client.on('disconnect', () => void client.disconnect());
    peer.socket?.terminate();
    await down;

    expect(scheduler.actions).toHaveLength(0);
    scheduler.flush();
    expect(opened).toBe(1);
    expect(client.isConnected()).toBe(false);
  });

  it('a peer that accepts and drops at once is one outage: the waits grow, maxAttempts holds, then reconnect_failed', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler, reconnect: { initialDelayMs: 100, maxAttempts: 3 } });
    const failed = jest.fn();
    client.on('reconnect_failed', failed);
    // Every link dies 20 ms (real time) after its auth was answered.
    peer.server.on('connection', (socket) => socket.on('message', () => setTimeout(() => socket.terminate(), 20)));
    const dueFrames: number[] = [];
    let down = next(client, 'disconnect');
    await client.connect();
    for (let outage = 0; outage < 3; outage++) {
      await down;
      dueFrames.push(Math.min(...scheduler.actions.map((action) => action.delay)));
      down = next(client, 'disconnect');
      const up = next(client, 'connect');
      scheduler.flush();
      await up;
    }
    await down;

    expect(dueFrames).toEqual([100, 300, 700]); // waits of 100, 200, 400 from each drop
    expect(opened).toBe(4); // ours, then three attempts
    expect(failed).toHaveBeenCalledTimes(1);
    expect(failed.mock.calls[0]?.[0]).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(scheduler.actions).toHaveLength(0);
    expect(client.isConnected()).toBe(false);
  });

  it('without the option, a dropped link stays down until connect() (the default)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const client = plugin({ scheduler });
    await client.connect();
    const down = next(client, 'disconnect');
    peer.socket?.terminate();
    await down;
    scheduler.flush();
    expect(opened).toBe(1);
    await expect(client.sendData(Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });
});

describe('BtpWebSocketPlugin reconnect under a payment (createBtpNetwork, a cuttable TCP proxy in between)', () => {
  let network: BtpNetwork | undefined;
  let server: Server | undefined;
  let proxy: CuttableProxy | undefined;
  let serverPlugin: BtpPlugin | undefined;
  let client: BtpWebSocketPlugin | undefined;
  let connection: Connection | undefined;

  afterEach(async () => {
    await connection?.destroy().catch(() => undefined);
    await server?.close();
    await client?.disconnect();
    await serverPlugin?.disconnect();
    await proxy?.close();
    await network?.close();
  });

  it('a link cut in the middle of a payment comes back by itself and the payment completes', async () => {
    network = await createBtpNetwork({ exchangeRate: 2, maxPacketAmount: 1_000, latency: 5 });
    serverPlugin = new BtpPlugin({ server: network.serverUrl });
    server = await createServer({ plugin: serverPlugin });
    let received = 0n;
    server.connections$.pipe(mergeMap((c) => c.streams$), mergeMap((stream) => stream.money$)).subscribe((amount) => (received += amount));
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    proxy = await CuttableProxy.to(network.clientUrl);
    client = new BtpWebSocketPlugin({ server: proxy.url, WebSocket: WS, reconnect: { initialDelayMs: 20 } });
    const reconnected = jest.fn();
    client.on('connect', reconnected);
    connection = await createConnection({ plugin: client, destinationAccount, sharedSecret, window: 1 });

    const paying = connection.createStream().sendTotal(20_000);
    await waitFor('five fulfilled packets', () => (network?.stats.clientToServer.fulfilled ?? 0) >= 5);
    proxy.cut();
    await paying;

    expect(reconnected.mock.calls.length).toBeGreaterThanOrEqual(2); // the first connect, then after the cut
    const totals = await firstValueFrom(connection.totals$);
    expect([totals.sent, totals.delivered]).toEqual([20_000n, 40_000n]);
    // One packet at a time (window 1): the cut can have lost the reply to at most the one in flight,
    // whose money then arrived without the sender knowing.
    expect(received === 40_000n || received === 42_000n).toBe(true);
  }, 20_000);
});

/** A TCP relay on 127.0.0.1 to a BTP URL's port whose connections {@link cut} destroys at once. */
class CuttableProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: NetServer,
    private readonly target: URL,
  ) {
    server.on('connection', (inbound) => {
      const outbound = connect({ host: '127.0.0.1', port: Number(target.port) });
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
  }

  static async to(url: string): Promise<CuttableProxy> {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CuttableProxy(server, new URL(url.replace(/^btp\+/, '')));
  }

  /** The same URL, credentials included, through the proxy. */
  get url(): string {
    const through = new URL(this.target.href);
    through.port = String((this.server.address() as AddressInfo).port);
    return `btp+${through.href}`;
  }

  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
