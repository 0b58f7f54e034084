/** The peer's stream-id limit bounds the streams we open, and it hears once per limit that we wait (29-4.4.4-e). */
import { SendableStreams } from '../../../lib/connection/send/sendable-streams';
import type { DataAndMoneyStream } from '../../../lib/stream/stream';
import { FrameType, type Frame } from '../../../lib/wire/types';

const stream = (id: bigint, pendingMoney = 0n) => ({ id, pendingMoney }) as unknown as DataAndMoneyStream;

function setup(ids: bigint[], remoteMaxStreamId: bigint) {
  const streams = new Map(ids.map((id) => [id, stream(id, id === 5n ? 10n : 0n)]));
  // A client: odd ids are ours, even ids the peer's.
  const registry = { streams, remoteMaxStreamId, sorted: () => [...streams.values()], isPeerStream: (id: bigint) => id % 2n === 0n };
  const queued: Frame[] = [];
  return { registry, queued, sendable: new SendableStreams(registry, { push: (frame) => queued.push(frame) }) };
}

describe('SendableStreams', () => {
  it('keeps our streams over the limit back, never the peer’s, and reports the limit once', () => {
    const { sendable, queued, registry } = setup([1n, 2n, 3n, 5n, 8n], 3n);
    expect(sendable.list().map((s) => s.id)).toEqual([1n, 2n, 3n, 8n]);
    expect(sendable.list().map((s) => s.id)).toEqual([1n, 2n, 3n, 8n]);
    expect(queued).toEqual([{ type: FrameType.ConnectionStreamIdBlocked, maxStreamId: 3n }]);
    registry.remoteMaxStreamId = 4n; // a higher limit that still blocks stream 5: reported again
    sendable.list();
    expect(queued).toHaveLength(2);
    registry.remoteMaxStreamId = 5n;
    expect(sendable.list()).toHaveLength(5);
    expect(queued).toHaveLength(2);
  });

  it('sees money queued on any stream, sendable or not', () => {
    expect(setup([1n, 5n], 3n).sendable.hasMoneyToSend()).toBe(true);
    expect(setup([1n, 3n], 3n).sendable.hasMoneyToSend()).toBe(false);
  });
});
