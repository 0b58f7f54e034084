/**
 * "Codec+crypto round trip": everything one money packet's round trip costs except the network
 * and the connection logic, as perf-anchor.md's "(e) reference codec plus crypto per round trip"
 * (~10.8k/s for the reference) defines it:
 *
 * 1. sender: build the STREAM packet, encode, encrypt, fulfillment HMAC, condition SHA-256,
 *    serialize the ILP Prepare;
 * 2. receiver: deserialize the Prepare, decrypt, decode, fulfillment HMAC, check its SHA-256
 *    against the condition, build, encode and encrypt the reply, serialize the ILP Fulfill;
 * 3. sender: deserialize the Fulfill, check the fulfillment's SHA-256, decrypt and decode the
 *    reply, check its sequence.
 *
 * The reference side calls exactly the functions ilp-protocol-stream 2.7.1's `sendPacket`,
 * `Server#handleData` and `Connection#handlePrepare` call (its async crypto helpers, `Packet`,
 * ilp-packet), in the same order.
 *
 * @example
 * ```ts
 * const roundTrip = oursCodecCryptoRoundTrip(); roundTrip();
 * const refRoundTrip = await referenceCodecCryptoRoundTrip(); await refRoundTrip();
 * ```
 */
import * as IlpPacket from 'ilp-packet';
import * as refCrypto from 'ilp-protocol-stream/dist/src/crypto';
import * as refPacket from 'ilp-protocol-stream/dist/src/packet';
import { deriveKeys, fulfillmentMatches } from '../../lib/crypto';
import { deserializeIlpPrepare, deserializeIlpReply, serializeIlpFulfill, serializeIlpPrepare } from '../../lib/ilp';
import { decodePacket, encodePacket } from '../../lib/wire';
import { IlpPacketType } from '../../lib/wire/types';
import { moneyFulfill, moneyPrepare } from './packets';

const SHARED_SECRET = Buffer.alloc(32, 0x2a);
const DESTINATION = 'test.memory.server.2Q7kgR9bYVt8bJb1wUvLtQ';
const EXPIRY_MS = 30_000;
const U64_MAX = '18446744073709551615';

function fail(what: string): never {
  throw new Error(`codec+crypto round trip is broken: ${what}`);
}

/**
 * Ours: `lib/wire`, `lib/crypto` (`StreamKeys`), `lib/ilp` codecs. Synchronous.
 *
 * @example
 * ```ts
 * const roundTrip = oursCodecCryptoRoundTrip();
 * for (let i = 0; i < 1000; i++) roundTrip();
 * ```
 */
export function oursCodecCryptoRoundTrip(): () => void {
  const sender = deriveKeys(SHARED_SECRET);
  const receiver = deriveKeys(SHARED_SECRET);
  let sequence = 0n;
  return () => {
    sequence += 1n;
    const data = sender.encrypt(encodePacket(moneyPrepare(sequence)));
    const executionCondition = sender.condition(data);
    const prepareBytes = serializeIlpPrepare({ amount: 1_000n, expiresAt: new Date(Date.now() + EXPIRY_MS), executionCondition, destination: DESTINATION, data });

    const prepare = deserializeIlpPrepare(prepareBytes);
    const request = decodePacket(receiver.decrypt(prepare.data));
    const fulfillment = receiver.fulfillment(prepare.data);
    if (!fulfillmentMatches(fulfillment, prepare.executionCondition)) fail('receiver condition');
    const replyData = receiver.encrypt(encodePacket(moneyFulfill(request.sequence)));
    const fulfillBytes = serializeIlpFulfill({ fulfillment, data: replyData });

    const reply = deserializeIlpReply(fulfillBytes);
    if (reply.type !== IlpPacketType.Fulfill || !fulfillmentMatches(reply.fulfillment, executionCondition)) fail('sender condition');
    if (decodePacket(sender.decrypt(reply.data)).sequence !== sequence) fail('reply sequence');
  };
}

/**
 * The reference: ilp-protocol-stream 2.7.1's `Packet`, async crypto helpers and ilp-packet.
 *
 * @example
 * ```ts
 * const roundTrip = await referenceCodecCryptoRoundTrip();
 * await roundTrip();
 * ```
 */
export async function referenceCodecCryptoRoundTrip(): Promise<() => Promise<void>> {
  const pskKey = await refCrypto.generatePskEncryptionKey(SHARED_SECRET);
  const fulfillmentKey = await refCrypto.generateFulfillmentKey(SHARED_SECRET);
  const { Packet, IlpPacketType: RefType, StreamMoneyFrame, StreamMaxMoneyFrame } = refPacket;
  let sequence = 0;
  return async () => {
    sequence += 1;
    const packet = new Packet(sequence, RefType.Prepare, 990, [new StreamMoneyFrame(1, 1000), new StreamMaxMoneyFrame(1, U64_MAX, 0)]);
    const data = await packet.serializeAndEncrypt(pskKey);
    const executionCondition = await refCrypto.hash(await refCrypto.generateFulfillment(fulfillmentKey, data));
    const prepareBytes = IlpPacket.serializeIlpPrepare({ destination: DESTINATION, amount: '1000', data, executionCondition, expiresAt: new Date(Date.now() + EXPIRY_MS) });

    const prepare = IlpPacket.deserializeIlpPrepare(prepareBytes);
    const request = await Packet.decryptAndDeserialize(pskKey, prepare.data);
    const fulfillment = await refCrypto.generateFulfillment(fulfillmentKey, prepare.data);
    if (!(await refCrypto.hash(fulfillment)).equals(prepare.executionCondition)) fail('receiver condition');
    const reply = new Packet(request.sequence, RefType.Fulfill, prepare.amount, [new StreamMaxMoneyFrame(1, U64_MAX, 4_319_000)]);
    const fulfillBytes = IlpPacket.serializeIlpFulfill({ fulfillment, data: await reply.serializeAndEncrypt(pskKey) });

    const fulfill = IlpPacket.deserializeIlpFulfill(fulfillBytes);
    if (!(await refCrypto.hash(fulfill.fulfillment)).equals(executionCondition)) fail('sender condition');
    const replyPacket = await Packet.decryptAndDeserialize(pskKey, fulfill.data);
    if (!replyPacket.sequence.equals(packet.sequence)) fail('reply sequence');
  };
}
