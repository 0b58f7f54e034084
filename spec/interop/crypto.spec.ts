/**
 * Crypto interop with ilp-protocol-stream 2.7.1: envelopes, fulfillments, receipts, and server
 * address tokens minted and opened by a real reference `Server` (DESIGN.md §3: its tokens and
 * ours must be interchangeable under one server secret).
 */
import * as IlpPacket from 'ilp-packet';
import { serializeIldcpResponse } from 'ilp-protocol-ildcp';
import fc from 'fast-check';
import * as referenceCrypto from 'ilp-protocol-stream/dist/src/crypto';
import { IlpPacketType, Packet, StreamMoneyFrame, StreamReceiptFrame } from 'ilp-protocol-stream/dist/src/packet';
import * as referenceReceipt from 'ilp-protocol-stream/dist/src/util/receipt';
import type { Connection as ReferenceConnection, Server as ReferenceServer } from 'ilp-protocol-stream';
import { reference } from './reference-shim';
import {
  createConnectionToken,
  createReceipt,
  deriveKeys,
  fulfillmentMatches,
  openConnectionToken,
  sharedSecretFromToken,
  verifyReceipt,
} from '../../lib/crypto';

const SERVER_ADDRESS = 'test.reference-server';
const SERVER_SECRET = Buffer.alloc(32, 0x5e);
const RECEIPT_NONCE = Buffer.alloc(16, 0x4e);
const RECEIPT_SECRET = Buffer.alloc(32, 0x53);

/** A plugin whose only peer answers IL-DCP; tests hand Prepares to the server through `deliver`. */
class IldcpOnlyPlugin {
  private handler: ((data: Buffer) => Promise<Buffer>) | undefined;
  private connected = false;

  async connect(): Promise<void> {
    this.connected = true;
  }
  async disconnect(): Promise<void> {
    this.connected = false;
  }
  isConnected(): boolean {
    return this.connected;
  }
  async sendData(data: Buffer): Promise<Buffer> {
    const prepare = IlpPacket.deserializeIlpPrepare(data);
    if (prepare.destination === 'peer.config') {
      return serializeIldcpResponse({ clientAddress: SERVER_ADDRESS, assetCode: 'XYZ', assetScale: 9 });
    }
    return IlpPacket.serializeIlpReject({ code: 'F02', triggeredBy: 'test.peer', message: 'no route', data: Buffer.alloc(0) });
  }
  registerDataHandler(handler: (data: Buffer) => Promise<Buffer>): void {
    this.handler = handler;
  }
  deregisterDataHandler(): void {
    this.handler = undefined;
  }
  deliver(prepare: Buffer): Promise<Buffer> {
    if (this.handler === undefined) throw new Error('the server registered no data handler');
    return this.handler(prepare);
  }
}

describe('interop with ilp-protocol-stream 2.7.1: packet crypto', () => {
  it('29-5.1.1-a: our envelope opens with the reference decrypt, and theirs with ours', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 2000 }), async (secret, plaintext) => {
        const ours = deriveKeys(secret);
        const theirKey = await referenceCrypto.generatePskEncryptionKey(Buffer.from(secret));
        const fromUs = await referenceCrypto.decrypt(theirKey, ours.encrypt(plaintext));
        const fromThem = ours.decrypt(await referenceCrypto.encrypt(theirKey, Buffer.from(plaintext)));
        return fromUs.equals(plaintext) && fromThem.equals(plaintext);
      }),
      { seed: 2_071, numRuns: 300 },
    );
  });

  it('29-6.2-a: fulfillments and conditions equal the reference ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 2000 }), async (secret, data) => {
        const ours = deriveKeys(secret);
        const fulfillmentKey = await referenceCrypto.generateFulfillmentKey(Buffer.from(secret));
        const theirFulfillment = await referenceCrypto.generateFulfillment(fulfillmentKey, Buffer.from(data));
        const theirCondition = await referenceCrypto.hash(theirFulfillment);
        return ours.fulfillment(data).equals(theirFulfillment) && ours.condition(data).equals(theirCondition);
      }),
      { seed: 2_072, numRuns: 300 },
    );
  });

  it('I-18: receipts are byte-identical to the reference, and each side verifies the other', () => {
    for (const [streamId, total] of [[1, 500n], [255, 2n ** 64n - 1n], [0, 0n]] as const) {
      const ours = createReceipt({ nonce: RECEIPT_NONCE, streamId, totalReceived: total, secret: RECEIPT_SECRET });
      const theirs = referenceReceipt.createReceipt({ nonce: RECEIPT_NONCE, streamId, totalReceived: total.toString(), secret: RECEIPT_SECRET });
      expect(ours.equals(theirs)).toBe(true);
      expect(referenceReceipt.verifyReceipt(ours, RECEIPT_SECRET).totalReceived.toString()).toBe(total.toString());
      expect(verifyReceipt(theirs, RECEIPT_SECRET).totalReceived).toBe(total);
    }
  });
});

describe('interop with ilp-protocol-stream 2.7.1: address tokens', () => {
  it('reference-js §4.4: shared secret derivation equals generateSharedSecretFromToken', () => {
    const { token, sharedSecret } = createConnectionToken(SERVER_SECRET, { connectionTag: 'x' });
    const tokenBytes = Buffer.from(token, 'base64url');
    expect(referenceCrypto.generateSharedSecretFromToken(SERVER_SECRET, tokenBytes).equals(sharedSecret)).toBe(true);
    expect(sharedSecretFromToken(SERVER_SECRET, token).equals(sharedSecret)).toBe(true);
  });

  it('our token plaintext decrypts with decryptConnectionAddressToken', () => {
    const { token } = createConnectionToken(SERVER_SECRET, { connectionTag: 'abc' });
    const plaintext = referenceCrypto.decryptConnectionAddressToken(SERVER_SECRET, Buffer.from(token, 'base64url'));
    expect(plaintext.subarray(18).toString('hex')).toBe('03616263' + '00' + '00');
  });
});

