/**
 * fast-check generators for valid STREAM packets, covering every frame type, every VarUInt width
 * (1..8 bytes), long and multi-byte strings, and byte fields past the one-byte length prefix; plus
 * mutations (bit flips, truncations, insertions, deletions) for fuzzing the decoder.
 */
import fc from 'fast-check';
import { FrameType, IlpPacketType, MAX_U64, type Frame, type StreamPacket } from '../../../lib/wire/types';

/** Seed and run counts for property tests: `FUZZ_SEED` pins a run; fast-check prints the seed on failure. */
export const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fff_ffff);
export const FUZZ_RUNS = process.env.FUZZ_RUNS !== undefined ? Number(process.env.FUZZ_RUNS) : 100_000;

const EDGE_U64 = [0n, 1n, 127n, 128n, 255n, 256n, 0xffffn, 0x1_0000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 56n, MAX_U64 - 1n, MAX_U64];

/** Any u64, spread evenly over the 8 possible magnitude widths, plus the edges. */
export const u64Arb: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(...EDGE_U64),
  fc.integer({ min: 1, max: 8 }).chain((width) =>
    fc.bigInt({ min: width === 1 ? 0n : 1n << BigInt(8 * (width - 1)), max: (1n << BigInt(8 * width)) - 1n }),
  ),
);

/** Plain objects, like decoded ones, so strict equality compares contents and prototypes alike. */
const PLAIN = { noNullPrototype: true };

const u8Arb = fc.integer({ min: 0, max: 255 });

/** Well-formed strings (lone surrogates cannot round-trip through UTF-8), sometimes past 127 bytes. */
const textArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 40, maxLength: 200 }) },
);

const segmentArb = fc.stringMatching(/^[a-zA-Z0-9_~-]{1,12}$/);
/** Valid RFC 15 addresses, or '' as send-only clients announce. */
export const addressArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom('g', 'private', 'example', 'peer', 'self', 'test', 'test1', 'test2', 'test3', 'local'), fc.array(segmentArb, { minLength: 1, maxLength: 5 }))
    .map(([scheme, segments]) => [scheme, ...segments].join('.')),
);

/** Byte fields as Buffers (decoding yields Buffers), mostly small, sometimes over 255 or 65,535 bytes. */
function bytesArb(large: boolean): fc.Arbitrary<Buffer> {
  const small = { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) };
  const medium = { weight: 1, arbitrary: fc.integer({ min: 100, max: 1_000 }).map((length) => Buffer.alloc(length, length & 0xff)) };
  const huge = { weight: 1, arbitrary: fc.integer({ min: 65_000, max: 70_000 }).map((length) => Buffer.alloc(length, 0xa5)) };
  return large ? fc.oneof(small, medium, huge) : fc.oneof(small, medium);
}

/** One valid frame of any type; `large` allows byte fields past 65,535 bytes. */
function frameArbWith(large: boolean): fc.Arbitrary<Frame> {
  return fc.oneof(
    fc.record({ type: fc.constant(FrameType.ConnectionClose as const), errorCode: u8Arb, errorMessage: textArb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionNewAddress as const), sourceAccount: addressArb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionMaxData as const), maxOffset: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionDataBlocked as const), maxOffset: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionMaxStreamId as const), maxStreamId: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionStreamIdBlocked as const), maxStreamId: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.ConnectionAssetDetails as const), sourceAssetCode: textArb, sourceAssetScale: u8Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamClose as const), streamId: u64Arb, errorCode: u8Arb, errorMessage: textArb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamMoney as const), streamId: u64Arb, shares: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamMaxMoney as const), streamId: u64Arb, receiveMax: u64Arb, totalReceived: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamMoneyBlocked as const), streamId: u64Arb, sendMax: u64Arb, totalSent: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamData as const), streamId: u64Arb, offset: u64Arb, data: bytesArb(large) }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamMaxData as const), streamId: u64Arb, maxOffset: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamDataBlocked as const), streamId: u64Arb, maxOffset: u64Arb }, PLAIN),
    fc.record({ type: fc.constant(FrameType.StreamReceipt as const), streamId: u64Arb, receipt: bytesArb(large) }, PLAIN),
  );
}

/** One valid frame of any type. */
export const frameArb: fc.Arbitrary<Frame> = frameArbWith(true);

function packetArbWith(frame: fc.Arbitrary<Frame>): fc.Arbitrary<StreamPacket> {
  return fc.record(
    {
      sequence: u64Arb,
      ilpPacketType: fc.constantFrom(IlpPacketType.Prepare, IlpPacketType.Fulfill, IlpPacketType.Reject),
      prepareAmount: u64Arb,
      frames: fc.array(frame, { maxLength: 8 }),
    },
    PLAIN,
  );
}

/** A valid packet with 0..8 frames. */
export const packetArb: fc.Arbitrary<StreamPacket> = packetArbWith(frameArb);

/**
 * A valid packet whose byte fields stay under 1,000 bytes: the seed for mutation fuzzing, where a
 * 70 KB payload would only slow each run and draw most mutations into opaque data.
 */
export const compactPacketArb: fc.Arbitrary<StreamPacket> = packetArbWith(frameArbWith(false));

/**
 * Positions are fractions of the length, so one mutation list fits any input. Built from integers:
 * fc.double is uniform over bit patterns, so nearly all its values would be tiny and hit byte 0.
 */
const positionArb = fc.noBias(fc.integer({ min: 0, max: 0xffff })).map((step) => step / 0x1_0000);

/** One edit: its kind, where (fraction of the length), a small number (bit, byte value, count), bytes to insert. */
export type Mutation = [kind: string, position: number, small: number, extra: Uint8Array];

const mutationArb: fc.Arbitrary<Mutation> = fc.tuple(
  fc.constantFrom('flip', 'flip', 'flip', 'truncate', 'insert', 'delete', 'set'),
  positionArb,
  fc.integer({ min: 0, max: 255 }),
  fc.uint8Array({ minLength: 1, maxLength: 9 }),
);

/** Applies 1..4 random mutations to a byte string. */
export function mutationsArb(): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArb, { minLength: 1, maxLength: 4 });
}

/** Returns a mutated copy of `input`; the input is left untouched. */
export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(input);
  for (const [kind, position, small, extra] of mutations) {
    const at = Math.floor(position * Math.max(bytes.length, 1));
    switch (kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = (bytes[at] as number) ^ (1 << (small % 8));
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = small;
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + (small % 4))]);
        break;
    }
  }
  return bytes;
}
