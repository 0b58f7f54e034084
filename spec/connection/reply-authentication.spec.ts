/**
 * How the sender treats replies it cannot trust (RFC 29 §5.2, checklist E5, E6, E38): a tampering
 * plugin sits between our client and the in-memory network and rewrites Fulfills.
 */
import { firstValueFrom, lastValueFrom, take } from 'rxjs';
import {
  IlpPacketType,
  type Connection,
  type Plugin,
  createConnection,
  createMemoryNetwork,
  createServer,
  decodePacket,
  deriveKeys,
  deserializeIlpReply,
  encodePacket,
  serializeIlpReply,
  type IlpReply,
} from '../../lib';

jest.setTimeout(10_000);

type Tamper = (reply: IlpReply, keys: ReturnType<typeof deriveKeys>) => IlpReply;

/** A Promise-API plugin over `inner` that rewrites Fulfill replies while `tamper` is set. */
function tamperingPlugin(inner: Plugin, state: { tamper?: Tamper; keys?: ReturnType<typeof deriveKeys> }): Plugin {
  return {
    connect: () => inner.connect(),
    disconnect: () => inner.disconnect(),
    isConnected: () => inner.isConnected(),
    registerDataHandler: (handler) => inner.registerDataHandler(handler),
    deregisterDataHandler: () => inner.deregisterDataHandler(),
    async sendData(data: Buffer): Promise<Buffer> {
      const raw = await inner.sendData(data);
      const reply = deserializeIlpReply(raw);
      if (!state.tamper || !state.keys || reply.type !== IlpPacketType.Fulfill) return raw;
      return serializeIlpReply(state.tamper(reply, state.keys));
    },
  };
}

async function setup() {
  const network = createMemoryNetwork({ maxPacketAmount: 1000 });
  const server = await createServer({ plugin: network.server });
  const remote = firstValueFrom(server.connections$);
  let received = 0n;
  server.connections$.subscribe((c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => (received += a))));
  const credentials = server.generateAddressAndSecret();
  const state: { tamper?: Tamper; keys?: ReturnType<typeof deriveKeys> } = { keys: deriveKeys(credentials.sharedSecret) };
  const client: Connection = await createConnection({ plugin: tamperingPlugin(network.client, state), ...credentials, slippage: 0.01 });
  return { network, server, client, state, remote: await remote, received: () => received };
}

/** Re-encrypts the reply's STREAM packet after `change`. */
function rewrite(reply: IlpReply, keys: ReturnType<typeof deriveKeys>, change: (p: ReturnType<typeof decodePacket>) => ReturnType<typeof decodePacket>): IlpReply {
  const packet = change(decodePacket(keys.decrypt(reply.data)));
  return { ...reply, data: keys.encrypt(encodePacket(packet)) };
}

describe('reply authentication', () => {
  it('E5 / 29-5.2-f: a Fulfill whose STREAM reply echoes another sequence still counts, at the minimum destination amount', async () => {
    const { client, server, state, received } = await setup();
    state.tamper = (reply, keys) => rewrite(reply, keys, (p) => ({ ...p, sequence: p.sequence + 1000n }));
    await lastValueFrom(client.createStream().sendMoney(3000));
    // Each 1000-unit packet carried a minimum of 990; the receiver got 1000 each.
    expect(client.totals.sent).toBe(3000n);
    expect(client.totals.delivered).toBe(2970n);
    expect(received()).toBe(3000n);
    await client.end();
    await server.close();
  });

  it('E6 / 29-5.2-c: a Fulfill carrying a Reject-typed STREAM reply is not trusted; the money still counts', async () => {
    const { client, server, state } = await setup();
    state.tamper = (reply, keys) => rewrite(reply, keys, (p) => ({ ...p, ilpPacketType: IlpPacketType.Reject, prepareAmount: 1n }));
    await lastValueFrom(client.createStream().sendMoney(2000));
    expect(client.totals.delivered).toBe(1980n); // the forged prepareAmount 1 was ignored
    await client.end();
    await server.close();
  });

  it('E5: a Fulfill with garbage data counts at the minimum destination amount', async () => {
    const { client, server, state } = await setup();
    state.tamper = (reply) => ({ ...reply, data: Buffer.from('not a stream packet at all, not even close') });
    await lastValueFrom(client.createStream().sendMoney(1000));
    expect(client.totals.delivered).toBe(990n);
    await client.end();
    await server.close();
  });

  it('E28: an authentic reply claiming less than our minimum is floored at the minimum', async () => {
    const { client, server, state } = await setup();
    state.tamper = (reply, keys) => rewrite(reply, keys, (p) => ({ ...p, prepareAmount: 5n }));
    await lastValueFrom(client.createStream().sendMoney(1000));
    expect(client.totals.delivered).toBe(990n);
    await client.end();
    await server.close();
  });

  it('E38 / 27-Flow-11: a fulfillment that does not hash to our condition is not credited and the money is sent again', async () => {
    const { client, server, state, received } = await setup();
    let forged = 0;
    state.tamper = (reply) => {
      if (reply.type !== IlpPacketType.Fulfill || forged >= 2) return reply;
      forged += 1;
      return { ...reply, fulfillment: Buffer.alloc(32, 7) };
    };
    const stream = client.createStream();
    const progress = await lastValueFrom(stream.sendMoney(1000).pipe(take(1)));
    expect(forged).toBe(2);
    expect(progress.sent).toBe(1000n);
    // Two forged Fulfills were not counted, though the receiver did credit those packets:
    // the sender's count is what it can prove.
    expect(client.totals.sent).toBe(1000n);
    expect(received()).toBe(3000n);
    await client.end();
    await server.close();
  });
});