describe('interop with a real ilp-protocol-stream 2.7.1 Server (fixed server secret)', () => {
  let plugin: IldcpOnlyPlugin;
  let server: ReferenceServer;
  const connections: ReferenceConnection[] = [];

  beforeEach(async () => {
    plugin = new IldcpOnlyPlugin();
    server = new reference.Server({ plugin, serverSecret: SERVER_SECRET });
    server.on('connection', (connection: ReferenceConnection) => {
      connections.push(connection);
      connection.on('stream', (stream) => stream.setReceiveMax(Infinity));
    });
    await server.listen();
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.destroy()));
    await server.close();
  });

  const tokenOf = (destinationAccount: string) => {
    expect(destinationAccount.startsWith(`${SERVER_ADDRESS}.`)).toBe(true);
    return destinationAccount.slice(SERVER_ADDRESS.length + 1);
  };

  it('opens a reference token without a tag: same shared secret, no tag, no receipts', () => {
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    expect(openConnectionToken(SERVER_SECRET, tokenOf(destinationAccount))).toEqual({ sharedSecret });
  });

  it('opens a reference token with a connection tag', () => {
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret('order-42.user_7~x');
    expect(openConnectionToken(SERVER_SECRET, tokenOf(destinationAccount))).toEqual({ connectionTag: 'order-42.user_7~x', sharedSecret });
  });

  it('opens a reference token with a tag and receipt details', () => {
    const minted = server.generateAddressAndSecret({ connectionTag: 'r', receiptNonce: RECEIPT_NONCE, receiptSecret: RECEIPT_SECRET });
    expect(openConnectionToken(SERVER_SECRET, tokenOf(minted.destinationAccount))).toEqual({
      connectionTag: 'r',
      receiptNonce: RECEIPT_NONCE,
      receiptSecret: RECEIPT_SECRET,
      sharedSecret: minted.sharedSecret,
    });
  });

  it('does not open a reference token under another server secret', () => {
    const { destinationAccount } = server.generateAddressAndSecret('t');
    expect(openConnectionToken(Buffer.alloc(32, 1), tokenOf(destinationAccount))).toBeUndefined();
  });

  /** Sends one Prepare carrying StreamMoney(1) to `destination`, encrypted under `sharedSecret`. */
  async function sendMoney(destination: string, sharedSecret: Buffer, amount: string) {
    const keys = deriveKeys(sharedSecret);
    const data = keys.encrypt(new Packet(1, IlpPacketType.Prepare, 0, [new StreamMoneyFrame(1, 1)])._serialize());
    const executionCondition = keys.condition(data);
    const reply = IlpPacket.deserializeIlpReply(
      await plugin.deliver(
        IlpPacket.serializeIlpPrepare({ amount, executionCondition, expiresAt: new Date(Date.now() + 30_000), destination, data }),
      ),
    );
    return { keys, executionCondition, reply };
  }

  it('accepts our token: emits the connection with our tag and replies under our shared secret, with a receipt we verify', async () => {
    const { token, sharedSecret } = createConnectionToken(SERVER_SECRET, {
      connectionTag: 'minted-by-us',
      receiptNonce: RECEIPT_NONCE,
      receiptSecret: RECEIPT_SECRET,
    });
    const { keys, executionCondition, reply } = await sendMoney(`${SERVER_ADDRESS}.${token}`, sharedSecret, '100');

    expect(connections.map((connection) => connection.connectionTag)).toEqual(['minted-by-us']);
    expect(IlpPacket.isFulfill(reply)).toBe(true);
    if (!IlpPacket.isFulfill(reply)) return;
    expect(fulfillmentMatches(reply.fulfillment, executionCondition)).toBe(true);

    const replyPacket = Packet._deserializeUnencrypted(keys.decrypt(reply.data));
    expect(replyPacket.sequence.toString()).toBe('1');
    expect(replyPacket.ilpPacketType).toBe(IlpPacketType.Fulfill);
    const receiptFrame = replyPacket.frames.find((frame): frame is StreamReceiptFrame => frame instanceof StreamReceiptFrame);
    expect(receiptFrame).toBeDefined();
    const receipt = verifyReceipt(receiptFrame?.receipt ?? Buffer.alloc(0), RECEIPT_SECRET);
    expect(receipt.nonce.equals(RECEIPT_NONCE)).toBe(true);
    expect(receipt.streamId).toBe(1n);
    expect(receipt.totalReceived).toBe(100n);
  });

  it('sees the same tag as we do for a token it minted with non-ASCII characters', async () => {
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret('café');
    const ours = openConnectionToken(SERVER_SECRET, tokenOf(destinationAccount));
    await sendMoney(destinationAccount, sharedSecret, '0');
    expect(connections.map((connection) => connection.connectionTag)).toEqual([ours?.connectionTag]);
  });

  it('rejects (F02) a token we minted under another server secret, opening no connection', async () => {
    const { token, sharedSecret } = createConnectionToken(Buffer.alloc(32, 0x01), { connectionTag: 'stranger' });
    const { reply } = await sendMoney(`${SERVER_ADDRESS}.${token}`, sharedSecret, '100');
    expect(IlpPacket.isReject(reply) && reply.code).toBe('F02');
    expect(connections).toHaveLength(0);
  });
});
