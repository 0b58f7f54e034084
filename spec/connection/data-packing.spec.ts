/**
 * Packing bytes into packets (lib/connection/packet-builder.ts, addData): data frames follow the
 * money, re-sends come first, several streams share a packet, and every packet fits the STREAM
 * plaintext limit of 32,739 bytes (RFC 29 §5.1, research E35), measured here by encoding it.
 */
import fc from 'fast-check';
import { buildPacket, type PacketPlan } from '../../lib/connection/packet-builder';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';
import { deriveKeys } from '../../lib/crypto';
import { MAX_ILP_DATA_LENGTH } from '../../lib/ilp';
import { decodePacket, encodePacket, encodedPacketSize } from '../../lib/wire';
import { FrameType, IlpPacketType, MAX_PLAINTEXT_SIZE, MAX_U64, type Frame, type StreamDataFrame } from '../../lib/wire/types';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };
const rate = { numerator: 1n, denominator: 1n };
const PLENTY = 1n << 50n;

function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed) % 256;
  return out;
}

/** A stream with `data` queued, a peer limit of `remoteMax` and its receive max already advertised. */
function dataStream(id: bigint, data: Buffer, remoteMax = PLENTY): DataAndMoneyStream {
  const stream = new DataAndMoneyStream(id, host);
  stream.receiveMaxAdvertised = true;
  stream.outgoing.applyRemoteMax(remoteMax);
  if (data.length > 0) stream.sendData(data).subscribe({ error: () => undefined });
  return stream;
}

function plan(streams: DataAndMoneyStream[], options: { budget?: bigint; dataRoom?: bigint; controlFrames?: Frame[] } = {}): PacketPlan {
  const result = buildPacket({ streams, budget: options.budget ?? 0n, rate, controlFrames: options.controlFrames ?? [], dataRoom: options.dataRoom ?? PLENTY });
  if (!result) throw new Error('expected a packet');
  return result;
}

/** The plaintext size of the plan as a Prepare with the given header numbers. */
function sizeOf(p: PacketPlan, sequence: bigint, prepareAmount: bigint): number {
  return encodedPacketSize({ sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount, frames: p.frames });
}

function dataFrames(p: PacketPlan): StreamDataFrame[] {
  return p.frames.filter((f): f is StreamDataFrame => f.type === FrameType.StreamData);
}

/** Every packet must fit even with the widest sequence and amount, and encode and encrypt within ILP's limit. */
function expectFits(p: PacketPlan): number {
  const widest = sizeOf(p, MAX_U64, MAX_U64);
  expect(widest).toBeLessThanOrEqual(MAX_PLAINTEXT_SIZE);
  const plaintext = encodePacket({ sequence: MAX_U64, ilpPacketType: IlpPacketType.Prepare, prepareAmount: MAX_U64, frames: p.frames });
  expect(plaintext.length).toBe(widest);
  const encrypted = deriveKeys(Buffer.alloc(32, 7)).encrypt(plaintext);
  expect(encrypted.length).toBeLessThanOrEqual(MAX_ILP_DATA_LENGTH);
  return widest;
}

