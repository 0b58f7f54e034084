/**
 * STREAM packet decoder (RFC 29 §5.2) for untrusted plaintext. It throws only
 * {@link StreamDecodeError}, whatever the input, and never allocates from a count it read.
 *
 * Rules, with their checklist ids: version must be 1 (29-5.2-a); ilpPacketType 12, 13 or 14
 * (29-5.2-b); unknown frame types are skipped (29-5.3-b, E3); bytes after the declared frames are
 * ignored (29-5.2-h, E34); oversized `receiveMax`/`sendMax` saturate to 2^64-1 (29-5.1.4-b/c, E11)
 * while any other VarUInt wider than 8 bytes is an error (E10); zero-length VarUInts are errors and
 * leading zeros within 8 bytes are accepted (E12); non-canonical length prefixes are errors (E13);
 * strings decode as lossy UTF-8 (E37); error codes outside the enum are kept as numbers (E36).
 *
 * Decoded `StreamData.data` and `StreamReceipt.receipt` are views (`subarray`) of the input, not
 * copies: they change if the input is overwritten, and they keep the input's memory alive.
 * Copy them (`Buffer.from(view)`) before reusing the input buffer.
 *
 * @example
 * ```ts
 * const packet = decodePacket(Buffer.from('010c010001000100', 'hex'));
 * // { sequence: 0n, ilpPacketType: 12, prepareAmount: 0n, frames: [] }
 * ```
 */
import { StreamDecodeError } from './errors';
import { describeValue, isUint8Array } from './field-checks';
import { readFrame } from './frame-reader';
import { OerReader } from './oer-reader';
import { IlpPacketType, type Frame, type StreamPacket } from './types';

/**
 * Decodes STREAM plaintext into a packet. Throws only {@link StreamDecodeError}.
 *
 * @param bytes - Decrypted plaintext (a Buffer or any Uint8Array view).
 * @returns The packet; unknown frames are left out, `data`/`receipt` are views of `bytes`.
 * @throws {@link StreamDecodeError} with a `code` and the byte `offset` where decoding stopped.
 *
 * @example
 * ```ts
 * try {
 *   const packet = decodePacket(plaintext);
 * } catch (error) {
 *   if (isStreamDecodeError(error)) rejectWith('F06');
 * }
 * ```
 */
export function decodePacket(bytes: Uint8Array): StreamPacket {
  if (!isUint8Array(bytes)) {
    throw new StreamDecodeError('INVALID_INPUT', 0, `expected a Uint8Array, got ${describeValue(bytes)}`);
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new OerReader(buffer);
  try {
    return readPacket(reader);
  } catch (error) {
    if (error instanceof StreamDecodeError) throw error;
    throw new StreamDecodeError('INTERNAL', reader.position, `unexpected ${describeValue(error)}: ${String(error)}`, { cause: error });
  }
}

function readPacket(reader: OerReader): StreamPacket {
  const version = reader.readUInt8('version');
  if (version !== 1) throw new StreamDecodeError('UNSUPPORTED_VERSION', 0, `version is ${version}, expected 1`);
  const ilpPacketType = reader.readUInt8('ilpPacketType');
  if (ilpPacketType !== IlpPacketType.Prepare && ilpPacketType !== IlpPacketType.Fulfill && ilpPacketType !== IlpPacketType.Reject) {
    throw new StreamDecodeError('INVALID_PACKET_TYPE', 1, `ilpPacketType is ${ilpPacketType}, expected 12, 13 or 14`);
  }
  const sequence = reader.readVarUInt('sequence');
  const prepareAmount = reader.readVarUInt('prepareAmount');
  const frameCount = reader.readCount('frame count');
  // Grown one frame at a time: the count is attacker-controlled (E2), the bytes are not.
  const frames: Frame[] = [];
  for (let index = 0; index < frameCount; index++) {
    if (reader.position >= reader.limit) {
      throw new StreamDecodeError('MISSING_FRAMES', reader.position, `packet declares ${frameCount} frame(s) but ends after ${index}`);
    }
    const frame = readFrame(reader);
    if (frame !== undefined) frames.push(frame);
  }
  return { sequence, ilpPacketType, prepareAmount, frames };
}
