/**
 * The sending half of a stream's bytes (RFC 29 §4.4.3, §5.3.11): a queue of writes cut into
 * segments as packets have room, within the peer's StreamMaxData. Offsets are given out when
 * bytes first leave, so bytes not yet sent can still be withdrawn. A segment whose packet was
 * rejected is sent again exactly as it was, same offset and same bytes (29-5.3.11-c), before any
 * new bytes. Synchronous and free of I/O.
 *
 * @example
 * ```ts
 * const out = new OutgoingData();
 * out.write(Buffer.from('hello'), { progress: console.log, done: () => console.log('acknowledged') });
 * const segment = out.take(1000, 1000n); // { offset: 0n, data: <hello> }
 * out.settle(segment!, true);            // progress, then done
 * ```
 */

/**
 * Progress of one `sendData()` call.
 *
 * @example
 * ```ts
 * stream.sendData('hello').subscribe((progress: DataProgress) => console.log(progress));
 * // { sent: 5, acknowledged: 0, length: 5 } when the packet leaves,
 * // { sent: 5, acknowledged: 5, length: 5 } when it is fulfilled; then the Observable completes
 * ```
 */
export interface DataProgress {
  /** Bytes of this call placed in packets so far. */
  readonly sent: number;
  /** Bytes of this call the peer acknowledged (in fulfilled packets) so far. */
  readonly acknowledged: number;
  /** Bytes this call asked to send. */
  readonly length: number;
}

/**
 * Callbacks of one write.
 *
 * @example
 * ```ts
 * const listener: WriteListener = {
 *   progress: ({ sent, acknowledged, length }) => console.log(`${sent} sent, ${acknowledged} of ${length} acknowledged`),
 *   done: () => console.log('all acknowledged'),
 * };
 * outgoing.write(Buffer.from('hello'), listener);
 * ```
 */
export interface WriteListener {
  progress(progress: DataProgress): void;
  /** Every byte was acknowledged. */
  done(): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * One write: bytes the user asked to send. The caller's buffer is kept, not copied (as a Node
 * Writable does), and let go once every byte of it went into a packet.
 *
 * @example
 * ```ts
 * const out = new OutgoingData();
 * const write = out.write(Buffer.from('hello world'));
 * out.take(5, 65_534n);
 * write.progress;      // { sent: 5, acknowledged: 0, length: 11 }
 * write.fullyTaken;    // false
 * out.withdraw(write); // the 6 bytes not yet sent are dropped
 * write.length;        // 5, and write.fullyTaken is true
 * ```
 */
export class DataWrite {
  /** Bytes placed in packets. */
  taken = 0;
  acknowledged = 0;
  /** Bytes of this write (less after a withdraw). */
  length: number;
  constructor(
    public data: Buffer,
    readonly listener: WriteListener | undefined,
  ) {
    this.length = data.length;
  }

  get progress(): DataProgress {
    return { sent: this.taken, acknowledged: this.acknowledged, length: this.length };
  }

  /** Every byte went into a packet: the caller's buffer is no longer needed. */
  get fullyTaken(): boolean {
    return this.taken === this.length;
  }
}

/**
 * Bytes of a stream at an offset, as placed in one packet.
 *
 * @example
 * ```ts
 * const out = new OutgoingData();
 * const first = out.write(Buffer.from('ab'));
 * const second = out.write(Buffer.from('cd'));
 * const segment = out.take(1000, 65_534n); // { offset: 0n, data: <abcd>, parts: [[first, 2], [second, 2]] }
 * out.settle(segment!, false);             // rejected: the next take() returns this same segment
 * ```
 */
export interface DataSegment {
  readonly offset: bigint;
  readonly data: Buffer;
  /** Which writes the bytes came from, in order. */
  readonly parts: ReadonlyArray<readonly [DataWrite, number]>;
}

/**
 * The default the peer's StreamMaxData is assumed to be until it says (what ilp-protocol-stream assumes too).
 *
 * @example
 * ```ts
 * new OutgoingData().remoteMaxOffset; // 16_384n until the peer's StreamMaxData says more
 * ```
 */
export const DEFAULT_REMOTE_STREAM_WINDOW = 16_384n;

/**
 * A stream's outgoing bytes.
 *
 * @example
 * ```ts
 * const out = new OutgoingData();
 * out.write(Buffer.alloc(20_000));
 * out.take(32_000, 65_534n)?.data.length; // 16_384: the peer's assumed stream window
 * out.unreportedBlock();                   // 16_384n: the other 3,616 bytes wait on the peer
 * out.applyRemoteMax(40_000n);             // its StreamMaxData arrived
 * out.hasSendable(65_534n);                // true
 * ```
 */
export class OutgoingData {
  private writes: DataWrite[] = [];
  private retransmits: DataSegment[] = [];
  private next = 0n;
  private queued = 0;
  private inFlight = 0;
  private remoteMax = DEFAULT_REMOTE_STREAM_WINDOW;
  private reportedBlockedAt: bigint | undefined;

  /** The offset the next new byte gets: bytes sent at least once. */
  get nextOffset(): bigint {
    return this.next;
  }

  /** The offset the next segment starts at: a re-send's, else the next new byte's. */
  get nextSegmentOffset(): bigint {
    return this.retransmits[0]?.offset ?? this.next;
  }

  /** The peer's limit: the largest offset it accepts (StreamMaxData). */
  get remoteMaxOffset(): bigint {
    return this.remoteMax;
  }

