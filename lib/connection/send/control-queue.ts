/**
 * Control frames owed to the peer (limits, blocked notices, stream closes): they ride on whichever
 * packet or reply goes out next, and the ones that must arrive are queued again when the packet
 * carrying them is rejected, because a Reject NACKs every frame in it (29-3.6-a).
 *
 * @example
 * ```ts
 * const control = new ControlQueue(registry);
 * control.push({ type: FrameType.ConnectionMaxData, maxOffset: 131_068n });
 * const frames = control.take(); // into the next packet
 * ```
 */
import { FrameType, type Frame } from '../../wire/types';
import type { StreamRegistry } from '../stream-registry';

/**
 * One connection's queue of control frames.
 *
 * @example
 * ```ts
 * const control = new ControlQueue(registry);
 * control.push(streamClose);
 * const sent = control.take();      // [ConnectionMaxStreamId (if the limit grew), streamClose]
 * control.requeueAfterReject(sent); // the packet was rejected: both go out again
 * ```
 */
export class ControlQueue {
  private frames: Frame[] = [];

  constructor(private readonly registry: Pick<StreamRegistry, 'maxStreamIdChanged' | 'localMaxStreamId'>) {}

  /** Queues a frame for the next packet or reply. */
  push(frame: Frame): void {
    this.frames.push(frame);
  }

  /** Hands every queued frame to whoever sends next, with our stream-id limit if it grew meanwhile. */
  take(): Frame[] {
    if (this.registry.maxStreamIdChanged) {
      this.registry.maxStreamIdChanged = false;
      this.frames.push({ type: FrameType.ConnectionMaxStreamId, maxStreamId: this.registry.localMaxStreamId });
    }
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  /** Frames taken for a packet that was not sent after all go back in front, in their order. */
  putBack(frames: Frame[]): void {
    this.frames = frames.concat(this.frames);
  }

  /**
   * The packet that carried `sent` was rejected, which NACKs every frame in it (29-3.6-a): its
   * stream closes and our stream-id limit go back in the queue for the next packet.
   */
  requeueAfterReject(sent: readonly Frame[]): void {
    this.frames.push(...sent.filter((f) => f.type === FrameType.StreamClose || f.type === FrameType.ConnectionMaxStreamId));
  }
}
