/**
 * When a stream's consumer takes bytes, the receive windows move. The peer normally learns the new
 * limits from our replies while it sends; but a peer that is (nearly) blocked sends nothing to
 * reply to, so it must be told in a packet of its own (29-4.4.4-a). This decides whether it is
 * time, and with which frames.
 *
 * @example
 * ```ts
 * const frames = windowUpdateFrames(stream, windows);
 * for (const frame of frames) sender.queueFrame(frame);
 * if (frames.length > 0) sender.wake();
 * ```
 */
import { FrameType, MAX_PLAINTEXT_SIZE, type Frame } from '../wire/types';
import type { DataAndMoneyStream } from '../stream/stream';
import type { DataWindows } from './data-windows';

/**
 * The StreamMaxData and ConnectionMaxData frames a nearly blocked peer needs after the consumer
 * of `stream` took bytes; none while the peer has room for at least a full packet. The limits
 * returned count as heard by the peer.
 *
 * @example
 * ```ts
 * windowUpdateFrames(stream, windows);
 * // [] while the peer has room, else e.g.
 * // [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 294_912n }, { type: FrameType.ConnectionMaxData, maxOffset: 1_081_344n }]
 * ```
 */
export function windowUpdateFrames(stream: DataAndMoneyStream, windows: Pick<DataWindows, 'nearlyBlocked' | 'advertiseLimit'>): Frame[] {
  const packetRoom = BigInt(MAX_PLAINTEXT_SIZE);
  const streamBlocked = stream.state !== 'closed' && stream.advertisedMaxData - stream.incoming.highestOffset < packetRoom;
  const connectionBlocked = windows.nearlyBlocked(packetRoom);
  if (!streamBlocked && !connectionBlocked) return [];
  const frames: Frame[] = [];
  if (streamBlocked) {
    stream.advertisedMaxData = stream.incoming.maxOffset;
    frames.push({ type: FrameType.StreamMaxData, streamId: stream.id, maxOffset: stream.advertisedMaxData });
  }
  frames.push({ type: FrameType.ConnectionMaxData, maxOffset: windows.advertiseLimit() });
  return frames;
}
