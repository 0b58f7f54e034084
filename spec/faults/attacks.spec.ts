/**
 * Named tests for the attacks and edge cases of checklist §3 that had none (E4, E7, E8, E29, E40),
 * end-to-end tests where the existing ones stop at a unit (E14 overflow, E26, E34), and regressions
 * for what the fuzzer found.
 *
 * E7, as decided here: the receiver answers each sequence once. A duplicated or replayed Prepare is
 * refused F99 with an authentic reply carrying no frames, so nothing is credited or applied twice
 * and the sender's "delivered" keeps matching the receiver's "received" (invariants-money.spec). Server-side cases drive a real server through the
 * synchronous fuzz harness (spec/faults/fuzz/harness.ts); client-side ones use the in-memory network.
 */
import { lastValueFrom } from 'rxjs';
import {
  createConnection,
  createMemoryNetwork,
  createServer,
  decodePacket,
  deriveKeys,
  ErrorCode,
  FrameType,
  IlpPacketType,
  isConnectionError,
  MAX_U64,
  rejectT00,
  type Frame,
  type IlpPrepare,
  type StreamKeys,
  type StreamPacket,
} from '../../lib';
import { RawClient } from './fuzz/client';
import { content } from './fuzz/frames';
import { SERVER_ACCOUNT, SERVER_ASSET, startHarness, type Harness } from './fuzz/harness';
import { assemble, frameBytes, varUInt } from './fuzz/raw-packet';
import { Session } from './fuzz/session';
import { respelledToken } from './fuzz/token-spelling';
import { within } from '../helpers/within';
import { SEQUENCE_WINDOW, SeenSequences } from '../../lib/connection/incoming';

jest.setTimeout(20_000);

const money = (streamId: bigint, shares = 1n): Frame => ({ type: FrameType.StreamMoney, streamId, shares });
/** StreamData with the bytes an honest client sends (the harness checks every delivered byte). */
const data = (streamId: bigint, offset: bigint, length: number): Frame => ({ type: FrameType.StreamData, streamId, offset, data: content(streamId, offset, length) });
const address = (sourceAccount: string): Frame => ({ type: FrameType.ConnectionNewAddress, sourceAccount });
const ourAssetDetails: Frame = { type: FrameType.ConnectionAssetDetails, sourceAssetCode: SERVER_ASSET.code, sourceAssetScale: SERVER_ASSET.scale };

let harness: Harness;
let sessions = 0;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(async () => {
  await harness.stop();
  expect(harness.problems).toEqual([]);
});

function client(): RawClient {
  sessions += 1;
  return new RawClient(harness, new Session(harness.server.generateAddressAndSecret(), 'live', sessions));
}

/** Every chunk delivered on data$ of `streamId` of a session's connection, subscribed when the stream opens. */
function collectData(raw: RawClient, streamId: bigint): Buffer[] {
  const chunks: Buffer[] = [];
  harness.watchStreams((token, stream) => {
    if (token === raw.session.token && stream.id === streamId) stream.data$.subscribe({ next: (chunk) => chunks.push(chunk), error: () => undefined });
  });
  return chunks;
}

