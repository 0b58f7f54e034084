import { DataWindows } from '../../lib/connection/data-windows';
import { windowUpdateFrames } from '../../lib/connection/window-updates';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';
import { FrameType, MAX_PLAINTEXT_SIZE } from '../../lib/wire/types';

const WINDOW = 262_144;
const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: WINDOW, dataConsumed: () => undefined };

describe('windowUpdateFrames (29-4.4.4-a)', () => {
  it('sends nothing while the peer still has room for a full packet', () => {
    const stream = new DataAndMoneyStream(1n, host);
    const windows = new DataWindows(1_048_576);
    stream.acceptData(0n, Buffer.alloc(1000));
    expect(windowUpdateFrames(stream, windows)).toEqual([]);
    expect(stream.advertisedMaxData).toBe(BigInt(WINDOW));
  });

  it('a nearly blocked stream gets its new StreamMaxData, with the ConnectionMaxData', () => {
    const stream = new DataAndMoneyStream(1n, host);
    const windows = new DataWindows(1_048_576);
    const bytes = WINDOW - MAX_PLAINTEXT_SIZE + 1;
    stream.acceptData(0n, Buffer.alloc(bytes));
    stream.incoming.read();
    windows.addConsumed(bytes);
    const frames = windowUpdateFrames(stream, windows);
    expect(frames).toEqual([
      { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: BigInt(WINDOW + bytes) },
      { type: FrameType.ConnectionMaxData, maxOffset: BigInt(1_048_576 + bytes) },
    ]);
    expect(stream.advertisedMaxData).toBe(BigInt(WINDOW + bytes));
  });

  it('a nearly blocked connection gets its ConnectionMaxData alone', () => {
    const stream = new DataAndMoneyStream(1n, host);
    const windows = new DataWindows(100_000);
    windows.addReceived(90_000n);
    windows.addConsumed(90_000);
    expect(windowUpdateFrames(stream, windows)).toEqual([{ type: FrameType.ConnectionMaxData, maxOffset: 190_000n }]);
    // Heard now: the peer has room again.
    expect(windowUpdateFrames(stream, windows)).toEqual([]);
  });

  it('a closed stream needs no StreamMaxData', async () => {
    const stream = new DataAndMoneyStream(1n, host);
    const windows = new DataWindows(1_048_576);
    stream.acceptData(0n, Buffer.alloc(WINDOW));
    await stream.destroy();
    expect(windowUpdateFrames(stream, windows)).toEqual([]);
  });
});
