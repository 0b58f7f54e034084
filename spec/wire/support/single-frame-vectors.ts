/**
 * The vectors with exactly one frame, split into the frame's own bytes. All of them share the
 * 8-byte prefix `01 0c 01 00 01 00 01 01` (version, Prepare, sequence 0, amount 0, one frame).
 */
import type { Frame } from '../../../lib/wire/types';
import { VECTORS } from './fixtures';

export const SINGLE_FRAME_PREFIX = '010c010001000101';

export interface FrameVector {
  name: string;
  frame: Frame;
  /** type byte, length prefix and contents, as in the vector */
  frameBytes: Buffer;
  decodeOnly: boolean;
}

export const FRAME_VECTORS: FrameVector[] = VECTORS.filter((v) => v.packet.frames.length === 1).map((v) => {
  if (v.bytes.subarray(0, 8).toString('hex') !== SINGLE_FRAME_PREFIX) throw new Error(`${v.name} has an unexpected header`);
  return { name: v.name, frame: v.packet.frames[0] as Frame, frameBytes: v.bytes.subarray(8), decodeOnly: v.decodeOnly };
});
