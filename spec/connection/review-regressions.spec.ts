/**
 * Regressions found in review: each was reproduced against the code before its fix.
 */
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  ErrorCode,
  FrameType,
  IlpPacketType,
  createConnection,
  createMemoryNetwork,
  createServer,
  decodePacket,
  deriveKeys,
  encodePacket,
  isConnectionError,
  sendPrepare,
  type Frame,
  type IlpReply,
  type Plugin,
} from '../../lib';
import { connectedPair } from '../helpers/connected-pair';

jest.setTimeout(10_000);

function sendRaw(plugin: Plugin, destination: string, secret: Uint8Array, frames: Frame[], sequence: bigint, amount = 0n): Promise<IlpReply> {
  const keys = deriveKeys(secret);
  const data = keys.encrypt(encodePacket({ sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames }));
  return firstValueFrom(sendPrepare(plugin, { amount, destination, data, executionCondition: keys.condition(data), expiresAt: new Date(Date.now() + 30_000) }));
}

describe('review regressions', () => {
  it('E35: thousands of frames naming a closed stream get one small authentic reply, not a crash', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    await network.client.connect();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    await sendRaw(network.client, destinationAccount, sharedSecret, [{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }], 1n);
    await sendRaw(network.client, destinationAccount, sharedSecret, [{ type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.NoError, errorMessage: '' }], 2n);
    const flood: Frame[] = Array.from({ length: 4000 }, () => ({ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }));
    flood.push(...Array.from({ length: 200 }, (): Frame => ({ type: FrameType.ConnectionNewAddress, sourceAccount: 'test.memory.client' })));
    const reply = await sendRaw(network.client, destinationAccount, sharedSecret, flood, 3n, 10n);
    expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    const frames = decodePacket(deriveKeys(sharedSecret).decrypt(reply.data)).frames;
    expect(frames.filter((f) => f.type === FrameType.StreamClose)).toHaveLength(1);
    expect(frames.filter((f) => f.type === FrameType.ConnectionAssetDetails)).toHaveLength(1);
    await server.close();
  });

  it('29-5.3.1-a: both ends calling end() at once both close', async () => {
    const pair = await connectedPair({ latency: 10 });
    await Promise.all([pair.client.end(), pair.serverConnection.end()]);
    expect([pair.client.state, pair.serverConnection.state]).toEqual(['closed', 'closed']);
    await pair.server.close();
  });

  it('an application refusing a connection in connections$ (destroy) is paid nothing', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    let refused = 0;
    server.connections$.subscribe((connection) => {
      refused += 1;
      void connection.destroy(new Error('not today'));
    });
    const credentials = server.generateAddressAndSecret();
    const outcome = await createConnection({ plugin: network.client, ...credentials }).catch((e: unknown) => e);
    expect(isConnectionError(outcome, 'CONNECT_FAILED')).toBe(true);
    expect(network.stats.clientToServer.fulfilled).toBe(0);
    expect(refused).toBe(1); // later packets meet the closed connection, not a new one
    await server.close();
  });

  it('a late packet for a closed connection gets ConnectionClose, not a second connection', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    const seen = lastValueFrom(server.connections$.pipe(toArray()));
    const credentials = server.generateAddressAndSecret();
    const client = await createConnection({ plugin: network.client, ...credentials });
    await client.end();
    const late = await sendRaw(network.client, credentials.destinationAccount, credentials.sharedSecret, [{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }], 99n, 10n);
    expect(late).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(decodePacket(deriveKeys(credentials.sharedSecret).decrypt(late.data)).frames).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose }));
    await server.close();
    expect(await seen).toHaveLength(1);
  });

  it('29-3.3: the peer limit applies to streams we open, not to streams the peer opened', async () => {
    const pair = await connectedPair();
    // The server opens (and closes) streams 2..20, then 22: our limit for it grows as they close.
    for (let i = 0; i < 10; i++) {
      const s = pair.serverConnection.createStream();
      await lastValueFrom(s.sendMoney(1));
      await s.end();
    }
    const received: bigint[] = [];
    const peerStream = new Promise<import('../../lib').DataAndMoneyStream>((resolve) => pair.client.streams$.subscribe((s) => s.id === 22n && resolve(s)));
    const s22 = pair.serverConnection.createStream();
    expect(s22.id).toBe(22n);
    await lastValueFrom(s22.sendMoney(1));
    const stream = await peerStream;
    pair.serverConnection.streams$.subscribe(() => undefined);
    s22.money$.subscribe((a) => received.push(a));
    await lastValueFrom(stream.sendMoney(5)); // the client sends back on the server's stream 22
    expect(received).toEqual([5n]);
    await pair.close();
  });

  it('E30: an F08 without data halves the packet instead of shrinking it by one unit', async () => {
    const network = createMemoryNetwork();
    let f08s = 0;
    // A connector that only says "too large", with no (received, maximum) data.
    network.setOnPrepare((prepare, direction) => {
      if (direction !== 'clientToServer' || prepare.amount <= 1000n) return undefined;
      f08s += 1;
      return { code: 'F08', triggeredBy: 'test.memory', message: 'too large', data: Buffer.alloc(0) };
    });
    const server = await createServer({ plugin: network.server });
    const client = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret() });
    await lastValueFrom(client.createStream().sendMoney(1_000_000));
    // Halving from 5e5 reaches <= 1000 in about ten steps; shrinking by one unit would take ~1e6.
    expect(f08s).toBeLessThan(30);
    expect(client.totals.sent).toBe(1_000_000n);
    await client.end();
    await server.close();
  });

  it('E27: a path whose rate delivers nothing fails the connect with EXCHANGE_RATE instead of paying connectors', async () => {
    const network = createMemoryNetwork({ exchangeRate: '1e-13' });
    const server = await createServer({ plugin: network.server });
    const outcome = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret() }).catch((e: unknown) => e);
    expect(isConnectionError(outcome, 'EXCHANGE_RATE')).toBe(true);
    expect(network.stats.clientToServer.fulfilled).toBe(0);
    await server.close();
  });

  it('29-4.4.3, 29-4.4.4-a: stream data is accepted: the packet is fulfilled, the bytes reach data$, and the reply advertises both data limits', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server, streamReceiveWindow: 40_000, connectionReceiveWindow: 100_000 });
    const read: string[] = [];
    server.connections$.subscribe((c) => c.streams$.subscribe((s) => s.data$.subscribe((chunk) => read.push(chunk.toString()))));
    await network.client.connect();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const reply = await sendRaw(network.client, destinationAccount, sharedSecret, [{ type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.from('hello') }], 1n);
    expect(reply.type).toBe(IlpPacketType.Fulfill);
    expect(read).toEqual(['hello']);
    const frames = decodePacket(deriveKeys(sharedSecret).decrypt(reply.data)).frames;
    // The limits in the reply were computed before the bytes were read: 0 consumed + the windows.
    expect(frames).toContainEqual({ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 40_000n });
    expect(frames).toContainEqual({ type: FrameType.ConnectionMaxData, maxOffset: 100_000n });
    expect(frames.some((f) => f.type === FrameType.StreamClose)).toBe(false);
    await server.close();
  });
});
