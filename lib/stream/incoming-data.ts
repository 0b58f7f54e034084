/**
 * The receiving half of a stream's bytes (RFC 29 §4.4.3, §4.4.4): segments arrive in any order,
 * duplicated or overlapping, and leave in order, exactly once. The peer may send up to
 * `consumed + window`, where `consumed` counts bytes handed to the consumer: a consumer that
 * stops taking bytes stops the sender within one window, and memory stays within it.
 * Synchronous and free of I/O.
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
export type DataViolation = 'flow-control' | 'overlap';

interface Segment {
  readonly offset: bigint;
  readonly data: Buffer;
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

  constructor(private readonly window: number) {}

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
    return undefined;
  }

  /** Keeps a checked segment (call {@link check} first). Returns the growth of the highest offset. */
  accept(offset: bigint, data: Buffer): bigint {
    const end = offset + BigInt(data.length);
    const growth = end > this.highest ? end - this.highest : 0n;
    if (growth > 0n) this.highest = end;
    let start = offset > this.consumedOffset ? offset : this.consumedOffset;
    if (start >= end) return growth;
    // Store only the parts not held yet, so segments never overlap.
    const pieces: Segment[] = [];
    for (const held of this.overlapping(start, end)) {
      if (held.offset > start) pieces.push(slice(offset, data, start, held.offset));
      const heldEnd = held.offset + BigInt(held.data.length);
      if (heldEnd > start) start = heldEnd;
    }
    if (start < end) pieces.push(slice(offset, data, start, end));
    for (const piece of pieces) this.insert(piece);
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
    this.consumedOffset += BigInt(segment.data.length);
    this.buffered -= segment.data.length;
    return segment.data;
  }

  /** True if every byte up to the highest offset was read (no gap left). */
  get complete(): boolean {
    return this.consumedOffset === this.highest && this.segments.length === 0;
  }

  private insert(piece: Segment): void {
    let low = 0;
    let high = this.segments.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.segments[mid] as Segment).offset < piece.offset) low = mid + 1;
      else high = mid;
    }
    this.segments.splice(low, 0, piece);
    this.buffered += piece.data.length;
  }

  private *overlapping(start: bigint, end: bigint): Generator<Segment> {
    let low = 0;
    let high = this.segments.length;
    // First segment whose end is after `start`.
    while (low < high) {
      const mid = (low + high) >> 1;
      const s = this.segments[mid] as Segment;
      if (s.offset + BigInt(s.data.length) <= start) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.segments.length; i++) {
      const s = this.segments[i] as Segment;
      if (s.offset >= end) return;
      yield s;
    }
  }
}

/**
 * A copy, not a view: a view would keep the whole decrypted packet alive for every byte held, so
 * a peer sending one byte per packet out of order could make us hold ~32 KiB per byte of window.
 */
function slice(offset: bigint, data: Buffer, from: bigint, to: bigint): Segment {
  return { offset: from, data: Buffer.from(data.subarray(Number(from - offset), Number(to - offset))) };
}

function sameBytes(held: Segment, offset: bigint, data: Buffer): boolean {
  const start = held.offset > offset ? held.offset : offset;
  const heldEnd = held.offset + BigInt(held.data.length);
  const end = offset + BigInt(data.length);
  const stop = heldEnd < end ? heldEnd : end;
  if (stop <= start) return true;
  const a = held.data.subarray(Number(start - held.offset), Number(stop - held.offset));
  const b = data.subarray(Number(start - offset), Number(stop - offset));
  return a.equals(b);
}
