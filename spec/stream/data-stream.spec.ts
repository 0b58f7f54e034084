/**
 * Stream data over whole connections (RFC 29 §3.6, §4.4.3, §4.4.4, §4.5, §5.3.11-§5.3.13), client
 * and server from lib/index.ts over the in-memory network: bytes in order and exactly once,
 * re-sends after rejects, flow-control violations, stale limits, backpressure, `sendData`'s
 * contract and closing.
 *
 * How packets are watched: the network's `onPrepare` hook sees every Prepare when it reaches the
 * connector; with the shared secret the test decrypts it (`deriveKeys(sharedSecret)`), so the
 * STREAM frames each Prepare carried — and the ciphertext they travelled in — can be compared.
 */
import { randomBytes } from 'node:crypto';
import { type Observable, type Subscription, lastValueFrom, takeWhile, tap, toArray } from 'rxjs';
import {
  type Connection,
  type ConnectionTuning,
  type DataAndMoneyStream,
  type DataProgress,
  type Direction,
  ErrorCode,
  FrameType,
  type Frame,
  type IlpPrepare,
  type IlpReject,
  type IlpReply,
  IlpPacketType,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryPlugin,
  type Plugin,
  type StreamDataFrame,
  type StreamKeys,
  type StreamPacket,
  createMemoryNetwork,
  createServer,
  decodePacket,
  deriveKeys,
  deserializeIlpPrepare,
  deserializeIlpReply,
  encodePacket,
  ilpReject,
  isConnectionError,
  isIldcpRequest,
  isStreamError,
  sendPrepare,
  serializeIlpFulfill,
} from '../../lib';
import { ForwardingPlugin } from '../helpers/forwarding-plugin';
import { onTeardown, runTeardowns, sha256, sleep, streamPair, waitFor } from '../helpers/stream-pair';

jest.setTimeout(30_000);

afterEach(runTeardowns);

// ---- helpers --------------------------------------------------------------------------------------

/** Everything a stream's data$ emitted, and how it ended. */
interface Collected {
  readonly chunks: Buffer[];
  readonly length: number;
  readonly completed: boolean;
  readonly error: unknown;
  bytes(): Buffer;
  readonly subscription: Subscription;
}

function collect(stream: DataAndMoneyStream): Collected {
  const state = { chunks: [] as Buffer[], length: 0, completed: false, error: undefined as unknown };
  const subscription = stream.data$.subscribe({
    next: (chunk) => {
      state.chunks.push(chunk);
      state.length += chunk.length;
    },
    complete: () => (state.completed = true),
    error: (error: unknown) => (state.error = error),
  });
  return {
    get chunks() {
      return state.chunks;
    },
    get length() {
      return state.length;
    },
    get completed() {
      return state.completed;
    },
    get error() {
      return state.error;
    },
    bytes: () => Buffer.concat(state.chunks),
    subscription,
  };
}

/** A Prepare as the connector saw it, decrypted. */
interface SeenPrepare {
  readonly direction: Direction;
  readonly packet: StreamPacket;
  readonly ciphertext: Buffer;
  /** The code the test made the connector answer with, if it refused the Prepare. */
  readonly rejectedWith: string | undefined;
}

const dataFramesOf = (frames: readonly Frame[]): StreamDataFrame[] => frames.filter((f): f is StreamDataFrame => f.type === FrameType.StreamData);

/**
 * Records every STREAM Prepare reaching the connector (IL-DCP and undecryptable ones excluded) and
 * refuses those `refuse` picks.
 */
function watch(network: MemoryNetwork, keys: StreamKeys, refuse: (seen: Omit<SeenPrepare, 'rejectedWith'>) => IlpReject | undefined = () => undefined): SeenPrepare[] {
  const seen: SeenPrepare[] = [];
  network.setOnPrepare((prepare: IlpPrepare, direction: Direction) => {
    if (isIldcpRequest(prepare)) return undefined;
    let packet: StreamPacket;
    try {
      packet = decodePacket(keys.decrypt(prepare.data));
    } catch {
      return undefined;
    }
    const entry = { direction, packet, ciphertext: Buffer.from(prepare.data) };
    const reject = refuse(entry);
    seen.push({ ...entry, rejectedWith: reject?.code });
    return reject;
  });
  return seen;
}

/** Subscribes to a sendData and keeps what it emitted and how it ended. */
function track(progress$: Observable<DataProgress>) {
  const state = { progress: [] as DataProgress[], completed: false, error: undefined as unknown };
  const subscription = progress$.subscribe({
    next: (p) => state.progress.push(p),
    complete: () => (state.completed = true),
    error: (error: unknown) => (state.error = error),
  });
  return Object.assign(state, { subscription });
}

// Raw packets, as a hand-made peer sends them (spec/connection/review-regressions.spec.ts style).

function sendRaw(plugin: Plugin, destination: string, keys: StreamKeys, frames: Frame[], sequence: bigint, amount = 0n): Promise<IlpReply> {
  const data = keys.encrypt(encodePacket({ sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames }));
  return lastValueFrom(sendPrepare(plugin, { amount, destination, data, executionCondition: keys.condition(data), expiresAt: new Date(Date.now() + 30_000) }));
}

function replyFrames(keys: StreamKeys, reply: IlpReply): Frame[] {
  return decodePacket(keys.decrypt(reply.data)).frames;
}

