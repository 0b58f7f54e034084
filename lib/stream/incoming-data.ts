/**
 * The receiving half of a stream's bytes (RFC 29 §4.4.3, §4.4.4): segments arrive in any order,
 * duplicated or overlapping, and leave in order, exactly once. The peer may send up to
 * `consumed + window`, where `consumed` counts bytes handed to the consumer: a consumer that
 * stops taking bytes stops the sender within one window, and memory stays within it.
 * Synchronous and free of I/O.
 *
 * Memory is bounded by the window plus a bounded number of held segments: bytes that extend the
 * segment before them are appended to it (up to {@link MERGED_SEGMENT_BYTES}), so in-order bytes
 * waiting for a paused reader stay a few large segments however small the peer's frames are, and
 * only gaps make new ones. A peer that leaves more gaps than {@link heldSegmentLimit} allows (many
 * one-byte segments with holes between them, each insert costing O(n)) is refused with
 * `'too-fragmented'`, which closes its connection with FlowControlError (E21).
 *
 * @example
 * ```ts
 * const incoming = new IncomingData(16_384);
 * incoming.accept(5n, Buffer.from('world'));   // 10n (the highest offset grew): kept until 0..4 arrives
 * incoming.accept(0n, Buffer.from('hello'));
 * incoming.read();                              // [<hello>, <world>]
 * ```
 */

/**
 * Why a segment was refused.
 *
 * @example
 * ```ts
 * const incoming = new IncomingData(10);
 * incoming.check(8n, Buffer.from('abc')); // 'flow-control': it ends at 11, past the limit 10
 * incoming.accept(0n, Buffer.from('ab'));
 * incoming.check(1n, Buffer.from('x'));   // 'overlap': offset 1 already holds 'b'
 * incoming.check(1n, Buffer.from('b'));   // undefined: an identical repeat is fine
 * ```
 */
export type DataViolation = 'flow-control' | 'overlap' | 'too-fragmented';

/**
 * The largest segment that small appends are merged into. Larger pieces are kept as they come.
 *
 * @example
 * ```ts
 * MERGED_SEGMENT_BYTES; // 16_384
 * ```
 */
export const MERGED_SEGMENT_BYTES = 16_384;

/**
 * The most segments a stream holds for a receive window of `window` bytes: 512 gaps (an honest
 * sender leaves at most one per packet it has in flight on the stream, 128 by default) plus one
 * per 8 KiB of window for bytes that a paused reader lets pile up in order. At the default 1 MiB
 * window: 640 segments, so the per-segment overhead stays far below the window itself.
 *
 * @example
 * ```ts
 * heldSegmentLimit(1_048_576); // 640
 * heldSegmentLimit(32_739);    // 516
 * ```
 */
export function heldSegmentLimit(window: number): number {
  return 512 + Math.ceil(window / 8192);
}

/** Held bytes: `bytes` may have room to grow at its end (appends), `length` is what is used. */
interface Segment {
  readonly offset: bigint;
  bytes: Buffer;
  length: number;
}

/**
 * A stream's incoming bytes.
 *
 * @example
 * ```ts
 * const incoming = new IncomingData(16);
 * incoming.maxOffset;                      // 16n
 * incoming.accept(3n, Buffer.from('def')); // 6n: the highest offset grew from 0 to 6
 * incoming.readable;                       // false: bytes 0..2 are missing
 * incoming.accept(0n, Buffer.from('abc')); // 0n
 * incoming.read();                         // [<abc>, <def>]
 * incoming.maxOffset;                      // 22n: the window moved with what was read
 * ```
 */
export class IncomingData {
  private consumedOffset = 0n;
  /** Out-of-order and not yet read segments, ascending and not overlapping, all past `consumed`. */
  private segments: Segment[] = [];
  private highest = 0n;
  private buffered = 0;
  private readonly maxSegments: number;

  /**
   * @param window - bytes the peer may send beyond what the consumer took
   * @param maxSegments - the most segments held at once; default {@link heldSegmentLimit}(window)
   */
  constructor(
    private readonly window: number,
    maxSegments?: number,
  ) {
    this.maxSegments = maxSegments ?? heldSegmentLimit(window);
  }

  /** Segments held (gaps and not yet read runs). */
  get heldSegments(): number {
    return this.segments.length;
  }

  /** The most segments held at once. */
  get heldSegmentLimit(): number {
    return this.maxSegments;
  }

  /** Bytes handed to the consumer. */
  get consumed(): bigint {
    return this.consumedOffset;
  }

  /** The largest offset the peer may reach: what we advertise as StreamMaxData. */
  get maxOffset(): bigint {
    return this.consumedOffset + BigInt(this.window);
  }

  /** The highest offset + length any accepted segment reached. */
  get highestOffset(): bigint {
    return this.highest;
  }

  /** Bytes held, not yet read. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True if the bytes from `consumed` on are waiting (something to read). */
  get readable(): boolean {
    return this.segments[0]?.offset === this.consumedOffset;
  }

  /**
   * Checks a segment without keeping it: beyond our limit is a flow-control violation
   * (29-4.4.4-d, E20); bytes that differ from bytes already held for the same offsets break the
   * no-overlap rule (29-5.3.11-b, E22). Identical repeats are fine.
   */
  check(offset: bigint, data: Buffer): DataViolation | undefined {
    const end = offset + BigInt(data.length);
    if (end > this.maxOffset) return 'flow-control';
    for (const segment of this.overlapping(offset, end)) {
      if (!sameBytes(segment, offset, data)) return 'overlap';
    }
    // Counted before the packet is fulfilled; frames of one packet are each checked against what
    // was held before it, so the bound may be passed by one packet's worth of frames at most.
    if (this.segments.length + this.newSegments(offset, data) > this.maxSegments) return 'too-fragmented';
    return undefined;
  }

