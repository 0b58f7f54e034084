/**
 * RFC 29 §5.3.11 (checklist E22): StreamData frames of one packet that overlap must carry the same
 * bytes. The check is compared with the plain every-pair definition on random packets, and its cost
 * is pinned by counting byte comparisons (not by timing).
 */
import fc from 'fast-check';
import { conflictWithinPacket, type StreamRef } from '../../lib/connection/overlapping-data';

type Segment = readonly [StreamRef, bigint, Buffer];

/** The definition: some pair of frames of one stream disagrees on a byte both carry. */
function conflictByEveryPair(data: readonly Segment[]): Set<bigint> {
  const conflicting = new Set<bigint>();
  for (let i = 0; i < data.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, aOffset, aBytes] = data[i] as Segment;
      const [b, bOffset, bBytes] = data[j] as Segment;
      if (a !== b) continue;
      for (let offset = aOffset; offset < aOffset + BigInt(aBytes.length); offset++) {
        const inB = offset - bOffset;
        if (inB < 0n || inB >= BigInt(bBytes.length)) continue;
        if (aBytes[Number(offset - aOffset)] !== bBytes[Number(inB)]) conflicting.add(a.id);
      }
    }
  }
  return conflicting;
}

const streams: StreamRef[] = [{ id: 1n }, { id: 3n }, { id: 5n }];
/** The bytes an honest sender has at each offset of a stream. */
const honest = (stream: StreamRef, offset: number): number => (offset * 7 + Number(stream.id)) & 0xff;

/**
 * Random segments of three streams over a short range, so they overlap often: short frames and
 * long ones that contain them. Corruption is rare (about 1 frame in 20) and flips a random mask,
 * so many packets have one bad frame hidden among consistent, nested ones.
 */
const packets = fc.array(
  fc.record({
    stream: fc.constantFrom(...streams),
    offset: fc.integer({ min: 0, max: 40 }),
    length: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 12 }), weight: 4 }, { arbitrary: fc.integer({ min: 20, max: 45 }), weight: 1 }),
    flip: fc.oneof(
      { arbitrary: fc.constant(null), weight: 19 },
      { arbitrary: fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), weight: 1 },
    ),
  }),
  { maxLength: 40 },
);

type FrameSpec = { stream: StreamRef; offset: number; length: number; flip: { at: number; mask: number } | null };

function build(specs: ReadonlyArray<FrameSpec>): Segment[] {
  return specs.map(({ stream, offset, length, flip }) => {
    const bytes = Buffer.from(Array.from({ length }, (_, i) => honest(stream, offset + i)));
    if (flip !== null && length > 0) bytes.writeUInt8(bytes.readUInt8(flip.at % length) ^ flip.mask, flip.at % length);
    return [stream, BigInt(offset), bytes];
  });
}

describe('conflictWithinPacket (29-5.3.11-b, E22)', () => {
  it('finds a conflict exactly when some pair of one stream disagrees, and names a stream that has one', () => {
    let withConflict = 0;
    fc.assert(
      fc.property(packets, (specs) => {
        const data = build(specs);
        const expected = conflictByEveryPair(data);
        const found = conflictWithinPacket(data);
        if (expected.size === 0) expect(found).toBeUndefined();
        else expect(expected.has(found as bigint)).toBe(true);
        if (expected.size > 0) withConflict += 1;
      }),
      { numRuns: 3000 },
    );
    // Both outcomes are exercised in earnest, not one by accident.
    expect(withConflict).toBeGreaterThan(150);
    expect(withConflict).toBeLessThan(2700);
  });

  it('catches a disagreement with a frame that is not the latest one reaching there', () => {
    const one = streams[0] as StreamRef;
    // [0,10) honest, [2,4) honest, then [3,5) differs from [0,10) at offset 3.
    const data = build([
      { stream: one, offset: 0, length: 10, flip: null },
      { stream: one, offset: 2, length: 2, flip: null },
      { stream: one, offset: 3, length: 2, flip: { at: 0, mask: 0x01 } },
    ]);
    expect(conflictWithinPacket(data)).toBe(1n);
    expect(conflictWithinPacket(data.slice(0, 2))).toBeUndefined();
  });

  it('E22: a packet of 4,600 tiny overlapping frames is checked with one byte comparison per frame, not one per pair', () => {
    const one = streams[0] as StreamRef;
    const data = build(Array.from({ length: 4600 }, (_, i) => ({ stream: one, offset: i % 50, length: 3, flip: null })));
    const equals = jest.spyOn(Buffer.prototype, 'equals');
    try {
      expect(conflictWithinPacket(data)).toBeUndefined();
      expect(equals.mock.calls.length).toBeLessThan(data.length);
    } finally {
      equals.mockRestore();
    }
  });
});