describe('E4 / 29-5.2-c: a STREAM packet of the wrong type inside a Prepare', () => {
  it('E4: a Fulfill- or Reject-typed STREAM packet in a Prepare is rejected F06 with no STREAM data and none of its frames applied', () => {
    for (const type of [IlpPacketType.Fulfill, IlpPacketType.Reject]) expectDiscarded(type);
  });

  function expectDiscarded(type: IlpPacketType): void {
    const raw = client();
    const before = harness.credited;
    expect(raw.send([]).reply.type).toBe(IlpPacketType.Fulfill); // the connection exists
    const frames = [money(1n), data(1n, 0n, 3), { type: FrameType.ConnectionClose, errorCode: ErrorCode.NoError, errorMessage: '' } as Frame];
    const plaintext = assemble({ type, sequence: varUInt(2n), prepareAmount: varUInt(0n), frames: frames.map(frameBytes) });

    const answer = raw.sendPlaintext(plaintext, { amount: 100n });

    expect(answer.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F06' });
    expect(answer.reply.data.length).toBe(0);
    expect(harness.credited).toBe(before); // StreamMoney not applied
    expect(harness.connectionStatus(raw.session.token)).toBe('live'); // ConnectionClose not applied
    expect(harness.streamIds(raw.session.token)).toEqual([]); // stream 1 not opened
    // The same frames in a Prepare-typed packet would have done all of that: the check is what stopped them.
    const control = raw.sendPlaintext(assemble({ type: IlpPacketType.Prepare, sequence: varUInt(3n), prepareAmount: varUInt(0n), frames: frames.map(frameBytes) }), { amount: 100n });
    expect(control.reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.credited).toBe(before + 100n);
    expect(harness.connectionStatus(raw.session.token)).toBe('closed');
  }
  it('E4: as the first packet of a new token, it is rejected F06 with no STREAM data and the server keeps no connection for it', () => {
    for (const type of [IlpPacketType.Fulfill, IlpPacketType.Reject]) {
      const raw = client();
      const plaintext = assemble({ type, sequence: varUInt(1n), prepareAmount: varUInt(0n), frames: [money(1n), data(1n, 0n, 3)].map(frameBytes) });
      const opened = harness.server.stats.opened;

      const answer = raw.sendPlaintext(plaintext, { amount: 100n });

      expect(answer.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F06' });
      expect(answer.reply.data.length).toBe(0);
      expect(harness.server.stats.opened).toBe(opened);
      expect(harness.connectionStatus(raw.session.token)).toBeUndefined();
      expect(harness.credited).toBe(0n);
      // The token stays good: a Prepare-typed first packet opens the connection.
      expect(raw.send([]).reply.type).toBe(IlpPacketType.Fulfill);
      expect(harness.server.stats.opened).toBe(opened + 1);
    }
  });
});

describe('E7: replayed Prepares (an intermediary re-sends the same bytes)', () => {
  it('E7: a replayed money Prepare is refused F99 with an authentic reply and no frames; nothing is credited or applied twice', () => {
    const raw = client();
    const first = raw.send([money(1n), { type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.NoError, errorMessage: '' }], { amount: 3_000n });
    expect(first.reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.credited).toBe(3_000n);

    const replay = raw.deliver(first.prepare);

    // Fulfilling the copy would execute a second transfer that the sender never sent (the sender
    // and the receiver would disagree on what was paid), so the copy is refused, whole.
    expect(replay.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(replay.packet).toMatchObject({ sequence: first.packet?.sequence, ilpPacketType: IlpPacketType.Reject, prepareAmount: 3_000n, frames: [] });
    expect(harness.credited).toBe(3_000n);
    // Its StreamMoney did not reopen or credit the stream it closed, which a fresh sequence would hit (E18).
    const fresh = raw.send([money(1n)], { amount: 10n });
    expect(fresh.packet?.frames).toContainEqual({ type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.StreamStateError, errorMessage: expect.any(String) as string });
  });

  it('E7: a token respelled (another last base64url character for the same bytes) reaches the same connection, so a replay through it is refused too', () => {
    const raw = client();
    const first = raw.send([money(1n)], { amount: 3_000n });
    expect(first.reply.type).toBe(IlpPacketType.Fulfill);
    const alias = respelledToken(raw.session.token);
    if (alias === undefined) throw new Error('a 49-byte token always has unused bits');
    const aliasSession = new Session({ destinationAccount: `${SERVER_ACCOUNT}.${alias}`, sharedSecret: raw.session.sharedSecret }, 'live', sessions + 1000);
    const viaAlias = new RawClient(harness, aliasSession);

    // The same Prepare (same sequence, same money) sent again to the other spelling.
    const replay = viaAlias.send([money(1n)], { amount: 3_000n, sequence: first.packet?.sequence ?? 1n });
    expect(replay.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(harness.credited).toBe(3_000n);
    // A new sequence through the alias is the same connection's next packet, not a second connection.
    const next = viaAlias.send([money(1n)], { amount: 500n, sequence: 7n });
    expect(next.reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.credited).toBe(3_500n);
    expect(harness.server.stats.opened).toBe(1);
    expect(harness.server.connectionCount).toBe(1);
  });

  it('E7: sequences are remembered in a sliding window: out of order is fine, a duplicate or one older than the window is not', () => {
    const seen = new SeenSequences();
    expect([5, 3, 4, 0].map((n) => seen.record(n))).toEqual([true, true, true, true]);
    expect([5, 3, 0].map((n) => seen.record(n))).toEqual([false, false, false]);
    expect(seen.record(5 + SEQUENCE_WINDOW)).toBe(true);
    expect(seen.record(6)).toBe(true); // still inside the window, never seen
    expect(seen.record(5)).toBe(false); // at the edge of the window: refused as too old
    expect(seen.record(3 * SEQUENCE_WINDOW)).toBe(true); // a jump clears the window
    expect(seen.record(3 * SEQUENCE_WINDOW - 1)).toBe(true);
    expect(seen.record(2 * SEQUENCE_WINDOW)).toBe(false);
  });

  it('E7 / 29-5.3.11-c: replayed data Prepares are refused, re-sent bytes under a new sequence are acknowledged; each byte is delivered once', () => {
    const raw = client();
    const chunks = collectData(raw, 1n);
    const first = raw.send([data(1n, 0n, 6)]);
    const second = raw.send([data(1n, 6n, 5)]);
    expect([first.reply.type, second.reply.type]).toEqual([IlpPacketType.Fulfill, IlpPacketType.Fulfill]);

    for (const replayed of [first, second, first]) expect(raw.deliver(replayed.prepare).reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    // A sender re-sending bytes whose Fulfill it lost uses a new sequence: identical bytes are fine.
    expect(raw.send([data(1n, 0n, 11)]).reply.type).toBe(IlpPacketType.Fulfill);

    expect(Buffer.concat(chunks)).toEqual(content(1n, 0n, 11));
  });

  it('E7 / 29-5.3.1-a: a Prepare replayed after the connection closed is refused with ConnectionClose and credits nothing', () => {
    const raw = client();
    const paid = raw.send([money(1n)], { amount: 500n });
    expect(raw.send([{ type: FrameType.ConnectionClose, errorCode: ErrorCode.NoError, errorMessage: '' }]).reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.connectionStatus(raw.session.token)).toBe('closed');

    const replay = raw.deliver(paid.prepare);

    expect(replay.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(replay.packet?.frames.map((f) => f.type)).toEqual([FrameType.ConnectionClose]);
    expect(harness.credited).toBe(500n);
  });
});

describe('E29 / 29-6.3-a: unfulfillable quote packets', () => {
  it('E29: a test packet is answered with an authentic F99 carrying the amount that arrived, and asset details for its address', () => {
    const raw = client();
    const answer = raw.send([money(1n), address('test.quoting.client')], { amount: 1_000_000_000_000n, unfulfillable: true });
    expect(answer.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(answer.packet).toMatchObject({ sequence: 1n, ilpPacketType: IlpPacketType.Reject, prepareAmount: 1_000_000_000_000n });
    expect(answer.packet?.frames).toContainEqual(ourAssetDetails);
    expect(harness.credited).toBe(0n);
  });
});

describe('E40 / I-16: ConnectionNewAddress is always answered with asset details', () => {
  it.each(['', 'private.', 'g', 'test.fuzz.client.valid'])('E40: CNA %p gets ConnectionAssetDetails and ConnectionMaxStreamId, on every packet that carries one', (sourceAccount) => {
    const raw = client();
    for (let i = 0; i < 3; i++) {
      const answer = raw.send([address(sourceAccount)], { unfulfillable: i === 1 });
      expect(answer.packet?.frames).toContainEqual(ourAssetDetails);
      expect(answer.packet?.frames).toContainEqual({ type: FrameType.ConnectionMaxStreamId, maxStreamId: 20n });
    }
    // A packet without CNA gets no asset details: they answer the address, they are not noise.
    expect(raw.send([]).packet?.frames).not.toContainEqual(ourAssetDetails);
  });

  it('E40: our client sends CNA and CAD in its packets until the first authentic reply, and not after', async () => {
    const sent: IlpPrepare[] = [];
    const network = createMemoryNetwork({ onPrepare: (prepare, direction) => void (direction === 'clientToServer' && sent.push(prepare)) });
    const server = await createServer({ plugin: network.server });
    const credentials = server.generateAddressAndSecret();
    const keys = deriveKeys(credentials.sharedSecret);
    const connection = await createConnection({ plugin: network.client, ...credentials });
    await lastValueFrom(connection.createStream().sendMoney(1_000));
    await connection.end();
    await server.close();

    const packets = sent.filter((p) => p.destination === credentials.destinationAccount).map((prepare) => decodePacket(keys.decrypt(prepare.data)));
    const announces = (packet: StreamPacket): boolean =>
      packet.frames.some((f) => f.type === FrameType.ConnectionNewAddress && f.sourceAccount === connection.sourceAccount) &&
      packet.frames.some((f) => f.type === FrameType.ConnectionAssetDetails && f.sourceAssetCode === connection.sourceAssetCode);
    expect(announces(packets[0] as StreamPacket)).toBe(true);
    // The volley before the first reply all carry them; the money and the close after it do not.
    const firstWithout = packets.findIndex((p) => !announces(p));
    expect(firstWithout).toBeGreaterThan(0);
    expect(packets.slice(firstWithout).filter(announces)).toEqual([]);
  });
});

describe('E8 / 29-5.2-d: our sender never reuses a sequence', () => {
  it('E8: every Prepare of a connection, retries included, has a new sequence and a new IV', async () => {
    const sent: IlpPrepare[] = [];
    let keys: StreamKeys | undefined;
    let rejected = 0;
    const network = createMemoryNetwork({
      maxPacketAmount: 400,
      onPrepare: (prepare, direction) => {
        if (direction !== 'clientToServer' || prepare.destination === 'peer.config') return undefined;
        sent.push(prepare);
        // Two temporary failures of money packets: their retries must not reuse the sequence.
        const fulfillable = keys?.condition(prepare.data).equals(prepare.executionCondition) ?? false;
        if (!fulfillable || prepare.amount === 0n || rejected >= 2) return undefined;
        rejected += 1;
        return rejectT00('busy', 'test.memory');
      },
    });
    const server = await createServer({ plugin: network.server });
    const credentials = server.generateAddressAndSecret();
    keys = deriveKeys(credentials.sharedSecret);
    const connection = await createConnection({ plugin: network.client, ...credentials, retryBaseDelayMs: 1 });
    await lastValueFrom(connection.createStream().sendMoney(4_000));
    await connection.end();
    await server.close();

    expect(rejected).toBe(2);
    const sequences = sent.map((prepare) => decodePacket((keys as StreamKeys).decrypt(prepare.data)).sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(new Set(sent.map((prepare) => prepare.data.subarray(0, 12).toString('hex'))).size).toBe(sent.length);
  });

  it('E8: a client restarted with the same credentials after the connection closed is told ConnectionClose, and nothing is credited twice', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    const received: bigint[] = [];
    const opened: unknown[] = [];
    server.connections$.subscribe((c) => {
      opened.push(c);
      c.totals$.subscribe({ next: (t) => received.push(t.received), error: () => undefined });
    });
    const credentials = server.generateAddressAndSecret();
    const first = await createConnection({ plugin: network.client, ...credentials });
    await lastValueFrom(first.createStream().sendMoney(1_000));
    await first.end();

    // A restart loses the sequence counter: the server must not treat sequence 1 again as a new connection.
    const restarted = createConnection({ plugin: network.client, ...credentials });
    const error: unknown = await restarted.then(() => undefined, (e: unknown) => e);
    expect(isConnectionError(error, 'CONNECT_FAILED')).toBe(true);
    expect(opened).toHaveLength(1);
    expect(received.at(-1)).toBe(1_000n);
    expect(await within(server.close(), 5_000)).toBe(true);
  });
});

describe('end to end through the server, where the existing tests stop at receivePacket or the codec', () => {
  it('E14: shares whose total passes 2^64 - 1 are split exactly in bigint: nothing overflows, nothing is lost', () => {
    const raw = client();
    const answer = raw.send([money(1n, MAX_U64), money(5n, MAX_U64)], { amount: 101n });
    expect(answer.reply.type).toBe(IlpPacketType.Fulfill);
    // floor(101 / 2) each, and the remainder to the lowest id (RFC 29 §5.3.8).
    expect(answer.packet?.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 51n });
    expect(answer.packet?.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 5n, receiveMax: MAX_U64, totalReceived: 50n });
    expect(harness.credited).toBe(101n);
  });

  it('E26 / 27-Term-a: a Prepare whose expiry is at or before the server clock gets R00 with an authentic reply and credits nothing', () => {
    const raw = client();
    harness.advance(5_000);
    const now = harness.scheduler.now();
    for (const expiresAt of [new Date(now), new Date(now - 1_000)]) {
      const answer = raw.send([money(1n)], { amount: 100n, expiresAt });
      expect(answer.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'R00' });
      expect(answer.packet?.ilpPacketType).toBe(IlpPacketType.Reject);
    }
    expect(harness.credited).toBe(0n);
    expect(raw.send([money(1n)], { amount: 100n, expiresAt: new Date(now + 1) }).reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.credited).toBe(100n);
  });

  it('E34 / 29-5.2-h: zero padding, junk, or what looks like another frame after the declared frames is ignored and the packet is processed', () => {
    const trailers = [
      Buffer.alloc(40),
      Buffer.from('ff0102030405060708090a0b0c', 'hex'),
      frameBytes({ type: FrameType.ConnectionClose, errorCode: ErrorCode.ProtocolViolation, errorMessage: 'x' }),
    ];
    for (const trailer of trailers) {
      const raw = client();
      const before = harness.credited;
      const plaintext = assemble({ type: IlpPacketType.Prepare, sequence: varUInt(1n), prepareAmount: varUInt(0n), frames: [frameBytes(money(1n))], trailer });
      const answer = raw.sendPlaintext(plaintext, { amount: 70n });
      expect(answer.reply.type).toBe(IlpPacketType.Fulfill);
      expect(answer.packet?.sequence).toBe(1n);
      expect(harness.credited).toBe(before + 70n);
      expect(harness.connectionStatus(raw.session.token)).toBe('live');
    }
  });
});

describe('regressions found by the fuzzer', () => {
  it('E19 / I-10: money that would take a stream past 2^64 - 1 in total is refused with F99 + StreamMaxMoney, not T00', () => {
    const raw = client();
    expect(raw.send([money(1n)], { amount: 10n }).reply.type).toBe(IlpPacketType.Fulfill);

    const answer = raw.send([money(1n)], { amount: MAX_U64 });

    expect(answer.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(answer.packet?.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 10n });
    expect(harness.credited).toBe(10n);
    expect(raw.send([money(1n)], { amount: MAX_U64 - 10n }).reply.type).toBe(IlpPacketType.Fulfill);
    expect(harness.credited).toBe(MAX_U64);
  });
});
