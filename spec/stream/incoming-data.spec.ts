/**
 * IncomingData (lib/stream/incoming-data.ts): the receiving half of a stream's bytes, RFC 29
 * §4.4.3, §4.4.4 and §5.3.11. Segments arrive in any order, repeated or overlapping; bytes leave
 * in order, exactly once; the window bounds what the peer may send and what is held.
 */
import fc from 'fast-check';
import { IncomingData } from '../../lib/stream/incoming-data';
import { MAX_U64 } from '../../lib/wire/types';

/** Checks then keeps a segment, as the receiver does for a fulfilled packet; returns the check. */
function offer(incoming: IncomingData, offset: bigint, data: Buffer): ReturnType<IncomingData['check']> {
  const violation = incoming.check(offset, data);
  if (violation === undefined) incoming.accept(offset, data);
  return violation;
}

function readAll(incoming: IncomingData): Buffer {
  return Buffer.concat(incoming.read());
}

describe('IncomingData', () => {
  it('reassembles out-of-order segments and hands out bytes only up to the first gap', () => {
    const incoming = new IncomingData(1000);
    expect(offer(incoming, 5n, Buffer.from('world'))).toBeUndefined();
    expect(incoming.readable).toBe(false);
    expect(incoming.read()).toEqual([]);
    expect(incoming.bufferedBytes).toBe(5);
    expect(offer(incoming, 0n, Buffer.from('hello'))).toBeUndefined();
    expect(incoming.readable).toBe(true);
    expect(readAll(incoming).toString()).toBe('helloworld');
    expect(incoming.consumed).toBe(10n);
    expect(incoming.bufferedBytes).toBe(0);
    expect(incoming.complete).toBe(true);
  });

  it('accept returns how far the highest offset grew (what counts against ConnectionMaxData)', () => {
    const incoming = new IncomingData(1000);
    expect(incoming.accept(10n, Buffer.from('abc'))).toBe(13n);
    expect(incoming.accept(0n, Buffer.from('0123456789'))).toBe(0n);
    expect(incoming.accept(12n, Buffer.from('cdef'))).toBe(3n);
    expect(incoming.highestOffset).toBe(16n);
    expect(incoming.complete).toBe(false);
    expect(readAll(incoming).toString()).toBe('0123456789abcdef');
    expect(incoming.complete).toBe(true);
  });

  it('E22, 29-5.3.11-b: shuffled, repeated and overlapping (identical) segments reassemble the buffer exactly, within the window (property)', () => {
    const scenario = fc
      .uint8Array({ minLength: 1, maxLength: 3000 })
      .chain((bytes) =>
        fc.record({
          bytes: fc.constant(Buffer.from(bytes)),
          // Cut points split the buffer into a tiling...
          cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 40 }),
          // ...to which random sub-ranges (overlapping the tiling, same bytes) are added...
          extra: fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 500 })), { maxLength: 20 }),
          // ...and some pieces are repeated.
          repeats: fc.array(fc.nat(100), { maxLength: 20 }),
          order: fc.array(fc.nat(), { minLength: 100, maxLength: 100 }),
          readEvery: fc.integer({ min: 1, max: 10 }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ bytes, cuts, extra, repeats, order, readEvery }) => {
        const window = bytes.length; // the peer may send the whole buffer before anything is read
        const incoming = new IncomingData(window);
        const points = [0, ...[...cuts].filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length];
        const pieces: Array<[number, number]> = [];
        for (let i = 1; i < points.length; i++) if ((points[i] as number) > (points[i - 1] as number)) pieces.push([points[i - 1] as number, points[i] as number]);
        for (const [start, length] of extra) pieces.push([start, Math.min(bytes.length, start + length)]);
        for (const index of repeats) pieces.push(pieces[index % pieces.length] as [number, number]);
        // Shuffle (Fisher-Yates driven by the generated order).
        for (let i = pieces.length - 1; i > 0; i--) {
          const j = (order[i % order.length] as number) % (i + 1);
          [pieces[i], pieces[j]] = [pieces[j] as [number, number], pieces[i] as [number, number]];
        }
        const out: Buffer[] = [];
        pieces.forEach(([start, end], i) => {
          // Fresh copies: the receiver must not depend on the packet buffer staying the same.
          expect(offer(incoming, BigInt(start), Buffer.from(bytes.subarray(start, end)))).toBeUndefined();
          expect(incoming.bufferedBytes).toBeLessThanOrEqual(window);
          if (i % readEvery === 0) out.push(...incoming.read());
        });
        out.push(...incoming.read());
        expect(Buffer.concat(out).equals(bytes)).toBe(true);
        expect(incoming.consumed).toBe(BigInt(bytes.length));
        expect(incoming.bufferedBytes).toBe(0);
        expect(incoming.complete).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('E20: with a window smaller than the buffer, segments beyond consumed + window are refused and the held bytes never exceed the window (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 200 }),
        (raw, window, offers) => {
          const bytes = Buffer.from(raw);
          const incoming = new IncomingData(window);
          const out: Buffer[] = [];
          for (const [at, length] of offers) {
            const start = at % bytes.length;
            const end = Math.min(bytes.length, start + length);
            const beyond = BigInt(end) > incoming.consumed + BigInt(window);
            expect(offer(incoming, BigInt(start), Buffer.from(bytes.subarray(start, end)))).toBe(beyond ? 'flow-control' : undefined);
            expect(incoming.bufferedBytes).toBeLessThanOrEqual(window);
            expect(incoming.maxOffset).toBe(incoming.consumed + BigInt(window));
            if (start % 3 === 0) out.push(...incoming.read());
          }
          // Whatever was read is the buffer's prefix.
          const read = Buffer.concat([...out, ...incoming.read()]);
          expect(read.equals(bytes.subarray(0, read.length))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('E20, 29-4.4.4-d: a segment ending exactly at maxOffset is fine; one byte more is a flow-control violation', () => {
    const incoming = new IncomingData(100);
    expect(incoming.maxOffset).toBe(100n);
    expect(incoming.check(90n, Buffer.alloc(11))).toBe('flow-control');
    expect(incoming.check(100n, Buffer.alloc(1))).toBe('flow-control');
    expect(incoming.check(90n, Buffer.alloc(10))).toBeUndefined();
    incoming.accept(0n, Buffer.alloc(40, 1));
    expect(incoming.maxOffset).toBe(100n); // held, not read: the window has not moved
    expect(incoming.check(100n, Buffer.alloc(1))).toBe('flow-control');
    incoming.read();
    expect(incoming.maxOffset).toBe(140n); // consumed + window
    expect(incoming.check(100n, Buffer.alloc(40))).toBeUndefined();
    expect(incoming.check(100n, Buffer.alloc(41))).toBe('flow-control');
  });

  it('E22: an overlap with different bytes is refused, wherever it overlaps; nothing held changes', () => {
    const incoming = new IncomingData(1000);
    offer(incoming, 10n, Buffer.from('abcdefghij')); // 10..20
    offer(incoming, 30n, Buffer.from('0123456789')); // 30..40
    expect(incoming.check(10n, Buffer.from('abcdefghiX'))).toBe('overlap'); // same range, last byte differs
    expect(incoming.check(5n, Buffer.from('-----abX'))).toBe('overlap'); // left edge
    expect(incoming.check(18n, Buffer.from('iX---'))).toBe('overlap'); // right edge
    expect(incoming.check(12n, Buffer.from('cX'))).toBe('overlap'); // inside
    expect(incoming.check(0n, Buffer.concat([Buffer.alloc(10), Buffer.from('abcdefghij'), Buffer.alloc(10), Buffer.from('012345678X')]))).toBe('overlap'); // spans both
    // Identical overlaps are fine (a re-send, or a peer cutting differently).
    expect(incoming.check(15n, Buffer.from('fghij'))).toBeUndefined();
    expect(incoming.check(0n, Buffer.concat([Buffer.alloc(10), Buffer.from('abcdefghij'), Buffer.alloc(10), Buffer.from('0123456789')]))).toBeUndefined();
    // Bytes next to held ones, not over them, are not an overlap.
    expect(incoming.check(20n, Buffer.from('XXXXXXXXXX'))).toBeUndefined();
    expect(incoming.bufferedBytes).toBe(20);
    offer(incoming, 0n, Buffer.from('ABCDEFGHIJ'));
    offer(incoming, 20n, Buffer.from('KLMNOPQRST'));
    expect(readAll(incoming).toString()).toBe('ABCDEFGHIJabcdefghijKLMNOPQRST0123456789');
  });

  it('B1 (reference-js §5.3): bytes already read that arrive again are ignored, and the bytes after them still flow', () => {
    // The reference's OffsetSorter stalled here: [0,'aaaa'] read, then [0,'aaaa'] and [4,'bbbb'].
    const incoming = new IncomingData(1000);
    offer(incoming, 0n, Buffer.from('aaaa'));
    expect(readAll(incoming).toString()).toBe('aaaa');
    expect(offer(incoming, 0n, Buffer.from('aaaa'))).toBeUndefined();
    expect(offer(incoming, 4n, Buffer.from('bbbb'))).toBeUndefined();
    expect(incoming.readable).toBe(true);
    expect(readAll(incoming).toString()).toBe('bbbb');
    expect(offer(incoming, 2n, Buffer.from('aabbbbcc'))).toBeUndefined(); // straddles what was read
    expect(readAll(incoming).toString()).toBe('cc');
    expect(incoming.bufferedBytes).toBe(0);
  });

  it('keeps copies: changing the packet buffer after accept does not change the bytes read', () => {
    const incoming = new IncomingData(1000);
    const packet = Buffer.from('..payload..');
    const view = packet.subarray(2, 9);
    offer(incoming, 3n, view);
    packet.fill(0x21);
    offer(incoming, 0n, Buffer.from('abc'));
    expect(readAll(incoming).toString()).toBe('abcpayload');
  });

  it('E21: offsets near 2^64 are refused by flow control as bigints, without throwing or allocating', () => {
    const incoming = new IncomingData(262_144);
    const before = process.memoryUsage().arrayBuffers;
    expect(incoming.check(MAX_U64, Buffer.from('x'))).toBe('flow-control'); // ends at 2^64: beyond the u64 range
    expect(incoming.check(MAX_U64 - 1n, Buffer.from('x'))).toBe('flow-control');
    expect(incoming.check(MAX_U64, Buffer.alloc(0))).toBe('flow-control');
    expect(incoming.check(2n ** 53n + 1n, Buffer.from('x'))).toBe('flow-control');
    expect(incoming.check(2n ** 63n, Buffer.alloc(32_000))).toBe('flow-control');
    expect(incoming.bufferedBytes).toBe(0);
    expect(incoming.maxOffset).toBe(262_144n);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('E21: a sparse segment far from the start is held by offset, not in a buffer as large as the offset', () => {
    const window = 2 ** 31; // a (very) large window, so the far offset is allowed
    const incoming = new IncomingData(window);
    const far = BigInt(window) - 4n;
    const before = process.memoryUsage().arrayBuffers;
    expect(offer(incoming, far, Buffer.from('tail'))).toBeUndefined();
    expect(offer(incoming, 0n, Buffer.from('head'))).toBeUndefined();
    expect(incoming.bufferedBytes).toBe(8);
    expect(incoming.highestOffset).toBe(BigInt(window));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    expect(readAll(incoming).toString()).toBe('head');
    expect(incoming.readable).toBe(false);
    expect(incoming.complete).toBe(false);
  });

  it('E21: offsets and limits past 2^53 stay exact', () => {
    const window = Number.MAX_SAFE_INTEGER; // maxOffset 2^53 - 1
    const incoming = new IncomingData(window);
    expect(incoming.maxOffset).toBe(2n ** 53n - 1n);
    expect(incoming.check(2n ** 53n - 2n, Buffer.from('x'))).toBeUndefined();
    expect(incoming.check(2n ** 53n - 1n, Buffer.from('x'))).toBe('flow-control');
    expect(offer(incoming, 2n ** 53n - 3n, Buffer.from('ab'))).toBeUndefined();
    expect(incoming.highestOffset).toBe(2n ** 53n - 1n);
    // Different bytes one past 2^53 - 3 overlap; a float offset would have rounded them apart.
    expect(incoming.check(2n ** 53n - 2n, Buffer.from('X'))).toBe('overlap');
    expect(incoming.check(2n ** 53n - 2n, Buffer.from('b'))).toBeUndefined();
  });
});
