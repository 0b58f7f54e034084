/** Control frames owed to the peer, and which of them a Reject puts back (29-3.6-a). */
import { ControlQueue } from '../../../lib/connection/send/control-queue';
import { ErrorCode, FrameType, type Frame } from '../../../lib/wire/types';

const close: Frame = { type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.NoError, errorMessage: '' };
const maxData: Frame = { type: FrameType.ConnectionMaxData, maxOffset: 100n };
const blocked: Frame = { type: FrameType.ConnectionDataBlocked, maxOffset: 50n };

describe('ControlQueue', () => {
  it('hands out every queued frame once, in order', () => {
    const queue = new ControlQueue({ maxStreamIdChanged: false, localMaxStreamId: 20n });
    queue.push(maxData);
    queue.push(close);
    expect(queue.take()).toEqual([maxData, close]);
    expect(queue.take()).toEqual([]);
  });

  it('adds our stream-id limit once after it grew', () => {
    const registry = { maxStreamIdChanged: true, localMaxStreamId: 22n };
    const queue = new ControlQueue(registry);
    queue.push(maxData);
    expect(queue.take()).toEqual([maxData, { type: FrameType.ConnectionMaxStreamId, maxStreamId: 22n }]);
    expect(registry.maxStreamIdChanged).toBe(false);
    expect(queue.take()).toEqual([]);
  });

  it('puts unsent frames back in front of frames queued meanwhile', () => {
    const queue = new ControlQueue({ maxStreamIdChanged: false, localMaxStreamId: 20n });
    queue.push(maxData);
    const taken = queue.take();
    queue.push(blocked);
    queue.putBack(taken);
    expect(queue.take()).toEqual([maxData, blocked]);
  });

  it('after a Reject, queues the stream closes and the stream-id limit again, not the rest', () => {
    const queue = new ControlQueue({ maxStreamIdChanged: false, localMaxStreamId: 20n });
    const limit: Frame = { type: FrameType.ConnectionMaxStreamId, maxStreamId: 20n };
    queue.requeueAfterReject([maxData, close, blocked, limit]);
    expect(queue.take()).toEqual([close, limit]);
  });
});
