/**
 * The STREAM packets the codec and round-trip scenarios encode, in both implementations' models,
 * with a check that both codecs produce the same bytes (so the scenarios compare equal work).
 *
 * They mirror what a money payment puts on the wire: the sender's Prepare carries StreamMoney
 * plus the StreamMaxMoney that advertises its own receive limit; the receiver's Fulfill carries
 * StreamMaxMoney with its running total. The data packet is a full 16 KiB StreamData, the
 * reference's per-packet window on Node 20 (perf-anchor.md, "Data path").
 *
 * @example
 * ```ts
 * const { ours, ref } = codecPackets().money;
 * decodePacket(encodePacket(ours));
 * RefPacket._deserializeUnencrypted(ref._serialize());
 * ```
 */
import * as refPacket from 'ilp-protocol-stream/dist/src/packet';
import { encodePacket } from '../../lib/wire';
import { FrameType, IlpPacketType, MAX_U64, type StreamPacket } from '../../lib/wire/types';

/** One packet in both models. */
export interface PacketPair {
  readonly ours: StreamPacket;
  readonly ref: refPacket.Packet;
  /** Encoded size in bytes (before encryption). */
  readonly bytes: number;
}

/**
 * The sender's money Prepare: StreamMoney + StreamMaxMoney.
 *
 * @example
 * ```ts
 * moneyPrepare(42n).frames.length; // 2
 * ```
 */
export function moneyPrepare(sequence: bigint): StreamPacket {
  return {
    sequence,
    ilpPacketType: IlpPacketType.Prepare,
    prepareAmount: 990n,
    frames: [
      { type: FrameType.StreamMoney, streamId: 1n, shares: 1_000n },
      { type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 0n },
    ],
  };
}

/**
 * The receiver's Fulfill reply to it: StreamMaxMoney with the running total.
 *
 * @example
 * ```ts
 * moneyFulfill(42n).ilpPacketType; // IlpPacketType.Fulfill
 * ```
 */
export function moneyFulfill(sequence: bigint): StreamPacket {
  return {
    sequence,
    ilpPacketType: IlpPacketType.Fulfill,
    prepareAmount: 1_000n,
    frames: [{ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 4_319_000n }],
  };
}

const dataPacket: StreamPacket = {
  sequence: 77n,
  ilpPacketType: IlpPacketType.Prepare,
  prepareAmount: 0n,
  frames: [
    { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1_310_720n },
    { type: FrameType.StreamData, streamId: 1n, offset: 1_048_576n, data: Buffer.alloc(16_384, 0x61) },
  ],
};

/**
 * The same packet as a reference `Packet` (its frames hold Long values built from strings).
 *
 * @example
 * ```ts
 * toReference(moneyPrepare(1n))._serialize();
 * ```
 */
export function toReference(packet: StreamPacket): refPacket.Packet {
  const frames = packet.frames.map((frame): refPacket.Frame => {
    switch (frame.type) {
      case FrameType.StreamMoney:
        return new refPacket.StreamMoneyFrame(frame.streamId.toString(), frame.shares.toString());
      case FrameType.StreamMaxMoney:
        return new refPacket.StreamMaxMoneyFrame(frame.streamId.toString(), frame.receiveMax.toString(), frame.totalReceived.toString());
      case FrameType.StreamData:
        return new refPacket.StreamDataFrame(frame.streamId.toString(), frame.offset.toString(), frame.data);
      case FrameType.StreamMaxData:
        return new refPacket.StreamMaxDataFrame(frame.streamId.toString(), frame.maxOffset.toString());
      default:
        throw new Error(`the benchmark packets do not use frame type ${frame.type}`);
    }
  });
  // Both enums use the ILP packet type numbers (12, 13, 14).
  return new refPacket.Packet(packet.sequence.toString(), packet.ilpPacketType as number, packet.prepareAmount.toString(), frames);
}

function pair(ours: StreamPacket): PacketPair {
  const ref = toReference(ours);
  const bytes = encodePacket(ours);
  if (!ref._serialize().equals(bytes)) throw new Error(`the codecs disagree on the bytes of packet ${ours.sequence}`);
  return { ours, ref, bytes: bytes.length };
}

/**
 * The codec scenario's packets, checked byte-for-byte against each other.
 *
 * @example
 * ```ts
 * codecPackets().data.bytes; // 16,4xx
 * ```
 */
export function codecPackets(): { money: PacketPair; data: PacketPair } {
  return { money: pair(moneyPrepare(4_321n)), data: pair(dataPacket) };
}
