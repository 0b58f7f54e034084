/**
 * @interledger/pay 0.2.2 against our SPSP endpoint and STREAM server.
 *
 * How pay 0.2.2 reaches an endpoint (dist/src/open-payments.js): a "$" pointer always becomes
 * `https://...`, but any other string goes to `new URL()` unchecked, so a raw
 * `http://127.0.0.1:PORT/alice` URL is queried over plain http with axios, asking for
 * `application/ilp-stream+json, application/spsp4+json`. That is what lets it resolve our local
 * endpoint here without TLS: no self-signed certificate or custom agent is needed (and pay takes
 * no agent option anyway). The "$127.0.0.1:PORT" form is also tested, to pin down that pay sends
 * it over https and so cannot reach a plain http endpoint.
 */
import { type Quote, quote } from '@interledger/pay';
import { type Connection, createMemoryNetwork, createServer, createSpspHandler, querySpsp } from '../../lib';
import { closeAll, listenLocal, onClose } from './local-http';

jest.setTimeout(30_000);

const SCALE = 9;
afterEach(closeAll);

async function payee() {
  const network = createMemoryNetwork({ maxPacketAmount: 1000 });
  const server = await createServer({ plugin: network.server });
  const connections: Connection[] = [];
  server.connections$.subscribe((c) => connections.push(c));
  onClose(async () => {
    // pay gives no address of its own, so end() would wait for a client that cannot be reached.
    await Promise.all(connections.map((c) => c.destroy()));
    await server.close();
  });
  const paths: Array<string | undefined> = [];
  const handler = createSpspHandler(server, { connectionTag: (req) => req.url?.slice(1) || undefined });
  const http = await listenLocal((req, res) => {
    paths.push(req.url);
    handler(req, res);
  });
  return { network, server, connections, http, paths };
}

/** pay's quote, cancelled at teardown if it was never paid (it holds the plugin until then). */
async function payQuote(options: Parameters<typeof quote>[0]): Promise<Quote> {
  const result = await quote(options);
  onClose(() => result.cancel().catch(() => undefined));
  return result;
}

describe('@interledger/pay 0.2.2 resolving our SPSP endpoint', () => {
  it('RFC 9 §Specification (raw endpoint URL): pay queries http://127.0.0.1:PORT/alice and pays our server; its receipt matches what we received exactly', async () => {
    const { network, connections, http, paths } = await payee();
    const amount = 100_000n;
    const payQuoted = await payQuote({
      // pay types its plugin with ilp-protocol-stream's own copy of the plugin interface.
      plugin: network.client as never,
      paymentPointer: `${http.origin}/alice`,
      amountToSend: `${amount}e-${SCALE}`,
    });
    expect(paths).toEqual(['/alice']);
    const receipt = await payQuoted.pay();

    expect(receipt.error).toBeUndefined();
    const sent = BigInt(receipt.amountSent.shiftedBy(receipt.sourceAccount.assetScale).toFixed());
    const delivered = BigInt(receipt.amountDelivered.shiftedBy(receipt.destinationAccount.assetScale).toFixed());
    expect(sent).toBe(amount);
    expect(delivered).toBe(amount);
    expect(connections).toHaveLength(1);
    expect(connections[0]!.connectionTag).toBe('alice');
    expect(connections[0]!.totals.received).toBe(delivered);
    expect(network.stats.clientToServer.destinationAmountFulfilled).toBe(delivered);
  });

  it('the destination pay quotes against is the address our endpoint handed out', async () => {
    const { network, server, http } = await payee();
    const payQuoted = await payQuote({ plugin: network.client as never, paymentPointer: `${http.origin}/bob`, amountToSend: `1000e-${SCALE}` });
    expect(payQuoted.destinationAccount.ilpAddress.startsWith(`${server.serverAccount}.`)).toBe(true);
    expect(payQuoted.destinationAccount).toMatchObject({ assetCode: server.assetCode, assetScale: server.assetScale });
  });

  it('RFC 26 §Receiver Endpoint Resolution: pay turns "$127.0.0.1:PORT/alice" into https, so it cannot reach a plain http endpoint (QueryFailed)', async () => {
    const { network, http, paths } = await payee();
    await expect(quote({ plugin: network.client as never, paymentPointer: `$127.0.0.1:${http.port}/alice`, amountToSend: `1000e-${SCALE}` })).rejects.toBe('QueryFailed');
    // A TLS handshake is not an HTTP request: our handler never saw one.
    expect(paths).toEqual([]);
  });

  it('pay with the destinationAddress and sharedSecret from OUR querySpsp pays our server as well', async () => {
    const { network, connections, http } = await payee();
    const spsp = await querySpsp(`$127.0.0.1:${http.port}/carol`, { allowHttp: true });
    const payQuoted = await payQuote({
      plugin: network.client as never,
      destinationAddress: spsp.destinationAccount,
      sharedSecret: spsp.sharedSecret,
      amountToSend: `40000e-${SCALE}`,
    });
    const receipt = await payQuoted.pay();
    expect(receipt.error).toBeUndefined();
    expect(connections[0]!.connectionTag).toBe('carol');
    expect(connections[0]!.totals.received).toBe(40_000n);
  });
});
