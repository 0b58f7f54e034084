/**
 * The sending half's packet assembly: decide what the next Prepare carries — money from the
 * streams (first come, first served by stream id), within the packet budget and the peer's
 * receive limits converted at the path rate; the control frames that are owed; then bytes from
 * the streams (re-sends first), within the peer's data limits, up to the 32,739-byte plaintext
 * limit measured exactly with the codec's size functions. Synchronous and free of I/O.
 *
 * @example
 * ```ts
 * const next = buildPacket({ streams: registry.sorted(), budget: 1000n, rate, controlFrames: [], dataRoom: windows.sendRoom });
 * if (next) send(next);
 * ```
 */
import { encodedPacketSize, maxStreamDataLength, sizeWithFrame } from '../wire';
import { FrameType, IlpPacketType, MAX_PLAINTEXT_SIZE, MAX_U64, type Frame } from '../wire/types';
import type { DataAndMoneyStream } from '../stream/stream';
import type { Allocation } from '../stream/send-orders';
import type { DataSegment } from '../stream/outgoing-data';
import { type Ratio, multiplyFloor } from './ratio';

/**
 * Money one stream placed in a packet.
 *
 * @example
 * ```ts
 * // stream 1 has 300 queued, stream 3 has 5,000:
 * const plan = buildPacket({ streams: [one, three], budget: 1000n, rate, controlFrames: [], dataRoom: 0n });
 * plan?.allocations.map(({ stream, allocation }) => [stream.id, allocation.amount]); // [[1n, 300n], [3n, 700n]]
 * // a rejected packet hands each stream its money back:
 * for (const { stream, allocation } of plan?.allocations ?? []) stream.settleMoney(allocation, false, 0n);
 * ```
 */
export interface StreamAllocation {
  readonly stream: DataAndMoneyStream;
  readonly allocation: Allocation;
}

/**
 * Bytes one stream placed in a packet.
 *
 * @example
 * ```ts
 * stream.sendData('hello').subscribe();
 * const plan = buildPacket({ streams: [stream], budget: 1000n, rate, controlFrames: [], dataRoom: 65_534n });
 * const { segment } = plan!.segments[0]!; // { offset: 0n, data: <hello>, parts }
 * stream.settleData(segment, false);     // rejected: sent again at offset 0
 * ```
 */
export interface StreamSegment {
  readonly stream: DataAndMoneyStream;
  readonly segment: DataSegment;
}

/**
 * The contents of one outgoing Prepare, before sequencing and encryption.
 *
 * @example
 * ```ts
 * // stream 1 has 5,000 queued and 'hello' written; its receive max was already advertised:
 * const plan = buildPacket({ streams: [stream], budget: 1000n, rate, controlFrames: [], dataRoom: 65_534n });
 * // { amount: 1000n,
 * //   frames: [StreamMoney { streamId: 1n, shares: 1000n }, StreamData { streamId: 1n, offset: 0n, data: <hello> }],
 * //   allocations: [{ stream, allocation }], segments: [{ stream, segment }], newBytes: 5n }
 * ```
 */
export interface PacketPlan {
  readonly amount: bigint;
  readonly frames: Frame[];
  readonly allocations: StreamAllocation[];
  readonly segments: StreamSegment[];
  /** Bytes sent for the first time (they count against the peer's ConnectionMaxData). */
  readonly newBytes: bigint;
}

/**
 * Inputs of {@link buildPacket}.
 *
 * @example
 * ```ts
 * // What the sender passes when a slot in the congestion window frees:
 * const inputs: PacketInputs = {
 *   streams: registry.sorted(),
 *   budget: maxPacket.budget,
 *   rate: { numerator: 1n, denominator: 2n },
 *   controlFrames: sender.takeControlFrames(),
 *   dataRoom: windows.sendRoom,
 * };
 * const plan = buildPacket(inputs);
 * ```
 */
export interface PacketInputs {
  /** Open streams, ascending id. */
  readonly streams: readonly DataAndMoneyStream[];
  /** The most source units this packet may carry (max packet amount, congestion). */
  readonly budget: bigint;
  /** Path exchange rate (destination per source unit), if known. */
  readonly rate: Ratio | undefined;
  /** Control frames owed to the peer (closes, limits, handshake). */
  readonly controlFrames: Frame[];
  /** New bytes the peer's ConnectionMaxData still admits. */
  readonly dataRoom: bigint;
}

/** Sequence and amount at their widest, so a packet measured now still fits once numbered. */
const WIDEST_HEADER = { sequence: MAX_U64, ilpPacketType: IlpPacketType.Prepare, prepareAmount: MAX_U64 } as const;

/**
 * Plans the next packet; undefined when there is nothing to send.
 *
 * @example
 * ```ts
 * buildPacket({ streams, budget: 1000n, rate: { numerator: 1n, denominator: 2n }, controlFrames: [], dataRoom: 65_534n });
 * ```
 */
