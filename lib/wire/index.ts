/**
 * The STREAM packet codec: the packet model, `encodePacket`/`decodePacket`, exact size functions
 * for filling packets, and the codec's typed errors. No I/O and no clock.
 *
 * @example
 * ```ts
 * import { decodePacket, encodePacket, FrameType, IlpPacketType } from './wire';
 * const bytes = encodePacket({ sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] });
 * decodePacket(bytes).sequence; // 1n
 * ```
 */
export * from './types';
export { encodePacket } from './encode';
export { decodePacket } from './decode';
export { encodedFrameSize, encodedPacketSize, maxStreamDataLength, sizeWithFrame, streamDataFrameSize } from './sizes';
export { isIlpAddress, MAX_ILP_ADDRESS_LENGTH } from './address';
export {
  StreamDecodeError,
  StreamEncodeError,
  isStreamDecodeError,
  isStreamEncodeError,
  STREAM_DECODE_ERROR_CODES,
  STREAM_ENCODE_ERROR_CODES,
  type StreamDecodeErrorCode,
  type StreamEncodeErrorCode,
} from './errors';
