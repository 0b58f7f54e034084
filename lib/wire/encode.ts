/**
 * STREAM packet encoder (RFC 29 §5.2): canonical OER with minimal VarUInts and canonical length
 * prefixes. One pass validates every field and measures the packet, then the output Buffer is
 * allocated once at its exact size and filled in a second pass.
 *
 * @example
 * ```ts
 * const plaintext = encodePacket({
 *   sequence: 1n,
 *   ilpPacketType: IlpPacketType.Prepare,
 *   prepareAmount: 990n,
 *   frames: [{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }],
 * });
 * ```
 */
import { StreamEncodeError } from './errors';
import { writeFrame } from './frame-writer';
import { OerWriter } from './oer-writer';
import { measurePacket } from './sizes';
import type { Frame, StreamPacket } from './types';

const STREAM_VERSION = 1;

/**
 * Frame content sizes from the measuring pass, reused across calls so that encoding allocates only
 * its output. Encoding is synchronous; the busy flag covers the one way to re-enter it (a getter on
 * the packet that itself encodes), which then gets a fresh array.
 */
const sharedContentSizes: number[] = [];
let sharedContentSizesBusy = false;

/**
 * Encodes a STREAM packet to its plaintext bytes. Throws {@link StreamEncodeError} naming the
 * first invalid field (`sequence`, `frames[2].streamId`, ...); for plain-data packets it throws
 * nothing else.
 *
 * The returned Buffer may come from Node's shared allocation pool (`Buffer.allocUnsafe`); every
 * byte of it is written.
 *
 * @param packet - The packet; u64 fields as bigint, `data`/`receipt` as Buffer or Uint8Array.
 * @returns The canonical plaintext, exactly `encodedPacketSize(packet)` bytes.
 * @throws {@link StreamEncodeError} with the path of the first invalid field.
 *
 * @example
 * ```ts
 * encodePacket({ sequence: 0n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] });
 * // <Buffer 01 0c 01 00 01 00 01 00>
 * ```
 */
export function encodePacket(packet: StreamPacket): Buffer {
  const ownsShared = !sharedContentSizesBusy;
  const contentSizes = ownsShared ? sharedContentSizes : [];
  sharedContentSizesBusy = true;
  try {
    const size = measurePacket(packet, contentSizes);
    return writePacket(packet, contentSizes, size);
  } finally {
    if (ownsShared) sharedContentSizesBusy = false;
  }
}

function writePacket(packet: StreamPacket, contentSizes: readonly number[], size: number): Buffer {
  const writer = new OerWriter(Buffer.allocUnsafe(size));
  try {
    writer.writeUInt8(STREAM_VERSION);
    writer.writeUInt8(packet.ilpPacketType);
    writer.writeVarUInt(packet.sequence);
    writer.writeVarUInt(packet.prepareAmount);
    const frames = packet.frames;
    writer.writeCount(frames.length);
    for (let index = 0; index < frames.length; index++) {
      writeFrame(writer, frames[index] as Frame, contentSizes[index] as number);
    }
  } catch (error) {
    // Only a packet whose values changed since measuring can overrun the exact-size Buffer.
    throw new StreamEncodeError('INCONSISTENT_PACKET', 'packet', `changed while being encoded (${String(error)})`);
  }
  if (writer.position !== size) {
    // Never hand out a Buffer from the pool with bytes left unwritten.
    throw new StreamEncodeError('INCONSISTENT_PACKET', 'packet', `changed while being encoded: measured ${size} bytes, wrote ${writer.position}`);
  }
  return writer.bytes;
}
