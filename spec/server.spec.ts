import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  FrameType,
  IlpPacketType,
  createConnection,
  createMemoryNetwork,
  createServer,
  deriveKeys,
  encodePacket,
  isConnectionError,
  sendPrepare,
  type Connection,
  type IlpReply,
  type StreamPacket,
} from '../lib';

jest.setTimeout(10_000);

async function startServer(options: { serverSecret?: Uint8Array } = {}) {
  const network = createMemoryNetwork();
  const server = await createServer({ plugin: network.server, ...options });
  await network.client.connect();
  return { network, server };
}

function sendRaw(plugin: Parameters<typeof sendPrepare>[0], destination: string, secret: Uint8Array, packet: StreamPacket, amount = 0n): Promise<IlpReply> {
  const keys = deriveKeys(secret);
  const data = keys.encrypt(encodePacket(packet));
  return firstValueFrom(sendPrepare(plugin, { amount, destination, data, executionCondition: keys.condition(data), expiresAt: new Date(Date.now() + 30_000) }));
}

const ping = (frames: StreamPacket['frames'] = [], sequence = 1n): StreamPacket => ({ sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames });

describe('createServer', () => {
  it('29-4.1-c: addresses are the server address plus a token; the tag comes back on the connection', async () => {
    const { network, server } = await startServer();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret('order-42');
    expect(destinationAccount.startsWith(server.serverAccount + '.')).toBe(true);
    expect(sharedSecret.length).toBe(32);
    const connections = firstValueFrom(server.connections$);
    const client = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    expect((await connections).connectionTag).toBe('order-42');
    await client.end();
    await server.close();
  });

  it('a new token creates its connection exactly once, though the probe volley arrives at once', async () => {
    const { network, server } = await startServer();
    const seen: Connection[] = [];
    server.connections$.subscribe((c) => seen.push(c));
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const client = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    expect(network.stats.clientToServer.prepares).toBeGreaterThan(1);
    expect(seen).toHaveLength(1);
    await client.end();
    await server.close();
  });

  it('E39 / I-9: an invalid token, a foreign destination, or a first packet that does not decrypt get F02', async () => {
    const { network, server } = await startServer();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const wrongToken = await sendRaw(network.client, `${server.serverAccount}.AAAAAAAAAAAAAAAAAAAA`, sharedSecret, ping());
    const wrongSecret = await sendRaw(network.client, destinationAccount, randomBytes(32), ping());
    expect(wrongToken).toMatchObject({ type: IlpPacketType.Reject, code: 'F02' });
    expect(wrongSecret).toMatchObject({ type: IlpPacketType.Reject, code: 'F02' });
    await server.close();
  });

  it('29-4.2-b / E1: on an existing connection, data that does not decrypt gets F06 without STREAM data', async () => {
    const { network, server } = await startServer();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    expect((await sendRaw(network.client, destinationAccount, sharedSecret, ping())).type).toBe(IlpPacketType.Fulfill);
    const reply = await sendRaw(network.client, destinationAccount, randomBytes(32), ping([], 2n));
    expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F06' });
    expect(reply.data.length).toBe(0);
    await server.close();
  });

  it('29-4.4.1-c / E16: a client opening an even stream gets ConnectionClose(ProtocolViolation) and the server connection errors', async () => {
    const { network, server } = await startServer();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const closed = firstValueFrom(server.connections$).then((c) => lastValueFrom(c.state$.pipe(toArray())).catch((e: unknown) => e));
    const reply = await sendRaw(network.client, destinationAccount, sharedSecret, ping([{ type: FrameType.StreamMoney, streamId: 2n, shares: 1n }]));
    expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    const keys = deriveKeys(sharedSecret);
    const { decodePacket } = await import('../lib');
    expect(decodePacket(keys.decrypt(reply.data)).frames).toContainEqual({ type: FrameType.ConnectionClose, errorCode: ErrorCode.ProtocolViolation, errorMessage: expect.any(String) });
    expect(isConnectionError(await closed, 'PROTOCOL_VIOLATION')).toBe(true);
    await server.close();
  });

  it('refuses a server secret that is not 32 bytes and a missing plugin', async () => {
    const network = createMemoryNetwork();
    await expect(createServer({ plugin: network.server, serverSecret: Buffer.alloc(31) })).rejects.toThrow(/serverSecret/);
    await expect(createServer({} as never)).rejects.toThrow(/plugin/);
  });

  it('the same server secret recognises credentials minted before a restart', async () => {
    const serverSecret = randomBytes(32);
    const first = await startServer({ serverSecret });
    const credentials = first.server.generateAddressAndSecret('kept');
    await first.server.close();
    const network = createMemoryNetwork();
    const second = await createServer({ plugin: network.server, serverSecret });
    const connection = firstValueFrom(second.connections$);
    const client = await createConnection({ plugin: network.client, ...credentials });
    expect((await connection).connectionTag).toBe('kept');
    await client.end();
    await second.close();
  });

  it('close() ends every connection cleanly and completes connections$', async () => {
    const { network, server } = await startServer();
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    const done = lastValueFrom(server.connections$.pipe(toArray()));
    const client = await createConnection({ plugin: network.client, destinationAccount, sharedSecret });
    const clientStates = lastValueFrom(client.state$.pipe(toArray()));
    await server.close();
    expect((await done).length).toBe(1);
    expect((await clientStates).at(-1)).toBe('closed');
  });
});
