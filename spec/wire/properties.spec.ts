/**
 * Seeded property tests for the whole codec. `FUZZ_SEED` pins the seed (fast-check prints it on
 * failure); `FUZZ_RUNS` sets how many random and how many mutated byte strings the decoder sees.
 */
import fc from 'fast-check';
import { decodePacket } from '../../lib/wire/decode';
import { encodePacket } from '../../lib/wire/encode';
import { isStreamDecodeError, isStreamEncodeError } from '../../lib/wire/errors';
import { encodedFrameSize, encodedPacketSize, sizeWithFrame } from '../../lib/wire/sizes';
import { FrameType, IlpPacketType, MAX_U64, type Frame, type StreamPacket } from '../../lib/wire/types';
import { compactPacketArb, FUZZ_RUNS, FUZZ_SEED, frameArb, mutate, mutationsArb, packetArb } from './support/arbitraries';

const ROUND_TRIP_RUNS = 5_000;

/** Decodes, and accepts only a well-formed packet or a StreamDecodeError with a real reason. */
function decodeOrDecodeError(bytes: Uint8Array): StreamPacket | undefined {
  try {
    const packet = decodePacket(bytes);
    expectWellFormed(packet);
    return packet;
  } catch (error) {
    if (!isStreamDecodeError(error) || error.code === 'INTERNAL') throw error;
    return undefined;
  }
}

function expectWellFormed(packet: StreamPacket): void {
  const inU64 = (value: unknown): boolean => typeof value === 'bigint' && value >= 0n && value <= MAX_U64;
  if (!inU64(packet.sequence) || !inU64(packet.prepareAmount)) throw new Error('header field outside u64');
  if (![IlpPacketType.Prepare, IlpPacketType.Fulfill, IlpPacketType.Reject].includes(packet.ilpPacketType)) {
    throw new Error(`bad ilpPacketType ${packet.ilpPacketType}`);
  }
  for (const frame of packet.frames) {
    if (FrameType[frame.type] === undefined) throw new Error(`unknown frame type ${frame.type} surfaced`);
    for (const value of Object.values(frame)) {
      if (typeof value === 'bigint' && !inU64(value)) throw new Error('frame field outside u64');
    }
  }
}

/** A decoded packet re-encodes to bytes that decode to the same packet, unless its address is invalid. */
function expectReencodes(packet: StreamPacket): void {
  let bytes: Buffer;
  try {
    bytes = encodePacket(packet);
  } catch (error) {
    if (isStreamEncodeError(error, 'INVALID_ADDRESS') && error.field.endsWith('.sourceAccount')) return;
    throw error;
  }
  expect(decodePacket(bytes)).toStrictEqual(packet);
}

describe(`wire properties (seed ${FUZZ_SEED})`, () => {
  it('29-5-a valid packets round-trip exactly through encode and decode', () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        expect(decodePacket(encodePacket(packet))).toStrictEqual(packet);
      }),
      { seed: FUZZ_SEED, numRuns: ROUND_TRIP_RUNS },
    );
  });

  it('E35 encodedPacketSize, and sizeWithFrame frame by frame, equal the encoded length', () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        const encoded = encodePacket(packet);
        expect(encodedPacketSize(packet)).toBe(encoded.length);
        let size = encodedPacketSize({ ...packet, frames: [] });
        packet.frames.forEach((frame, count) => (size = sizeWithFrame(size, count, frame)));
        expect(size).toBe(encoded.length);
      }),
      { seed: FUZZ_SEED, numRuns: ROUND_TRIP_RUNS },
    );
  });

  it('E35 sizeWithFrame tracks the frame-count VarUInt growing from 255 to 256 frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 250, max: 260 }), frameArb, (count, frame) => {
        const base: StreamPacket = { sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] };
        const frames: Frame[] = Array.from({ length: count }, (_, i) => ({ type: FrameType.StreamMoney, streamId: BigInt(i), shares: 1n }));
        const before = encodePacket({ ...base, frames }).length;
        const after = encodePacket({ ...base, frames: [...frames, frame] }).length;
        expect(sizeWithFrame(before, count, frame)).toBe(after);
        expect(after - before).toBeGreaterThanOrEqual(encodedFrameSize(frame));
      }),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });

  it(`E2 ${FUZZ_RUNS} random byte strings: decodePacket returns a packet or throws StreamDecodeError`, () => {
    const header = fc.tuple(fc.constantFrom(12, 13, 14), fc.uint8Array({ maxLength: 80 }));
    // Random frames: a type byte (known or not), a correct one-byte length, random contents.
    const randomFrame = fc
      .tuple(fc.oneof(fc.integer({ min: 1, max: 0x17 }), fc.integer({ min: 0, max: 255 })), fc.uint8Array({ maxLength: 12 }))
      .map(([type, contents]) => Buffer.concat([Buffer.from([type, contents.length]), contents]));
    const framed = fc
      .tuple(fc.constantFrom(12, 13, 14), fc.array(randomFrame, { maxLength: 5 }), fc.integer({ min: -1, max: 1 }), fc.uint8Array({ maxLength: 4 }))
      .map(([type, frames, countSkew, junk]) =>
        Buffer.concat([Buffer.from([1, type, 1, 0, 1, 0, 1, Math.max(0, frames.length + countSkew)]), ...frames, junk]),
      );
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // Most random bytes fail at the version; a valid header, or whole random frames, reach further.
      header.map(([type, rest]) => Buffer.concat([Buffer.from([1, type]), rest])),
      framed,
    );
    fc.assert(
      fc.property(input, (bytes) => {
        const packet = decodeOrDecodeError(bytes);
        if (packet) expectReencodes(packet);
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
  });

  it(`E2 ${FUZZ_RUNS} mutated valid encodings (bit flips, truncations, insertions): only StreamDecodeError`, () => {
    // A pool of valid encodings drawn from the same seed: generating a fresh packet per run would
    // cost more than the decode under test, and the mutations are what vary.
    const pool = fc.sample(compactPacketArb, { seed: FUZZ_SEED, numRuns: 2_000 }).map(encodePacket);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: pool.length - 1 }), mutationsArb(), (index, mutations) => {
        const decoded = decodeOrDecodeError(mutate(pool[index] as Buffer, mutations));
        if (decoded) expectReencodes(decoded);
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
  });
});