describe('packing data into packets', () => {
  it('29-4.4.3-a: several streams share one packet, one StreamData frame each, offsets from 0', () => {
    const streams = [dataStream(1n, bytes(100, 1)), dataStream(3n, bytes(200, 3)), dataStream(5n, bytes(300, 5))];
    const p = plan(streams);
    expect(dataFrames(p).map((f) => [f.streamId, f.offset, f.data.length])).toEqual([
      [1n, 0n, 100],
      [3n, 0n, 200],
      [5n, 0n, 300],
    ]);
    expect(dataFrames(p)[1]?.data.equals(bytes(200, 3))).toBe(true);
    expect(p.newBytes).toBe(600n);
    expect(p.amount).toBe(0n);
    expectFits(p);
  });

  it('E35: one stream with more than a packet of bytes fills the packet to within a few bytes of 32,739 and no further', () => {
    const stream = dataStream(1n, bytes(100_000, 9));
    const p = plan([stream]);
    const widest = expectFits(p);
    // Measured with the widest header, the packet leaves at most a couple of bytes unused
    // (the byte kept for the frame count, and a length prefix step).
    expect(widest).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 3);
    expect(dataFrames(p)).toHaveLength(1);
    // The real header (small sequence, amount 0) is smaller still.
    expect(sizeOf(p, 5n, 0n)).toBeLessThan(widest);
  });

  it('E35: 1 MiB goes out in full packets, contiguous, every one within the limit, the last one the rest', () => {
    const data = bytes(1 << 20, 4);
    const stream = dataStream(1n, data);
    const sent: StreamDataFrame[] = [];
    let packets = 0;
    for (let p = buildPacket({ streams: [stream], budget: 0n, rate, controlFrames: [], dataRoom: PLENTY }); p; p = buildPacket({ streams: [stream], budget: 0n, rate, controlFrames: [], dataRoom: PLENTY })) {
      packets += 1;
      const widest = expectFits(p);
      const frames = dataFrames(p);
      sent.push(...frames);
      if (stream.outgoing.pendingBytes > 0) expect(widest).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 3);
      for (const { stream: s, segment } of p.segments) s.settleData(segment, true);
    }
    let offset = 0n;
    for (const frame of sent) {
      expect(frame.offset).toBe(offset);
      offset += BigInt(frame.data.length);
    }
    expect(Buffer.concat(sent.map((f) => f.data)).equals(data)).toBe(true);
    // At most ~32.7 KB per packet: 1 MiB takes 33 packets, and full packets mean no more than that.
    expect(packets).toBe(Math.ceil((1 << 20) / (MAX_PLAINTEXT_SIZE - 40)));
  });

  it('E35: hundreds of small streams with large ids: frame count and id widths are counted, the packet still fits', () => {
    const streams = Array.from({ length: 600 }, (_, i) => dataStream(2n ** 61n + BigInt(2 * i + 1), bytes(50, i)));
    const p = plan(streams);
    expect(dataFrames(p).length).toBeGreaterThan(256); // the frame count VarUInt needed a second byte
    const widest = expectFits(p);
    expect(widest).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 70); // full, up to about one frame
    // The stream that did not fit whole got what fit; the rest wait for the next packet.
    const next = plan(streams.filter((s) => s.outgoing.pendingBytes > 0));
    expectFits(next);
  });

  it('29-5.3.3-a: new bytes in one packet stay within the connection room, across streams', () => {
    const streams = [dataStream(1n, bytes(1000, 1)), dataStream(3n, bytes(1000, 2))];
    const p = plan(streams, { dataRoom: 1500n });
    expect(p.newBytes).toBe(1500n);
    expect(dataFrames(p).map((f) => f.data.length)).toEqual([1000, 500]);
    expect(buildPacket({ streams, budget: 0n, rate, controlFrames: [], dataRoom: 0n })).toBeUndefined();
  });

  it("29-4.4.4: each stream's bytes stay within its peer StreamMaxData, packet after packet", () => {
    const streams = [dataStream(1n, bytes(30_000, 1), 17_000n), dataStream(3n, bytes(30_000, 2), 17_500n)];
    const sent = new Map<bigint, number>();
    for (let p = buildPacket({ streams, budget: 0n, rate, controlFrames: [], dataRoom: PLENTY }); p; p = buildPacket({ streams, budget: 0n, rate, controlFrames: [], dataRoom: PLENTY })) {
      for (const f of dataFrames(p)) sent.set(f.streamId, (sent.get(f.streamId) ?? 0) + f.data.length);
      for (const { stream: s, segment } of p.segments) s.settleData(segment, true);
    }
    expect([...sent]).toEqual([
      [1n, 17_000],
      [3n, 17_500],
    ]);
  });

  it('money and data share a packet: StreamMoney frames first, then StreamData', () => {
    const payer = dataStream(1n, Buffer.alloc(0));
    payer.sendMoney(5000n).subscribe({ error: () => undefined });
    const both = dataStream(3n, bytes(2000, 3));
    both.sendMoney(700n).subscribe({ error: () => undefined });
    const p = plan([payer, both], { budget: 10_000n });
    expect(p.amount).toBe(5700n);
    expect(p.frames.map((f) => [f.type, 'streamId' in f ? f.streamId : undefined])).toEqual([
      [FrameType.StreamMoney, 1n],
      [FrameType.StreamMoney, 3n],
      [FrameType.StreamData, 3n],
    ]);
    expect(dataFrames(p)[0]?.data.length).toBe(2000);
    expectFits(p);
  });

  it('money and a full load of data: the data fills what the money frames left', () => {
    const stream = dataStream(1n, bytes(100_000, 1));
    stream.sendMoney(MAX_U64).subscribe({ error: () => undefined });
    const p = plan([stream], { budget: MAX_U64 });
    expect(p.amount).toBe(MAX_U64);
    expect(expectFits(p)).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 3);
  });

  it('control frames come first and are counted against the size', () => {
    const close: Frame = { type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'x'.repeat(5000) };
    const stream = dataStream(1n, bytes(100_000, 1));
    const p = plan([stream], { controlFrames: [close] });
    expect(p.frames[0]).toBe(close);
    expect(expectFits(p)).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 3);
  });

  it('29-5.3.11-c: a segment to re-send goes first, unchanged, and new bytes fill the rest of the packet', () => {
    const stream = dataStream(1n, bytes(50_000, 2));
    const first = plan([stream], { dataRoom: 1000n });
    const rejected = dataFrames(first)[0] as StreamDataFrame;
    expect(rejected.data.length).toBe(1000);
    for (const { stream: s, segment } of first.segments) s.settleData(segment, false);
    const again = plan([stream]);
    const frames = dataFrames(again);
    expect(frames.map((f) => [f.offset, f.data.length > 0])).toEqual([
      [0n, true],
      [1000n, true],
    ]);
    expect(frames[0]?.data.equals(rejected.data)).toBe(true);
    expect(again.newBytes).toBe(BigInt(frames[1]?.data.length ?? 0)); // the re-sent bytes are not counted again
    expect(expectFits(again)).toBeGreaterThanOrEqual(MAX_PLAINTEXT_SIZE - 3);
  });

  it('29-5.3.11-c: a rejected segment that filled a whole packet fits a packet again once the stream has moved on', () => {
    // The segment at offset 0 was cut to fill a packet; when it is re-sent, the stream's next new
    // offset is ~32,700, whose VarUInt is wider than offset 0's. The re-send must still fit: its
    // frame is exactly the size it was.
    const stream = dataStream(1n, bytes(100_000, 2));
    const first = plan([stream]);
    const rejected = dataFrames(first)[0] as StreamDataFrame;
    for (const { stream: s, segment } of first.segments) s.settleData(segment, false);
    const again = buildPacket({ streams: [stream], budget: 0n, rate, controlFrames: [], dataRoom: PLENTY });
    expect(again && dataFrames(again)[0]).toMatchObject({ streamId: 1n, offset: 0n });
    expect(again && dataFrames(again)[0]?.data.equals(rejected.data)).toBe(true);
  });

  it('29-5.3.11-c: a full-size segment at offset 32,7xx rejected after the stream passed offset 65,536 fits a packet again', () => {
    const stream = dataStream(1n, bytes(200_000, 5));
    const p1 = plan([stream]);
    const p2 = plan([stream]); // offset ~32,7xx: a 2-byte VarUInt
    const p3 = plan([stream]);
    for (const { stream: s, segment } of p1.segments) s.settleData(segment, true);
    for (const { stream: s, segment } of p3.segments) s.settleData(segment, true);
    expect(stream.outgoing.nextOffset).toBeGreaterThan(65_536n); // the next new offset needs 3 bytes
    const rejected = dataFrames(p2)[0] as StreamDataFrame;
    for (const { stream: s, segment } of p2.segments) s.settleData(segment, false);
    const again = buildPacket({ streams: [stream], budget: 0n, rate, controlFrames: [], dataRoom: PLENTY });
    expect(again && dataFrames(again)[0]?.offset).toBe(rejected.offset);
    expect(again && dataFrames(again)[0]?.data.equals(rejected.data)).toBe(true);
  });

  it('29-5.3.11-c: a re-send too large for what is left of a packet waits for the next packet, unchanged', () => {
    const big = dataStream(3n, bytes(100_000, 3));
    const first = plan([big], { dataRoom: 20_000n });
    const rejected = dataFrames(first)[0] as StreamDataFrame;
    expect(rejected.data.length).toBe(20_000);
    for (const { stream: s, segment } of first.segments) s.settleData(segment, false);
    // Another stream comes first (lower id) and takes 15,000 of the next packet: 20,000 no longer fit.
    const other = dataStream(1n, bytes(15_000, 1));
    const p = plan([other, big]);
    expect(dataFrames(p).map((f) => f.streamId)).toEqual([1n]); // the re-send did not fit
    expect(big.outgoing.nextOffset).toBe(BigInt(rejected.data.length)); // no new bytes overtook it
    for (const { stream: s, segment } of p.segments) s.settleData(segment, true);
    const next = plan([other, big]);
    expect(dataFrames(next)[0]).toMatchObject({ streamId: 3n, offset: 0n });
    expect(dataFrames(next)[0]?.data.equals(rejected.data)).toBe(true);
  });

  it('whatever the streams, limits and money, a packet encodes within 32,739 bytes and respects every limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }),
            length: fc.integer({ min: 0, max: 40_000 }),
            remoteMax: fc.bigInt({ min: 0n, max: 100_000n }),
            money: fc.bigInt({ min: 0n, max: MAX_U64 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.bigInt({ min: 0n, max: 200_000n }),
        fc.integer({ min: 0, max: 20_000 }),
        (specs, dataRoom, closeMessage) => {
          const seen = new Set<bigint>();
          const streams = specs
            .map((spec, i) => ({ ...spec, id: spec.id * 2n + 1n, seed: i }))
            .filter((spec) => !seen.has(spec.id) && seen.add(spec.id))
            .sort((a, b) => (a.id < b.id ? -1 : 1))
            .map((spec) => {
              const stream = dataStream(spec.id, bytes(spec.length, spec.seed), spec.remoteMax);
              if (spec.money > 0n) stream.sendMoney(spec.money).subscribe({ error: () => undefined });
              return stream;
            });
          const controlFrames: Frame[] = closeMessage > 0 ? [{ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'c'.repeat(closeMessage) }] : [];
          const p = buildPacket({ streams, budget: MAX_U64, rate, controlFrames, dataRoom });
          if (!p) return;
          expectFits(p);
          expect(p.newBytes).toBeLessThanOrEqual(dataRoom);
          const decoded = decodePacket(encodePacket({ sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: p.frames }));
          expect(decoded.frames).toHaveLength(p.frames.length);
          for (const stream of streams) {
            const frames = dataFrames(p).filter((f) => f.streamId === stream.id);
            const end = frames.reduce((max, f) => (f.offset + BigInt(f.data.length) > max ? f.offset + BigInt(f.data.length) : max), 0n);
            expect(end).toBeLessThanOrEqual(stream.outgoing.remoteMaxOffset);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