/** A server and a bare client plugin: the test is the client, sending hand-made packets. */
async function rawSetup(tuning: ConnectionTuning = {}, onServerStream?: (s: DataAndMoneyStream) => void) {
  const network = createMemoryNetwork();
  const server = await createServer({ plugin: network.server, ...tuning });
  const connections: Connection[] = [];
  const connectionErrors: unknown[] = [];
  const streams: DataAndMoneyStream[] = [];
  server.connections$.subscribe((connection) => {
    connections.push(connection);
    connection.state$.subscribe({ error: (error: unknown) => connectionErrors.push(error) });
    connection.streams$.subscribe({
      next: (stream) => {
        streams.push(stream);
        onServerStream?.(stream);
      },
      error: () => undefined,
    });
  });
  await network.client.connect();
  onTeardown(() => server.close());
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const keys = deriveKeys(sharedSecret);
  let sequence = 1n;
  return {
    network,
    server,
    keys,
    connections,
    connectionErrors,
    streams,
    send: (frames: Frame[], amount = 0n) => sendRaw(network.client, destinationAccount, keys, frames, sequence++, amount),
    frames: (reply: IlpReply) => replyFrames(keys, reply),
  };
}

const data = (streamId: bigint, offset: bigint, bytes: Buffer | string): Frame => ({
  type: FrameType.StreamData,
  streamId,
  offset,
  data: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
});

/**
 * A client plugin that passes everything through and records each STREAM Prepare with the reply
 * it got, both decrypted, plus whatever `onReply` returns when the reply arrives.
 */
class RecordingPlugin extends ForwardingPlugin {
  readonly exchanges: Array<{ prepare: StreamPacket; reply: IlpReply; replyPacket: StreamPacket | undefined; note: unknown }> = [];
  keys: StreamKeys | undefined;
  onReply: () => unknown = () => undefined;

  protected override sendStreamPrepare(prepare: IlpPrepare, bytes: Buffer): Observable<Buffer> {
    const keys = this.keys;
    if (!keys) return super.sendStreamPrepare(prepare, bytes);
    const packet = decodePacket(keys.decrypt(prepare.data));
    return super.sendStreamPrepare(prepare, bytes).pipe(
      tap((replyBytes) => {
        const reply = deserializeIlpReply(replyBytes);
        let replyPacket: StreamPacket | undefined;
        try {
          replyPacket = decodePacket(keys.decrypt(reply.data));
        } catch {
          replyPacket = undefined;
        }
        this.exchanges.push({ prepare: packet, reply, replyPacket, note: this.onReply() });
      }),
    );
  }
}

/**
 * A hand-made peer on `plugin`: it fulfills every Prepare it gets, replying with the frames
 * `answer` picks, and records each Prepare's frames.
 */
function fakePeer(plugin: MemoryPlugin, keys: StreamKeys, answer: (index: number) => Frame[]): Frame[][] {
  const seen: Frame[][] = [];
  plugin.registerDataHandler(async (bytes) => {
    const prepare = deserializeIlpPrepare(bytes);
    const packet = decodePacket(keys.decrypt(prepare.data));
    seen.push(packet.frames);
    const frames = answer(seen.length - 1);
    const reply = keys.encrypt(encodePacket({ sequence: packet.sequence, ilpPacketType: IlpPacketType.Fulfill, prepareAmount: prepare.amount, frames }));
    return serializeIlpFulfill({ fulfillment: keys.fulfillment(prepare.data), data: reply });
  });
  return seen;
}

/** How many Prepares carrying bytes the client sent so far (blocked probes and other control packets aside). */
const dataPrepares = (seen: readonly SeenPrepare[]): number =>
  seen.filter((s) => s.direction === 'clientToServer' && dataFramesOf(s.packet.frames).length > 0).length;

const highestSent = (seen: Frame[][], streamId: bigint): bigint =>
  seen
    .flatMap(dataFramesOf)
    .filter((f) => f.streamId === streamId)
    .reduce((max, f) => (f.offset + BigInt(f.data.length) > max ? f.offset + BigInt(f.data.length) : max), 0n);

// ---- specs ----------------------------------------------------------------------------------------

