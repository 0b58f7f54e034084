/**
 * Exact encoded sizes of packets and frames, computed without encoding. The sender uses them to
 * fill a packet up to `MAX_PLAINTEXT_SIZE` (32,739 bytes): start from the size of the packet with
 * no frames and add frames with {@link sizeWithFrame} while the result still fits.
 *
 * Every function validates what it measures and throws the same {@link StreamEncodeError} that
 * `encodePacket` would, so a packet that measures also encodes.
 *
 * @example
 * ```ts
 * let size = encodedPacketSize({ sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] });
 * const frames: Frame[] = [];
 * for (const frame of candidates) {
 *   const next = sizeWithFrame(size, frames.length, frame);
 *   if (next > MAX_PLAINTEXT_SIZE) break;
 *   frames.push(frame);
 *   size = next;
 * }
 * ```
 */
import { describeValue, fail, LONE_FRAME, PACKET_FIELD, u64FieldSize } from './field-checks';
import { frameContentSize } from './frame-size';
import { countVarUIntSize, lengthPrefixSize, varOctetStringSize, varUIntSize } from './oer-sizes';
import { IlpPacketType, type Frame, type StreamPacket } from './types';

/**
 * Encoded size of one frame: type byte, length prefix and contents.
 *
 * @throws {@link StreamEncodeError} naming `frame.<field>` if the frame would not encode.
 *
 * @example
 * ```ts
 * encodedFrameSize({ type: FrameType.StreamMoney, streamId: 123n, shares: 0n }); // 6
 * ```
 */
export function encodedFrameSize(frame: Frame): number {
  const contentSize = frameContentSize(frame, LONE_FRAME);
  return 1 + lengthPrefixSize(contentSize) + contentSize;
}

/**
 * Encoded size of a whole packet; always `encodePacket(packet).length`.
 *
 * @throws {@link StreamEncodeError} exactly as `encodePacket` would.
 *
 * @example
 * ```ts
 * encodedPacketSize({ sequence: 0n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] }); // 8
 * ```
 */
export function encodedPacketSize(packet: StreamPacket): number {
  return measurePacket(packet, undefined);
}

/**
 * The size of a packet of `currentPacketSize` bytes holding `currentFrameCount` frames after
 * `frame` is appended. Besides the frame itself, this accounts for the frame-count VarUInt
 * growing a byte at 256 (and 65,536) frames.
 *
 * @param currentPacketSize - The packet's encoded size now, e.g. from {@link encodedPacketSize}.
 * @param currentFrameCount - How many frames it holds now.
 * @param frame - The frame to append.
 * @returns The encoded size with `frame` appended.
 * @throws {@link StreamEncodeError} for a negative or fractional size or count, or an invalid frame.
 *
 * @example
 * ```ts
 * sizeWithFrame(8, 0, { type: FrameType.StreamMoney, streamId: 123n, shares: 0n }); // 14
 * ```
 */
export function sizeWithFrame(currentPacketSize: number, currentFrameCount: number, frame: Frame): number {
  checkCount(currentPacketSize, 'currentPacketSize');
  checkCount(currentFrameCount, 'currentFrameCount');
  const countGrowth = countVarUIntSize(currentFrameCount + 1) - countVarUIntSize(currentFrameCount);
  return currentPacketSize + countGrowth + encodedFrameSize(frame);
}

/**
 * Validates a packet and returns its encoded size. When `contentSizes` is given, the content size
 * of frame i is stored at index i so the encoder does not measure twice.
 *
 * @example
 * ```ts
 * const sizes: number[] = [];
 * measurePacket(packet, sizes);
 * ```
 */
export function measurePacket(packet: StreamPacket, contentSizes: number[] | undefined): number {
  if (typeof packet !== 'object' || packet === null) {
    fail('WRONG_TYPE', PACKET_FIELD, 'packet', `must be an object, got ${describeValue(packet)}`);
  }
  const type: unknown = packet.ilpPacketType;
  if (type !== IlpPacketType.Prepare && type !== IlpPacketType.Fulfill && type !== IlpPacketType.Reject) {
    fail('INVALID_PACKET_TYPE', PACKET_FIELD, 'ilpPacketType', `must be 12, 13 or 14, got ${describeValue(type)}`);
  }
  const headerSize =
    2 + u64FieldSize(packet.sequence, PACKET_FIELD, 'sequence') + u64FieldSize(packet.prepareAmount, PACKET_FIELD, 'prepareAmount');
  const frames: unknown = packet.frames;
  if (!Array.isArray(frames)) fail('WRONG_TYPE', PACKET_FIELD, 'frames', `must be an array, got ${describeValue(frames)}`);
  let size = headerSize + countVarUIntSize(frames.length);
  for (let index = 0; index < frames.length; index++) {
    const contentSize = frameContentSize(frames[index] as Frame, index);
    if (contentSizes !== undefined) contentSizes[index] = contentSize;
    size += 1 + lengthPrefixSize(contentSize) + contentSize;
  }
  return size;
}

function checkCount(value: unknown, name: string): void {
  if (typeof value !== 'number') fail('WRONG_TYPE', PACKET_FIELD, name, `must be a number, got ${describeValue(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) fail('OUT_OF_RANGE', PACKET_FIELD, name, `must be a non-negative integer, got ${value}`);
}

/**
 * Encoded size of a StreamData frame carrying `length` bytes, without building the frame.
 *
 * @example
 * ```ts
 * streamDataFrameSize(1n, 0n, 6); // 13: type, length prefix, id, offset, and 1 + 6 bytes of data
 * ```
 */
export function streamDataFrameSize(streamId: bigint, offset: bigint, length: number): number {
  const content = varUIntSize(streamId) + varUIntSize(offset) + varOctetStringSize(length);
  return 1 + lengthPrefixSize(content) + content;
}

/**
 * The most bytes a StreamData frame at (`streamId`, `offset`) can carry within `room` encoded
 * bytes; 0 if not even an empty frame fits. Length prefixes grow with the length, so the answer
 * is found from an estimate stepped down a few bytes at most.
 *
 * @example
 * ```ts
 * maxStreamDataLength(1n, 0n, 32_000); // 31,989
 * ```
 */
export function maxStreamDataLength(streamId: bigint, offset: bigint, room: number): number {
  const empty = streamDataFrameSize(streamId, offset, 0);
  if (room <= empty) return 0;
  let length = room - empty;
  while (length > 0 && streamDataFrameSize(streamId, offset, length) > room) length -= 1;
  return length;
}