  /** Bytes written and not yet sent (new or to be re-sent). */
  get pendingBytes(): number {
    let bytes = this.queued;
    for (const segment of this.retransmits) bytes += segment.data.length;
    return bytes;
  }

  /** Nothing left to send or to be acknowledged. */
  get idle(): boolean {
    return this.queued === 0 && this.retransmits.length === 0 && this.inFlight === 0;
  }

  /**
   * True if new bytes wait on the peer's limits: this stream's StreamMaxData, or (when
   * `connectionFull`) the connection's. Re-sends wait on nothing but room in a packet.
   */
  waitsOnPeer(connectionFull: boolean): boolean {
    if (this.queued === 0 || this.retransmits.length > 0) return false;
    return this.next >= this.remoteMax || connectionFull;
  }

  /** True if there is something that could go into a packet now (given connection room). */
  hasSendable(connectionRoom: bigint): boolean {
    if (this.retransmits.length > 0) return true;
    return this.queued > 0 && this.remoteMax > this.next && connectionRoom > 0n;
  }

  /**
   * Queues bytes. The listener hears progress after each packet that carried some of them, and
   * `done` once all were acknowledged.
   */
  write(data: Buffer, listener?: WriteListener): DataWrite {
    const write = new DataWrite(data, listener);
    this.writes.push(write);
    this.queued += data.length;
    return write;
  }

  /** Withdraws the bytes of `write` that were not sent yet; the rest still goes out. */
  withdraw(write: DataWrite): void {
    const unsent = write.length - write.taken;
    if (unsent === 0) return;
    this.queued -= unsent;
    write.length = write.taken;
    write.data = EMPTY;
    this.writes = this.writes.filter((w) => w !== write);
  }

  /** Drops everything not yet sent (the stream closed). */
  withdrawAll(): void {
    for (const write of [...this.writes]) this.withdraw(write);
    this.retransmits = [];
  }

  /** Applies the peer's StreamMaxData; limits only grow, since frames may be reordered (29-4.4.4-c). */
  applyRemoteMax(maxOffset: bigint): void {
    if (maxOffset > this.remoteMax) this.remoteMax = maxOffset;
  }

  /**
   * The next segment of at most `maxBytes` bytes, with at most `connectionRoom` new bytes (the
   * peer's connection limit). A segment to re-send comes first, whole or not at all.
   */
  take(maxBytes: number, connectionRoom: bigint): DataSegment | undefined {
    const retransmit = this.retransmits[0];
    if (retransmit) {
      if (retransmit.data.length > maxBytes) return undefined;
      this.retransmits.shift();
      this.inFlight += 1;
      return retransmit;
    }
    let room = BigInt(maxBytes);
    if (this.remoteMax - this.next < room) room = this.remoteMax - this.next;
    if (connectionRoom < room) room = connectionRoom;
    if (room <= 0n || this.queued === 0) return undefined;
    // No slivers while packets are in flight: their replies bring more room, and a packet of a
    // few bytes costs as much as a full one ("silly window syndrome").
    const wanted = Math.min(maxBytes, this.queued);
    if (this.inFlight > 0 && room < BigInt(wanted)) return undefined;
    let want = Number(room);
    const pieces: Buffer[] = [];
    const parts: Array<readonly [DataWrite, number]> = [];
    for (const write of this.writes) {
      if (want === 0) break;
      const available = write.length - write.taken;
      if (available === 0) continue;
      const bytes = Math.min(available, want);
      pieces.push(write.data.subarray(write.taken, write.taken + bytes));
      parts.push([write, bytes]);
      write.taken += bytes;
      want -= bytes;
    }
    // A copy: a re-send must repeat these exact bytes (29-5.3.11-c) even if the caller reuses its
    // buffer, and the caller's buffer can be let go once all of it is in packets.
    const data = Buffer.concat(pieces);
    const segment: DataSegment = { offset: this.next, data, parts };
    this.next += BigInt(data.length);
    this.queued -= data.length;
    this.inFlight += 1;
    // Fully sent writes leave the queue; their acknowledgements arrive through the segments.
    while (this.writes[0]?.fullyTaken) {
      const done = this.writes.shift() as DataWrite;
      done.data = EMPTY;
    }
    for (const [write] of parts) write.listener?.progress(write.progress);
    return segment;
  }

  /** The packet that carried `segment` settled: acknowledged if fulfilled, else queued to re-send. */
  settle(segment: DataSegment, fulfilled: boolean): void {
    this.inFlight -= 1;
    if (!fulfilled) {
      // Kept in offset order, so the peer's reassembly gets the earliest gap filled first.
      const at = this.retransmits.findIndex((s) => s.offset > segment.offset);
      if (at === -1) this.retransmits.push(segment);
      else this.retransmits.splice(at, 0, segment);
      return;
    }
    for (const [write, bytes] of segment.parts) {
      write.acknowledged += bytes;
      write.listener?.progress(write.progress);
      if (write.acknowledged === write.length && write.fullyTaken) write.listener?.done();
    }
  }

  /**
   * The StreamDataBlocked to tell the peer, once per limit, when new bytes wait on its limit
   * (29-4.4.4-e); undefined otherwise.
   */
  blockedAt(): bigint | undefined {
    const at = this.unreportedBlock();
    if (at !== undefined) this.reportedBlockedAt = at;
    return at;
  }

  /** What {@link blockedAt} would report, without counting it as reported. */
  unreportedBlock(): bigint | undefined {
    if (this.queued === 0 || this.next < this.remoteMax || this.reportedBlockedAt === this.remoteMax) return undefined;
    return this.remoteMax;
  }
}