  /** Keeps a checked segment (call {@link check} first). Returns the growth of the highest offset. */
  accept(offset: bigint, data: Buffer): bigint {
    const end = offset + BigInt(data.length);
    const growth = end > this.highest ? end - this.highest : 0n;
    if (growth > 0n) this.highest = end;
    for (const [from, to] of this.missingRanges(offset, data)) this.insert(offset, data, from, to);
    return growth;
  }

  /**
   * Takes the bytes that are next in order (up to the first gap), counting them as consumed.
   */
  read(): Buffer[] {
    const out: Buffer[] = [];
    for (let chunk = this.readOne(); chunk; chunk = this.readOne()) out.push(chunk);
    return out;
  }

  /** Takes the next chunk in order, if it is here, counting it as consumed. */
  readOne(): Buffer | undefined {
    const segment = this.segments[0];
    if (!segment || segment.offset !== this.consumedOffset) return undefined;
    this.segments.shift();
    this.consumedOffset += BigInt(segment.length);
    this.buffered -= segment.length;
    return segment.length === segment.bytes.length ? segment.bytes : segment.bytes.subarray(0, segment.length);
  }

  /** True if every byte up to the highest offset was read (no gap left). */
  get complete(): boolean {
    return this.consumedOffset === this.highest && this.segments.length === 0;
  }

  /** The parts of a segment not held yet (and not consumed), so that segments never overlap. */
  private missingRanges(offset: bigint, data: Buffer): Array<readonly [bigint, bigint]> {
    const end = offset + BigInt(data.length);
    let start = offset > this.consumedOffset ? offset : this.consumedOffset;
    const ranges: Array<readonly [bigint, bigint]> = [];
    if (start >= end) return ranges;
    for (const held of this.overlapping(start, end)) {
      if (held.offset > start) ranges.push([start, held.offset]);
      const heldEnd = held.offset + BigInt(held.length);
      if (heldEnd > start) start = heldEnd;
    }
    if (start < end) ranges.push([start, end]);
    return ranges;
  }

  /** How many segments keeping this one would add (at most: appends to a neighbour add none). */
  private newSegments(offset: bigint, data: Buffer): number {
    const ranges = this.missingRanges(offset, data);
    const first = ranges[0];
    if (!first) return 0;
    const before = this.segments[this.indexAfter(first[0]) - 1];
    const appends = before !== undefined && canAppend(before, first[0], first[1]);
    return ranges.length - (appends ? 1 : 0);
  }

  /** Index of the first segment starting after `offset`. */
  private indexAfter(offset: bigint): number {
    let low = 0;
    let high = this.segments.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.segments[mid] as Segment).offset <= offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private insert(offset: bigint, data: Buffer, from: bigint, to: bigint): void {
    const piece = data.subarray(Number(from - offset), Number(to - offset));
    const index = this.indexAfter(from);
    const before = this.segments[index - 1];
    if (before !== undefined && canAppend(before, from, to)) append(before, piece);
    else this.segments.splice(index, 0, { offset: from, bytes: copy(piece, piece.length), length: piece.length });
    this.buffered += piece.length;
  }

  private *overlapping(start: bigint, end: bigint): Generator<Segment> {
    let low = 0;
    let high = this.segments.length;
    // First segment whose end is after `start`.
    while (low < high) {
      const mid = (low + high) >> 1;
      const s = this.segments[mid] as Segment;
      if (s.offset + BigInt(s.length) <= start) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.segments.length; i++) {
      const s = this.segments[i] as Segment;
      if (s.offset >= end) return;
      yield s;
    }
  }
}

/** True if bytes `from..to` directly extend `segment` and the result stays a merged-size segment. */
function canAppend(segment: Segment, from: bigint, to: bigint): boolean {
  return segment.offset + BigInt(segment.length) === from && segment.length + Number(to - from) <= MERGED_SEGMENT_BYTES;
}

/** Appends in place, growing the buffer by doubling so that many small appends cost linear time. */
function append(segment: Segment, piece: Buffer): void {
  const needed = segment.length + piece.length;
  if (needed > segment.bytes.length) {
    const grown = copy(segment.bytes.subarray(0, segment.length), Math.min(MERGED_SEGMENT_BYTES, Math.max(needed, 2 * segment.length, 64)));
    segment.bytes = grown;
  }
  piece.copy(segment.bytes, segment.length);
  segment.length = needed;
}

/**
 * A copy, not a view: a view would keep the whole decrypted packet alive for every byte held, so
 * a peer sending one byte per packet out of order could make us hold ~32 KiB per byte of window.
 * Unpooled for the same reason: a small pooled copy pins the whole 8 KiB pool slab it came from.
 */
function copy(bytes: Buffer, capacity: number): Buffer {
  const out = Buffer.allocUnsafeSlow(capacity);
  bytes.copy(out, 0);
  return out;
}

function sameBytes(held: Segment, offset: bigint, data: Buffer): boolean {
  const start = held.offset > offset ? held.offset : offset;
  const heldEnd = held.offset + BigInt(held.length);
  const end = offset + BigInt(data.length);
  const stop = heldEnd < end ? heldEnd : end;
  if (stop <= start) return true;
  const a = held.bytes.subarray(Number(start - held.offset), Number(stop - held.offset));
  const b = data.subarray(Number(start - offset), Number(stop - offset));
  return a.equals(b);
}
