/**
 * End to end: a STREAM server over the in-memory network behind our SPSP handler on 127.0.0.1,
 * paid through payPaymentPointer / connectToPaymentPointer (IL-RFC 9 §Model of Operation,
 * §Simple push payment). Totals must agree exactly at both ends and with what the network carried;
 * failures must be typed and leave nothing open.
 */
import type { IncomingMessage } from 'node:http';
import { lastValueFrom } from 'rxjs';
import {
  type Connection,
  type MemoryNetworkOptions,
  type SpspHandlerOptions,
  connectToPaymentPointer,
  createConnection,
  createMemoryNetwork,
  createServer,
  createSpspHandler,
  isConnectionError,
  isSpspError,
  isSpspPaymentError,
  payPaymentPointer,
} from '../../lib';
import { closeAll, listenLocal, onClose } from './local-http';

jest.setTimeout(20_000);
afterEach(closeAll);

const tagFromPath = (req: IncomingMessage): string | undefined => /^\/([A-Za-z0-9_~-]+)$/.exec(req.url ?? '')?.[1];

/** A STREAM server behind an SPSP endpoint, recording its connections and the requests. */
async function payee(networkOptions: MemoryNetworkOptions = {}, handlerOptions: SpspHandlerOptions = { connectionTag: tagFromPath }) {
  const network = createMemoryNetwork({ maxPacketAmount: 1000, ...networkOptions });
  const server = await createServer({ plugin: network.server });
  onClose(() => server.close());
  const connections: Connection[] = [];
  server.connections$.subscribe((c) => connections.push(c));
  let requests = 0;
  const handler = createSpspHandler(server, handlerOptions);
  const http = await listenLocal((req, res) => {
    requests++;
    handler(req, res);
  });
  return { network, server, connections, http, requests: () => requests };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('payPaymentPointer', () => {
  it('RFC 9 §Simple push payment: pays an http://127.0.0.1 endpoint (allowHttp); sent, delivered and received agree exactly', async () => {
    const { network, connections, http } = await payee();
    const totals = await payPaymentPointer({ paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 123_456n });

    expect(totals).toEqual({ sent: 123_456n, delivered: 123_456n });
    expect(connections).toHaveLength(1);
    const received = connections[0]!;
    expect(received.connectionTag).toBe('alice');
    expect(received.totals.received).toBe(123_456n);
    expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(123_456n);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(123_456n);
    expect(network.stats.clientToServer.fulfilled).toBeGreaterThanOrEqual(124);
  });

  it('RFC 26 §Receiver Endpoint Resolution: pays "$127.0.0.1:PORT/bob" at rate 0.5; the payee received exactly what the payer was told was delivered', async () => {
    const { network, connections, http } = await payee({ exchangeRate: 0.5 });
    const totals = await payPaymentPointer({ paymentPointer: `$127.0.0.1:${http.port}/bob`, allowHttp: true, plugin: network.client, amount: '100000' });

    expect(totals).toEqual({ sent: 100_000n, delivered: 50_000n });
    expect(connections[0]!.connectionTag).toBe('bob');
    expect(connections[0]!.totals.received).toBe(50_000n);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(50_000n);
  });

  it('RFC 9 §Simple push payment (4): ends the connection: the payee sees it close cleanly; the plugin stays connected and can be reused', async () => {
    const { network, server, connections, http } = await payee();
    await payPaymentPointer({ paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 5_000 });
    expect(connections[0]!.state).toBe('closed');
    expect(network.client.isConnected()).toBe(true);
    // Our data handler was released, so a second connection on the same plugin works.
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const again = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    await again.end();
  });

  it('RFC 9 §Model of Operation: each payment queries again and gets its own connection', async () => {
    const { network, connections, http, requests } = await payee();
    await payPaymentPointer({ paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 1_000n });
    await payPaymentPointer({ paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 2_000n });
    expect(requests()).toBe(2);
    expect(connections.map((c) => c.totals.received)).toEqual([1_000n, 2_000n]);
    // Two queries, two server addresses (each with its own token).
    expect(connections[0]!.sourceAccount).not.toBe(connections[1]!.sourceAccount);
  });
});

describe('connectToPaymentPointer', () => {
  it('opens a connection to the pointer; money sent on it arrives at the tagged server connection', async () => {
    const { network, connections, http } = await payee();
    const connection = await connectToPaymentPointer({ paymentPointer: `${http.origin}/carol`, allowHttp: true, plugin: network.client });
    onClose(() => connection.end());
    expect(connection.state).toBe('open');
    await lastValueFrom(connection.createStream().sendMoney(7_777));
    await connection.end();
    expect(connection.totals).toMatchObject({ sent: 7_777n, delivered: 7_777n });
    expect(connections[0]!.connectionTag).toBe('carol');
    expect(connections[0]!.totals.received).toBe(7_777n);
  });

  it('a failed query rejects with the SpspError and never touches the plugin', async () => {
    const { network, http } = await payee();
    const error = await rejection(connectToPaymentPointer({ paymentPointer: `${http.origin}/alice`, plugin: network.client }));
    expect(isSpspError(error, 'INSECURE_URL')).toBe(true);
    expect(network.client.isConnected()).toBe(false);
  });

  it('credentials the server does not recognise: the ConnectionError of createConnection', async () => {
    const { network, server } = await payee();
    // Valid SPSP, but a secret the server never issued: its first packet cannot be opened.
    const forged = { generateAddressAndSecret: () => ({ destinationAccount: server.generateAddressAndSecret().destinationAccount, sharedSecret: Buffer.alloc(32, 1) }) };
    const http = await listenLocal(createSpspHandler(forged));
    const error = await rejection(connectToPaymentPointer({ paymentPointer: `${http.origin}/x`, allowHttp: true, plugin: network.client }));
    expect(isConnectionError(error)).toBe(true);
  });
});

describe('payPaymentPointer failures are typed and leave nothing open', () => {
  it.each([
    ['options.amount', { amount: 0 }],
    ['options.amount', { amount: -5 }],
    ['options.amount', { amount: 'ten' }],
    ['options.amount', { amount: 2n ** 64n }],
    ['options.amount', { amount: undefined }],
    ['options.plugin', { plugin: {} }],
    ['options.paymentPointer', { paymentPointer: 42 }],
    ['options.allowHttp', { allowHttp: 'true' }],
    ['options.fetch', { fetch: 'fetch' }],
    ['options.queryTimeoutMs', { queryTimeoutMs: 0 }],
    ['options.window', { window: 0 }],
    ['options.slippage', { slippage: 2 }],
  ])('a bad %s is INVALID_ARGUMENT before any request (%j)', async (field, override) => {
    const { network, http, requests } = await payee();
    const options = { paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 1_000n, ...override };
    const error = await rejection(payPaymentPointer(options as never));
    expect(isSpspError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error).toMatchObject({ field });
    expect(requests()).toBe(0);
  });

  it('an endpoint answering 404 rejects with SpspError HTTP_STATUS; the plugin was never connected', async () => {
    const { network } = await payee();
    const http = await listenLocal((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/spsp4+json' });
      res.end(JSON.stringify({ id: 'InvalidReceiverError', message: 'Invalid receiver ID' }));
    });
    const error = await rejection(payPaymentPointer({ paymentPointer: `${http.origin}/nobody`, allowHttp: true, plugin: network.client, amount: 10 }));
    expect(isSpspError(error, 'HTTP_STATUS')).toBe(true);
    expect(network.client.isConnected()).toBe(false);
  });

  it('a connection that cannot open is SpspPaymentError CONNECT_FAILED with nothing sent', async () => {
    const { network, server } = await payee();
    const forged = { generateAddressAndSecret: () => ({ destinationAccount: server.generateAddressAndSecret().destinationAccount, sharedSecret: Buffer.alloc(32, 1) }) };
    const http = await listenLocal(createSpspHandler(forged));
    const error = await rejection(payPaymentPointer({ paymentPointer: `${http.origin}/x`, allowHttp: true, plugin: network.client, amount: 10_000 }));
    expect(isSpspPaymentError(error, 'CONNECT_FAILED')).toBe(true);
    expect(error).toMatchObject({ sent: 0n, delivered: 0n });
    expect(isConnectionError((error as Error).cause)).toBe(true);
    expect(network.stats.clientToServer.sourceAmountFulfilled).toBe(0n);
  });

  it('the payee closing mid-payment is SpspPaymentError SEND_FAILED carrying exactly what arrived; the client connection is closed', async () => {
    const { network, server, http } = await payee();
    const received: bigint[] = [];
    const ignore = (): void => undefined;
    server.connections$.subscribe((connection) => {
      connection.state$.subscribe({ error: ignore });
      connection.streams$.subscribe({
        next: (stream) =>
          stream.money$.subscribe({
            next: (amount) => {
              received.push(amount);
              // Enough after three packets: the receiver walks away.
              if (received.length === 3) void connection.destroy(new Error('that will do'));
            },
            // The destroy errors our own stream too; that is the point here.
            error: ignore,
          }),
        error: ignore,
      });
    });
    const spy = jest.spyOn(network.client, 'deregisterDataHandler');
    const error = await rejection(payPaymentPointer({ paymentPointer: `${http.origin}/alice`, allowHttp: true, plugin: network.client, amount: 100_000n, window: 1 }));
    expect(isSpspPaymentError(error, 'SEND_FAILED')).toBe(true);
    const { sent, delivered } = error as { sent: bigint; delivered: bigint };
    const arrived = received.reduce((a, b) => a + b, 0n);
    expect(delivered).toBe(arrived);
    expect(sent).toBe(network.stats.clientToServer.sourceAmountFulfilled);
    expect(delivered).toBeGreaterThan(0n);
    expect(delivered).toBeLessThan(100_000n);
    // The client connection closed and let go of the plugin's data handler.
    expect(spy).toHaveBeenCalled();
  });
});