describe('stream data over a connection', () => {
  describe('29-4.4.3: bytes arrive in order, exactly once', () => {
    it.each([
      ['1 byte', 1],
      ['one packet + 1 (32,739 + 1)', 32_740],
      ['1 MiB', 1 << 20],
    ])('client to server: %s, sha256 equal, sendData completes once all were acknowledged', async (_name, size) => {
      let reader: Collected | undefined;
      const pair = await streamPair({ onServerStream: (s) => (reader = collect(s)) });
      const payload = randomBytes(size);
      const stream = pair.client.createStream();
      const progress = await lastValueFrom(stream.sendData(payload).pipe(toArray()));
      expect(progress.at(-1)).toEqual({ sent: size, acknowledged: size, length: size });
      // Acknowledged means accepted by the receiver: every byte is there already.
      const received = reader as Collected;
      expect(received.length).toBe(size);
      expect(sha256(received.bytes())).toBe(sha256(payload));
      await pair.close();
    });

    it('server to client on a stream the server opens: 1 MiB, sha256 equal', async () => {
      const pair = await streamPair();
      const payload = randomBytes(1 << 20);
      const stream = pair.serverConnection.createStream();
      expect(stream.id % 2n).toBe(0n);
      let received: Collected | undefined;
      pair.client.streams$.subscribe({ next: (s) => (received = collect(s)), error: () => undefined });
      await lastValueFrom(stream.sendData(payload));
      await waitFor('all bytes at the client', () => received?.length === payload.length);
      expect(sha256((received as Collected).bytes())).toBe(sha256(payload));
      await pair.close();
    });

    it('29-4.4.3-a: several streams at once in both directions, each exact', async () => {
      const received = new Map<bigint, Collected>();
      const pair = await streamPair({ onServerStream: (s) => received.set(s.id, collect(s)) });
      pair.client.streams$.subscribe({ next: (s) => received.set(s.id, collect(s)), error: () => undefined });
      const payloads = new Map<bigint, Buffer>();
      const sends: Array<Promise<unknown>> = [];
      const send = (stream: DataAndMoneyStream, size: number): void => {
        const payload = randomBytes(size);
        payloads.set(stream.id, payload);
        sends.push(lastValueFrom(stream.sendData(payload)));
      };
      const c1 = pair.client.createStream();
      send(c1, 300_000);
      send(pair.client.createStream(), 200_000);
      send(pair.client.createStream(), 70_000);
      send(pair.serverConnection.createStream(), 250_000);
      send(pair.serverConnection.createStream(), 90_000);
      // And back on the client's first stream: one stream carries bytes both ways.
      await waitFor('the server to see stream 1', () => pair.serverStreams.some((s) => s.id === 1n));
      const back = randomBytes(120_000);
      const serverC1 = pair.serverStreams.find((s) => s.id === 1n) as DataAndMoneyStream;
      const backOnC1 = collect(c1);
      sends.push(lastValueFrom(serverC1.sendData(back)));
      await Promise.all(sends);
      await waitFor('every stream complete', () => [...payloads].every(([id, p]) => received.get(id)?.length === p.length) && backOnC1.length === back.length);
      for (const [id, payload] of payloads) expect([id, sha256((received.get(id) as Collected).bytes())]).toEqual([id, sha256(payload)]);
      expect(sha256(backOnC1.bytes())).toBe(sha256(back));
      await pair.close();
    });
  });

  describe('29-5.3.11-c, 29-3.6: re-sends after rejects', () => {
    it('T04 on every 3rd data Prepare: re-sent StreamData frames repeat offset and bytes under a fresh IV, and the bytes arrive exactly once', async () => {
      let dataPrepares = 0;
      let seen: SeenPrepare[] = [];
      let reader: Collected | undefined;
      const pair = await streamPair({ client: { retryBaseDelayMs: 1, retryMaxDelayMs: 5 }, onServerStream: (s) => (reader = collect(s)) });
      seen = watch(pair.network, pair.keys, ({ direction, packet }) => {
        if (direction !== 'clientToServer' || dataFramesOf(packet.frames).length === 0) return undefined;
        dataPrepares += 1;
        return dataPrepares % 3 === 0 ? ilpReject('T04', 'Insufficient Liquidity', undefined, 'test.memory') : undefined;
      });
      const payload = randomBytes(400_000);
      await lastValueFrom(pair.client.createStream().sendData(payload));
      const received = reader as Collected;
      expect(received.length).toBe(payload.length);
      expect(sha256(received.bytes())).toBe(sha256(payload));

      const rejected = seen.filter((s) => s.rejectedWith === 'T04');
      expect(rejected.length).toBeGreaterThanOrEqual(3);
      for (const refused of rejected) {
        const index = seen.indexOf(refused);
        for (const frame of dataFramesOf(refused.packet.frames)) {
          const resent = seen
            .slice(index + 1)
            .filter((s) => s.direction === 'clientToServer' && s.rejectedWith === undefined)
            .find((s) => dataFramesOf(s.packet.frames).some((f) => f.streamId === frame.streamId && f.offset === frame.offset && f.data.equals(frame.data)));
          expect(resent).toBeDefined();
          expect(resent?.ciphertext.equals(refused.ciphertext)).toBe(false);
          expect(resent?.ciphertext.subarray(0, 12).equals(refused.ciphertext.subarray(0, 12))).toBe(false); // the IV
          expect(resent?.packet.sequence).not.toBe(refused.packet.sequence);
        }
      }
      // Exactly once on the wire too: the delivered StreamData frames tile the payload.
      const delivered = seen
        .filter((s) => s.direction === 'clientToServer' && s.rejectedWith === undefined)
        .flatMap((s) => dataFramesOf(s.packet.frames))
        .sort((a, b) => (a.offset < b.offset ? -1 : 1));
      expect(delivered.reduce((n, f) => n + f.data.length, 0)).toBe(payload.length);
      await pair.close();
    });

    it('a final reject (F99 from the path, no STREAM reply) on every 3rd data Prepare: the segments are re-sent byte-identical and everything arrives', async () => {
      let dataPrepares = 0;
      let seen: SeenPrepare[] = [];
      let reader: Collected | undefined;
      const pair = await streamPair({ onServerStream: (s) => (reader = collect(s)) });
      seen = watch(pair.network, pair.keys, ({ direction, packet }) => {
        if (direction !== 'clientToServer' || dataFramesOf(packet.frames).length === 0) return undefined;
        dataPrepares += 1;
        return dataPrepares % 3 === 0 ? ilpReject('F99', 'refused', undefined, 'test.memory') : undefined;
      });
      const payload = randomBytes(400_000);
      const stream = pair.client.createStream();
      const sent = track(stream.sendData(payload));
      await waitFor('sendData to complete', () => sent.completed || sent.error !== undefined, 5_000);
      expect(sent.error).toBeUndefined();
      expect(sha256((reader as Collected).bytes())).toBe(sha256(payload));
      for (const refused of seen.filter((s) => s.rejectedWith === 'F99')) {
        const index = seen.indexOf(refused);
        for (const frame of dataFramesOf(refused.packet.frames)) {
          const resent = seen
            .slice(index + 1)
            .find((s) => s.rejectedWith === undefined && dataFramesOf(s.packet.frames).some((f) => f.offset === frame.offset && f.data.equals(frame.data)));
          expect(resent).toBeDefined();
          expect(resent?.ciphertext.equals(refused.ciphertext)).toBe(false);
        }
      }
      await pair.close();
    });

    it('B1 regression (reference-js §5.3): bytes in a packet the receiver rejects are not applied; the re-sent bytes flow and the reader never stalls (hand-made packets)', async () => {
      let reader: Collected | undefined;
      const raw = await rawSetup({}, (stream) => {
        stream.setReceiveMax(10);
        reader = collect(stream);
      });
      // Money beyond the receive max: the receiver refuses the whole packet, with its StreamData.
      const refused = await raw.send([{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }, data(1n, 0n, 'aaaa')], 1000n);
      expect(refused).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(raw.frames(refused)).toContainEqual(expect.objectContaining({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: 10n }));
      expect(reader?.length).toBe(0);
      expect(raw.streams[0]?.incoming.bufferedBytes).toBe(0);
      // The sender re-sends the bytes with more: they arrive once.
      const resent = await raw.send([data(1n, 0n, 'aaaa'), data(1n, 4n, 'bbbb')]);
      expect(resent.type).toBe(IlpPacketType.Fulfill);
      expect(reader?.bytes().toString()).toBe('aaaabbbb');
      // The reference's stall: bytes already read arrive again, then new bytes after them.
      expect((await raw.send([data(1n, 0n, 'aaaa')])).type).toBe(IlpPacketType.Fulfill);
      expect((await raw.send([data(1n, 8n, 'cccc')])).type).toBe(IlpPacketType.Fulfill);
      expect(reader?.bytes().toString()).toBe('aaaabbbbcccc');
      expect(raw.connectionErrors).toEqual([]);
      await raw.server.close();
    });

    it('B1 regression, whole connection: a data packet the receiver refuses (money over its receive max) is not applied, its bytes are re-sent identical and arrive once', async () => {
      let plugin: RecordingPlugin | undefined;
      let reader: Collected | undefined;
      const pair = await streamPair({
        network: { latency: 5 },
        client: { window: 1 },
        clientPlugin: (inner) => (plugin = new RecordingPlugin(inner)),
        onServerStream: (stream) => {
          if (stream.id !== 3n) return;
          stream.setReceiveMax(10);
          reader = collect(stream);
        },
      });
      const recorder = plugin as RecordingPlugin;
      recorder.keys = pair.keys;
      recorder.onReply = () => reader?.length ?? 0;
      // Stream 1's packet holds the window (1), so stream 3's money and bytes leave together next.
      const first = lastValueFrom(pair.client.createStream().sendMoney(1));
      const stream = pair.client.createStream();
      const money = stream.sendMoney(1000).subscribe({ error: () => undefined });
      const payload = randomBytes(50_000);
      const sent = track(stream.sendData(payload));
      await first;
      await waitFor('sendData to complete', () => sent.completed || sent.error !== undefined, 5_000);
      expect(sent.error).toBeUndefined();

      const refused = recorder.exchanges.find((e) => e.reply.type === IlpPacketType.Reject && dataFramesOf(e.prepare.frames).some((f) => f.streamId === 3n));
      expect(refused).toBeDefined();
      const { prepare, reply, replyPacket, note } = refused as NonNullable<typeof refused>;
      expect(reply).toMatchObject({ code: 'F99' });
      // The receiver's own refusal (authentic reply), because of the money.
      expect(replyPacket?.frames).toContainEqual(expect.objectContaining({ type: FrameType.StreamMaxMoney, streamId: 3n, receiveMax: 10n }));
      expect(prepare.frames).toContainEqual(expect.objectContaining({ type: FrameType.StreamMoney, streamId: 3n }));
      // When the refusal came back, the reader had been given none of those bytes.
      expect(note).toBe(0);
      const later = recorder.exchanges.slice(recorder.exchanges.indexOf(refused as NonNullable<typeof refused>) + 1);
      for (const frame of dataFramesOf(prepare.frames)) {
        const resent = later.find((e) => e.reply.type === IlpPacketType.Fulfill && dataFramesOf(e.prepare.frames).some((f) => f.streamId === 3n && f.offset === frame.offset && f.data.equals(frame.data)));
        expect(resent).toBeDefined();
      }
      expect(reader?.length).toBe(payload.length);
      expect(sha256((reader as Collected).bytes())).toBe(sha256(payload));
      money.unsubscribe();
      await pair.close();
    });
  });

  describe('29-4.4.4-d, 29-4.5-b, E20, E22: violations by the peer close the connection', () => {
    it('E20, 29-4.4.4-d: StreamData ending exactly at StreamMaxData is accepted; one byte beyond closes with FlowControlError (0x04)', async () => {
      const raw = await rawSetup({ streamReceiveWindow: 40_000 });
      expect((await raw.send([data(1n, 39_990n, Buffer.alloc(10, 1))])).type).toBe(IlpPacketType.Fulfill);
      const reply = await raw.send([data(1n, 39_995n, Buffer.alloc(6, 1))]);
      expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: 0x04 }));
      expect(ErrorCode.FlowControlError).toBe(0x04);
      expect(raw.connectionErrors).toHaveLength(1);
      expect(isConnectionError(raw.connectionErrors[0], 'PROTOCOL_VIOLATION')).toBe(true);
      expect(raw.connectionErrors[0]).toMatchObject({ streamErrorCode: ErrorCode.FlowControlError });
      expect(raw.connections[0]?.state).toBe('closed');
      await raw.server.close();
    });

    it('E21: StreamData at an offset near 2^64 is a flow-control violation, handled without precision loss or allocation', async () => {
      const raw = await rawSetup();
      const before = process.memoryUsage().arrayBuffers;
      const reply = await raw.send([data(1n, 0xffff_ffff_ffff_fffen, 'x')]);
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.FlowControlError }));
      expect(raw.connectionErrors[0]).toMatchObject({ code: 'PROTOCOL_VIOLATION', streamErrorCode: ErrorCode.FlowControlError });
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
    });

    it('E20, 29-4.5-b: the sum of the streams\' highest offsets may reach ConnectionMaxData, not pass it: FlowControlError', async () => {
      const raw = await rawSetup({ connectionReceiveWindow: 40_000 });
      // Sparse bytes count up to their end: 35,001 on stream 1, then 4,999 on stream 3 = 40,000.
      expect((await raw.send([data(1n, 35_000n, 'x')])).type).toBe(IlpPacketType.Fulfill);
      expect((await raw.send([data(3n, 4_998n, 'x')])).type).toBe(IlpPacketType.Fulfill);
      // A repeat below the highest offset adds nothing.
      expect((await raw.send([data(1n, 35_000n, 'x')])).type).toBe(IlpPacketType.Fulfill);
      const reply = await raw.send([data(5n, 0n, 'y')]);
      expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.FlowControlError }));
      expect(raw.connectionErrors[0]).toMatchObject({ code: 'PROTOCOL_VIOLATION', streamErrorCode: ErrorCode.FlowControlError });
      await raw.server.close();
    });

    it('E20, 29-4.5-b: one packet whose frames together pass ConnectionMaxData closes the connection', async () => {
      const raw = await rawSetup({ connectionReceiveWindow: 40_000 });
      const reply = await raw.send([data(1n, 0n, Buffer.alloc(20_000)), data(3n, 0n, Buffer.alloc(10_000)), data(5n, 10_000n, Buffer.alloc(1))]);
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.FlowControlError }));
      expect(raw.connectionErrors).toHaveLength(1);
      await raw.server.close();
    });

    it('E22: StreamData overlapping held bytes with different bytes closes with ProtocolViolation; identical overlaps are fine', async () => {
      const raw = await rawSetup();
      expect((await raw.send([data(1n, 10n, 'abcd')])).type).toBe(IlpPacketType.Fulfill);
      expect((await raw.send([data(1n, 12n, 'cd')])).type).toBe(IlpPacketType.Fulfill);
      expect(raw.connectionErrors).toEqual([]);
      const reply = await raw.send([data(1n, 12n, 'XXXX')]);
      expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.ProtocolViolation }));
      expect(raw.connectionErrors[0]).toMatchObject({ code: 'PROTOCOL_VIOLATION', streamErrorCode: ErrorCode.ProtocolViolation });
      await raw.server.close();
    });

    it('E22, 29-5.3.11-b: two StreamData frames of one packet overlapping with different bytes close with ProtocolViolation', async () => {
      const raw = await rawSetup();
      const reply = await raw.send([data(1n, 0n, 'abcd'), data(1n, 2n, 'XX')]);
      expect(reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.ProtocolViolation }));
      expect(raw.connectionErrors[0]).toMatchObject({ code: 'PROTOCOL_VIOLATION', streamErrorCode: ErrorCode.ProtocolViolation });
      await raw.server.close();
    });

    it('the violating bytes are not delivered: the reader ends with the connection error', async () => {
      let reader: Collected | undefined;
      const raw = await rawSetup({ streamReceiveWindow: 40_000 }, (stream) => (reader = collect(stream)));
      await raw.send([data(1n, 0n, 'ok')]);
      // 'ok' was read: the limit is now 2 + 40,000. These bytes would end at 40,003.
      const reply = await raw.send([data(1n, 40_001n, 'zz')]);
      expect(raw.frames(reply)).toContainEqual(expect.objectContaining({ type: FrameType.ConnectionClose, errorCode: ErrorCode.FlowControlError }));
      expect(reader?.bytes().toString()).toBe('ok');
      expect(isStreamError(reader?.error, 'CONNECTION_CLOSED')).toBe(true);
      await raw.server.close();
    });
  });

  describe('E23, 29-4.4.4-c, 29-5.3.3-a: the peer limits as a sender sees them', () => {
    /** A server whose stream 1 (opened by the hand-made peer) sends `size` bytes to that peer. */
    async function serverSending(sizes: number[], answer: (index: number) => Frame[]) {
      const network = createMemoryNetwork();
      // One packet at a time, so every reply (with its limits) arrives before the next packet is built.
      const server = await createServer({ plugin: network.server, window: 1 });
      let connection: Connection | undefined;
      const sends: Array<ReturnType<typeof track>> = [];
      server.connections$.subscribe((c) => {
        connection = c;
        c.streams$.subscribe({ next: (stream) => sends.push(track(stream.sendData(randomBytes(sizes[sends.length] ?? 0)))), error: () => undefined });
      });
      const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
      const keys = deriveKeys(sharedSecret);
      await network.client.connect();
      const close = async (): Promise<void> => {
        await connection?.destroy();
        await server.close();
      };
      onTeardown(close);
      const seen = fakePeer(network.client, keys, answer);
      const opening: Frame[] = [{ type: FrameType.ConnectionNewAddress, sourceAccount: 'test.memory.client' }];
      sizes.forEach((_, i) => opening.push({ type: FrameType.StreamMoney, streamId: BigInt(2 * i + 1), shares: 1n }));
      expect((await sendRaw(network.client, destinationAccount, keys, opening, 1n)).type).toBe(IlpPacketType.Fulfill);
      return { seen, sends, close };
    }

    it('E23, 29-4.4.4-c: a smaller StreamMaxData arriving later (reordered) is ignored: the sender goes on to the larger limit, and no further', async () => {
      const peer = await serverSending([300_000], (index) =>
        index === 0
          ? [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 200_000n }, { type: FrameType.ConnectionMaxData, maxOffset: 10_000_000n }]
          : [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 20_000n }],
      );
      await waitFor('the sender to reach the limit', () => highestSent(peer.seen, 1n) >= 200_000n);
      await sleep(50);
      expect(highestSent(peer.seen, 1n)).toBe(200_000n);
      expect(peer.sends[0]?.completed).toBe(false);
      await peer.close();
    });

    it('E23, 29-5.3.3-a: a smaller ConnectionMaxData arriving later is ignored; the streams together send exactly the larger limit', async () => {
      const peer = await serverSending([100_000, 100_000], (index) =>
        index === 0
          ? [
              { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1_000_000n },
              { type: FrameType.StreamMaxData, streamId: 3n, maxOffset: 1_000_000n },
              { type: FrameType.ConnectionMaxData, maxOffset: 150_000n },
            ]
          : [{ type: FrameType.ConnectionMaxData, maxOffset: 20_000n }],
      );
      await waitFor('the sender to reach the connection limit', () => highestSent(peer.seen, 1n) + highestSent(peer.seen, 3n) >= 150_000n);
      await sleep(50);
      expect(highestSent(peer.seen, 1n) + highestSent(peer.seen, 3n)).toBe(150_000n);
      await peer.close();
    });

    it('29-4.4.4-e: a sender blocked by the peer StreamMaxData tells the peer with StreamDataBlocked', async () => {
      const peer = await serverSending([300_000], (index) =>
        index === 0 ? [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 50_000n }, { type: FrameType.ConnectionMaxData, maxOffset: 10_000_000n }] : [],
      );
      await waitFor('the sender to reach the limit', () => highestSent(peer.seen, 1n) >= 50_000n);
      await sleep(50);
      expect(peer.seen.flat()).toContainEqual({ type: FrameType.StreamDataBlocked, streamId: 1n, maxOffset: 50_000n });
      await peer.close();
    });

    it('29-4.4.4-e: a sender blocked by the peer ConnectionMaxData tells the peer with ConnectionDataBlocked', async () => {
      // (Above the 65,534 assumed until the peer says: a smaller ConnectionMaxData would be ignored.)
      const peer = await serverSending([200_000], (index) =>
        index === 0 ? [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1_000_000n }, { type: FrameType.ConnectionMaxData, maxOffset: 100_000n }] : [],
      );
      await waitFor('the sender to reach the limit', () => highestSent(peer.seen, 1n) >= 100_000n);
      await sleep(50);
      expect(highestSent(peer.seen, 1n)).toBe(100_000n);
      expect(peer.seen.flat()).toContainEqual({ type: FrameType.ConnectionDataBlocked, maxOffset: 100_000n });
      await peer.close();
    });
  });

  describe('backpressure: a reader that does not take bytes stops the sender within the window', () => {
    const WINDOW = 262_144;

    it('with no data$ subscriber the server holds at most streamReceiveWindow bytes and the sender stops; a subscriber gets everything', async () => {
      const pair = await streamPair({ server: { streamReceiveWindow: WINDOW } });
      const seen = watch(pair.network, pair.keys);
      const payload = randomBytes(1 << 20);
      const sent = track(pair.client.createStream().sendData(payload));
      await waitFor('the server to see the stream', () => pair.serverStreams.length === 1);
      const serverStream = pair.serverStreams[0] as DataAndMoneyStream;
      await waitFor('the window to fill', () => serverStream.incoming.highestOffset >= BigInt(WINDOW));
      await sleep(50);
      const dataPackets = dataPrepares(seen);
      await sleep(150);
      expect(dataPrepares(seen)).toBe(dataPackets); // no more bytes leave
      expect(serverStream.incoming.highestOffset).toBe(BigInt(WINDOW)); // the window, filled exactly
      expect(serverStream.incoming.bufferedBytes).toBeLessThanOrEqual(WINDOW);
      expect(sent.completed).toBe(false);
      expect(sent.progress.at(-1)).toEqual({ sent: WINDOW, acknowledged: WINDOW, length: payload.length });

      const received = collect(serverStream);
      await waitFor('sendData to complete', () => sent.completed, 10_000);
      expect(received.length).toBe(payload.length);
      expect(sha256(received.bytes())).toBe(sha256(payload));
      await pair.close();
    });

    it('pauseData holds the bytes (at most the window) and stops the sender; resumeData delivers the rest', async () => {
      let reader: Collected | undefined;
      const pair = await streamPair({
        server: { streamReceiveWindow: WINDOW },
        onServerStream: (stream) => {
          stream.pauseData();
          reader = collect(stream);
        },
      });
      const seen = watch(pair.network, pair.keys);
      const payload = randomBytes(700_000);
      const sent = track(pair.client.createStream().sendData(payload));
      const serverStream = await (async () => {
        await waitFor('the server to see the stream', () => pair.serverStreams.length === 1);
        return pair.serverStreams[0] as DataAndMoneyStream;
      })();
      await waitFor('the window to fill', () => serverStream.incoming.highestOffset >= BigInt(WINDOW));
      await sleep(100);
      expect(reader?.length).toBe(0);
      expect(serverStream.incoming.highestOffset).toBe(BigInt(WINDOW));
      const dataPackets = dataPrepares(seen);
      await sleep(100);
      expect(dataPrepares(seen)).toBe(dataPackets);
      expect(sent.completed).toBe(false);

      serverStream.resumeData();
      await waitFor('sendData to complete', () => sent.completed, 10_000);
      expect(sha256((reader as Collected).bytes())).toBe(sha256(payload));
      await pair.close();
    });

    it('pausing mid-way: the bytes held after the pause never exceed the window', async () => {
      let reader: Collected | undefined;
      let pausedAt = -1;
      const pair = await streamPair({
        server: { streamReceiveWindow: WINDOW },
        onServerStream: (stream) => {
          reader = collect(stream);
          stream.data$.subscribe(() => {
            if (pausedAt < 0 && (reader?.length ?? 0) >= 100_000) {
              pausedAt = reader?.length ?? 0;
              stream.pauseData();
            }
          });
        },
      });
      const payload = randomBytes(900_000);
      const sent = track(pair.client.createStream().sendData(payload));
      await waitFor('the pause', () => pausedAt > 0);
      const serverStream = pair.serverStreams[0] as DataAndMoneyStream;
      await waitFor('the window to fill', () => serverStream.incoming.highestOffset >= BigInt(pausedAt + WINDOW));
      await sleep(100);
      expect(serverStream.incoming.highestOffset).toBe(BigInt(pausedAt + WINDOW));
      expect(serverStream.incoming.bufferedBytes).toBeLessThanOrEqual(WINDOW);
      expect(reader?.length).toBe(pausedAt);
      serverStream.resumeData();
      await waitFor('sendData to complete', () => sent.completed, 10_000);
      expect(sha256((reader as Collected).bytes())).toBe(sha256(payload));
      await pair.close();
    });
  });

  describe('sendData', () => {
    it.each([
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { length: 3 }],
      ['an array of numbers', [1, 2, 3]],
    ])('errors with StreamError INVALID_ARGUMENT for %s (as a notification, not a throw)', async (_name, value) => {
      const pair = await streamPair();
      const stream = pair.client.createStream();
      let progress$: Observable<DataProgress> | undefined;
      expect(() => (progress$ = stream.sendData(value as never))).not.toThrow();
      const error = await lastValueFrom(progress$ as Observable<DataProgress>).catch((e: unknown) => e);
      expect(isStreamError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(stream.state).toBe('open');
      await pair.close();
    });

    it('takes strings as UTF-8 and any Uint8Array', async () => {
      const pair = await streamPair();
      const stream = pair.client.createStream();
      await lastValueFrom(stream.sendData('héllo ✓'));
      await lastValueFrom(stream.sendData(new Uint8Array([0, 1, 2, 255])));
      const received = collect(pair.serverStreams[0] as DataAndMoneyStream);
      expect(received.bytes()).toEqual(Buffer.concat([Buffer.from('héllo ✓', 'utf8'), Buffer.from([0, 1, 2, 255])]));
      await pair.close();
    });

    it('an empty write completes at once, emits nothing and sends nothing', async () => {
      const pair = await streamPair();
      const stream = pair.client.createStream();
      const before = pair.network.stats.clientToServer.prepares;
      const emitted: DataProgress[] = [];
      let completed = false;
      stream.sendData(Buffer.alloc(0)).subscribe({ next: (p) => emitted.push(p), complete: () => (completed = true) });
      stream.sendData('').subscribe({ next: (p) => emitted.push(p) });
      expect(completed).toBe(true);
      expect(emitted).toEqual([]);
      await sleep(20);
      expect(pair.network.stats.clientToServer.prepares).toBe(before);
      await pair.close();
    });

    it('errors with STREAM_CLOSED on a closing or closed stream', async () => {
      const pair = await streamPair({ network: { latency: 5 } });
      const stream = pair.client.createStream();
      const pending = lastValueFrom(stream.sendData(randomBytes(10_000)));
      const ended = stream.end();
      expect(stream.state).toBe('closing');
      const whileClosing = await lastValueFrom(stream.sendData('late')).catch((e: unknown) => e);
      expect(isStreamError(whileClosing, 'STREAM_CLOSED')).toBe(true);
      await pending;
      await ended;
      expect(stream.state).toBe('closed');
      const afterClose = await lastValueFrom(stream.sendData('later')).catch((e: unknown) => e);
      expect(isStreamError(afterClose, 'STREAM_CLOSED')).toBe(true);
      await pair.close();
    });

    it('is cold: each subscription sends the bytes again', async () => {
      const pair = await streamPair();
      const stream = pair.client.createStream();
      const write = stream.sendData('ab');
      await lastValueFrom(write);
      await lastValueFrom(write);
      expect(collect(pair.serverStreams[0] as DataAndMoneyStream).bytes().toString()).toBe('abab');
      await pair.close();
    });

    /** Sends 1 MiB, unsubscribes once `sent` passes 100,000, then writes 'tail'; returns the cut and what the server got. */
    async function cutMidWay(networkOptions: MemoryNetworkOptions) {
      let reader: Collected | undefined;
      const pair = await streamPair({ network: networkOptions, onServerStream: (s) => (reader = collect(s)) });
      const payload = randomBytes(1 << 20);
      const stream = pair.client.createStream();
      const progress = await lastValueFrom(
        stream.sendData(payload).pipe(
          takeWhile((p) => p.sent < 100_000, true),
          toArray(),
        ),
      );
      const cut = (progress.at(-1) as DataProgress).sent;
      const tail = track(stream.sendData('tail'));
      await waitFor('the tail to be acknowledged', () => tail.completed, 5_000).catch(() => undefined);
      await sleep(20);
      const received = (reader as Collected).bytes();
      await pair.close();
      return { payload, cut, received, tailCompleted: tail.completed };
    }

    it('unsubscribing mid-way withdraws the unsent bytes: the receiver gets exactly the prefix that was sent, and later writes follow it without a gap', async () => {
      const { payload, cut, received, tailCompleted } = await cutMidWay({ latency: 2 });
      expect(cut).toBeGreaterThanOrEqual(100_000);
      expect(cut).toBeLessThan(payload.length);
      expect(tailCompleted).toBe(true);
      expect(received.length).toBe(cut + 4);
      expect(received.equals(Buffer.concat([payload.subarray(0, cut), Buffer.from('tail')]))).toBe(true);
    });

    it('unsubscribing inside next() over a synchronous network (latency 0) withdraws the unsent bytes too', async () => {
      // At latency 0 every reply arrives inside the send: the unsubscription comes before
      // sendData's subscribe function has returned its teardown (sendMoney handles this case).
      const { payload, cut, received, tailCompleted } = await cutMidWay({});
      expect(cut).toBeGreaterThanOrEqual(100_000);
      expect(cut).toBeLessThan(payload.length);
      expect(received.length).toBe(cut + 4);
      expect(received.equals(Buffer.concat([payload.subarray(0, cut), Buffer.from('tail')]))).toBe(true);
      expect(tailCompleted).toBe(true);
    });
  });

  describe('closing (RFC 29 §3.3: a StreamClose closes the stream both ways)', () => {
    it('end() waits until every byte was acknowledged, then sends StreamClose(NoError) after the last StreamData', async () => {
      let reader: Collected | undefined;
      const pair = await streamPair({ network: { latency: 5 }, onServerStream: (s) => (reader = collect(s)) });
      const seen = watch(pair.network, pair.keys);
      const payload = randomBytes(300_000);
      const stream = pair.client.createStream();
      const sent = track(stream.sendData(payload));
      await stream.end();
      expect(sent.completed).toBe(true);
      expect(sent.progress.at(-1)).toEqual({ sent: payload.length, acknowledged: payload.length, length: payload.length });
      expect(reader?.length).toBe(payload.length); // acknowledged = accepted by the receiver
      await waitFor('the reader to complete', () => reader?.completed === true);
      expect(sha256((reader as Collected).bytes())).toBe(sha256(payload));
      const upstream = seen.filter((s) => s.direction === 'clientToServer');
      const closeAt = upstream.findIndex((s) => s.packet.frames.some((f) => f.type === FrameType.StreamClose && f.streamId === 1n));
      expect(upstream[closeAt]?.packet.frames).toContainEqual(expect.objectContaining({ type: FrameType.StreamClose, errorCode: ErrorCode.NoError }));
      const lastData = upstream.map((s) => dataFramesOf(s.packet.frames).length > 0).lastIndexOf(true);
      expect(closeAt).toBeGreaterThan(lastData);
      await pair.close();
    });

    it('the peer: data$ completes after the last byte, its stream is closed, and its own sendData errors', async () => {
      let reader: Collected | undefined;
      const pair = await streamPair({ onServerStream: (s) => (reader = collect(s)) });
      const stream = pair.client.createStream();
      await lastValueFrom(stream.sendData(randomBytes(50_000)));
      const serverStream = pair.serverStreams[0] as DataAndMoneyStream;
      await stream.end();
      await waitFor('the server stream to close', () => serverStream.state === 'closed');
      expect(reader?.completed).toBe(true);
      expect(reader?.error).toBeUndefined();
      expect(reader?.length).toBe(50_000);
      const reply = await lastValueFrom(serverStream.sendData('too late')).catch((e: unknown) => e);
      expect(isStreamError(reply, 'STREAM_CLOSED')).toBe(true);
      await pair.close();
    });

    it('end() closes our receiving side too: our data$ completes', async () => {
      const pair = await streamPair();
      const stream = pair.client.createStream();
      const mine = collect(stream);
      await lastValueFrom(stream.sendData('x'));
      await stream.end();
      expect(mine.completed).toBe(true);
      await pair.close();
    });

    it('bytes that wait unread when the peer closes are kept: a later subscriber gets them all, then completion', async () => {
      const pair = await streamPair();
      const payload = randomBytes(100_000);
      const stream = pair.client.createStream();
      await lastValueFrom(stream.sendData(payload));
      await stream.end();
      const serverStream = pair.serverStreams[0] as DataAndMoneyStream;
      await waitFor('the server stream to close', () => serverStream.state === 'closed');
      const late = collect(serverStream);
      expect(late.length).toBe(payload.length);
      expect(sha256(late.bytes())).toBe(sha256(payload));
      expect(late.completed).toBe(true);
      await pair.close();
    });

    it('destroy(error) on the sender: the peer data$ errors with REMOTE_CLOSED and ApplicationError', async () => {
      let reader: Collected | undefined;
      const pair = await streamPair({ onServerStream: (s) => (reader = collect(s)) });
      const stream = pair.client.createStream();
      await lastValueFrom(stream.sendData('partial'));
      await stream.destroy(new Error('cancelled'));
      await waitFor('the reader to error', () => reader?.error !== undefined);
      expect(isStreamError(reader?.error, 'REMOTE_CLOSED')).toBe(true);
      expect(reader?.error).toMatchObject({ streamErrorCode: ErrorCode.ApplicationError });
      expect(reader?.bytes().toString()).toBe('partial');
      await pair.close();
    });
  });
});