export function buildPacket(inputs: PacketInputs): PacketPlan | undefined {
  const frames: Frame[] = [...inputs.controlFrames];
  const allocations: StreamAllocation[] = [];
  const advertised: DataAndMoneyStream[] = [];
  let amount = 0n;

  for (const stream of inputs.streams) {
    if (!stream.receiveMaxAdvertised) {
      frames.push({ type: FrameType.StreamMaxMoney, streamId: stream.id, receiveMax: stream.receiveMax, totalReceived: stream.totals.received });
      advertised.push(stream);
    }
    if (stream.state === 'closed' || stream.pendingMoney === 0n) continue;
    const room = remoteRoomInSource(stream, inputs.rate);
    const cap = minimum(inputs.budget - amount, room);
    const allocation = cap > 0n ? stream.takeMoney(cap) : undefined;
    if (allocation) {
      frames.push({ type: FrameType.StreamMoney, streamId: stream.id, shares: allocation.amount });
      allocations.push({ stream, allocation });
      amount += allocation.amount;
    } else if (room === 0n) {
      frames.push({ type: FrameType.StreamMoneyBlocked, streamId: stream.id, sendMax: stream.totals.sent + stream.pendingMoney, totalSent: stream.totals.sent });
    }
  }

  const { segments, newBytes } = addData(inputs.streams, frames, inputs.dataRoom);

  const urgent = advertised.some((s) => s.receiveMaxRaiseUrgent);
  if (amount === 0n && allocations.length === 0 && segments.length === 0 && !urgent && !frames.some(isWorthAPacket)) return undefined;
  // Optimistic: if the packet is rejected, the sender marks these streams for re-advertising.
  for (const stream of advertised) {
    stream.receiveMaxAdvertised = true;
    stream.receiveMaxRaiseUrgent = false;
  }
  return { amount, frames, allocations, segments, newBytes };
}

/**
 * Fills the rest of the packet with bytes, stream by stream in id order: a segment to re-send
 * whole, else new bytes within the stream's and the connection's limits. A stream held back by
 * the peer's limit says so with StreamDataBlocked, once per limit.
 */
function addData(streams: readonly DataAndMoneyStream[], frames: Frame[], dataRoom: bigint): { segments: StreamSegment[]; newBytes: bigint } {
  const segments: StreamSegment[] = [];
  let newBytes = 0n;
  let size = -1;
  for (const stream of streams) {
    if (stream.state === 'closed') continue;
    while (stream.outgoing.hasSendable(dataRoom - newBytes)) {
      if (size < 0) size = encodedPacketSize({ ...WIDEST_HEADER, frames });
      // The frame count may grow a byte; the offset is the segment's own (a re-send's is lower).
      const room = MAX_PLAINTEXT_SIZE - size - 1;
      const maxBytes = maxStreamDataLength(stream.id, stream.outgoing.nextSegmentOffset, room);
      if (maxBytes === 0) break;
      const nextBefore = stream.outgoing.nextOffset;
      const segment = stream.takeData(maxBytes, dataRoom - newBytes);
      if (!segment) break;
      newBytes += stream.outgoing.nextOffset - nextBefore;
      const frame: Frame = { type: FrameType.StreamData, streamId: stream.id, offset: segment.offset, data: segment.data };
      size = sizeWithFrame(size, frames.length, frame);
      frames.push(frame);
      segments.push({ stream, segment });
    }
    // After taking: only bytes still held back by the peer's limit make the stream blocked.
    const blocked = stream.outgoing.unreportedBlock();
    if (blocked !== undefined) {
      const frame: Frame = { type: FrameType.StreamDataBlocked, streamId: stream.id, maxOffset: blocked };
      const grown = size >= 0 ? sizeWithFrame(size, frames.length, frame) : -1;
      // In a full packet it waits for the next one (or the blocked probe).
      if (grown <= MAX_PLAINTEXT_SIZE) {
        stream.outgoing.blockedAt();
        size = grown;
        frames.push(frame);
      }
    }
  }
  return { segments, newBytes };
}

/** Frames that justify a packet of their own; limit updates ride along with other packets. */
function isWorthAPacket(frame: Frame): boolean {
  return (
    frame.type !== FrameType.StreamMaxMoney &&
    frame.type !== FrameType.StreamMoneyBlocked &&
    frame.type !== FrameType.ConnectionStreamIdBlocked &&
    frame.type !== FrameType.ConnectionDataBlocked &&
    frame.type !== FrameType.StreamDataBlocked
  );
}

/** Source units the peer's StreamMaxMoney still admits on this stream, counting money in flight. */
function remoteRoomInSource(stream: DataAndMoneyStream, rate: Ratio | undefined): bigint | undefined {
  if (stream.remoteReceiveMax === undefined || rate === undefined || rate.numerator === 0n) return undefined;
  const inFlightDestination = multiplyFloor(stream.totals.inFlight, rate);
  const roomDestination = stream.remoteReceiveMax - stream.remoteTotalReceived - inFlightDestination;
  if (roomDestination <= 0n) return 0n;
  // The least s that delivers ceil(room / rate) worth, stepped back if it would overshoot the room:
  // with rate > 1 a last small packet then fills the room to the unit; with rate < 1 no source
  // unit is spent that delivers nothing.
  const exact = (roomDestination * rate.denominator + rate.numerator - 1n) / rate.numerator;
  return multiplyFloor(exact, rate) > roomDestination ? exact - 1n : exact;
}

function minimum(a: bigint, b: bigint | undefined): bigint {
  return b === undefined || a < b ? a : b;
}
