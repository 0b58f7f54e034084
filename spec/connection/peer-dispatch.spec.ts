import { ConnectionClosing } from '../../lib/connection/connection-closing';
import { ConnectionSubjects } from '../../lib/connection/connection-subjects';
import { DataWindows } from '../../lib/connection/data-windows';
import { type DispatchTarget, applyDecision, applyReplyFrames } from '../../lib/connection/peer-dispatch';
import type { ReceiveDecision } from '../../lib/connection/receiver';
import { RemotePeer } from '../../lib/connection/remote-peer';
import { StreamRegistry } from '../../lib/connection/stream-registry';
import type { ConnectionTotals } from '../../lib/connection/types';
import { ConnectionError } from '../../lib/errors';
import type { StreamHost } from '../../lib/stream/stream';
import { ErrorCode, FrameType } from '../../lib/wire/types';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };

function setup() {
  const subjects = new ConnectionSubjects('open');
  const registry = new StreamRegistry(true, host);
  const calls: string[] = [];
  const totals: Array<Partial<ConnectionTotals>> = [];
  const sender = {
    packetsInFlight: 0,
    stop: () => calls.push('stop'),
    wake: () => calls.push('wake'),
    sendFinalClose: (code: ErrorCode, message: string) => calls.push(`final close ${code} ${message}`),
  };
  const idle = { stop: () => undefined, touch: () => calls.push('touch') };
  const closing = new ConnectionClosing({ subjects, registry, idle, sender });
  const data = new DataWindows(1_048_576);
  const remote = new RemotePeer(undefined);
  const target: DispatchTarget = { registry, data, closing, remote, idle, sender, addToTotals: (delta) => totals.push(delta) };
  return { subjects, registry, calls, totals, closing, data, remote, target };
}

const decision = (change: Partial<ReceiveDecision>): ReceiveDecision => ({ fulfill: true, frames: [], credits: [], dataStreams: [], closedStreams: [], ...change });

describe('applyDecision', () => {
  it('credits each stream, adds the sum to the totals once, counts it as progress and wakes the sender', () => {
    const { registry, calls, totals, target } = setup();
    const a = registry.openRemote(1n);
    const b = registry.openRemote(3n);
    applyDecision(target, decision({ credits: [[a, 60n], [b, 40n]] }));
    expect([a.totals.received, b.totals.received]).toEqual([60n, 40n]);
    expect(totals).toEqual([{ received: 100n }]);
    expect(calls).toEqual(['touch', 'wake']);
  });

  it('a ping (fulfilled, no money, no data) is not progress; a rejected packet credits nothing', () => {
    const { registry, calls, totals, target } = setup();
    applyDecision(target, decision({}));
    const stream = registry.openRemote(1n);
    applyDecision(target, decision({ fulfill: false, credits: [[stream, 10n]] }));
    expect(calls).toEqual(['wake', 'wake']);
    expect(totals).toEqual([]);
    expect(stream.totals.received).toBe(0n);
  });

  it('closes the streams the peer closed and, with a close decision, the connection instead of waking', () => {
    const { registry, calls, subjects, target } = setup();
    const stream = registry.openRemote(1n);
    applyDecision(target, decision({ closedStreams: [[stream, ErrorCode.NoError, '']], close: { code: ErrorCode.NoError, message: '', byRemote: true } }));
    expect(stream.state).toBe('closed');
    expect(subjects.state).toBe('closed');
    expect(calls).not.toContain('wake');
  });

  it('hands accepted bytes to the readers after crediting', () => {
    const { registry, target } = setup();
    const stream = registry.openRemote(1n);
    const chunks: string[] = [];
    stream.data$.subscribe((chunk) => chunks.push(chunk.toString()));
    stream.acceptData(0n, Buffer.from('hi'));
    applyDecision(target, decision({ dataStreams: [stream] }));
    expect(chunks).toEqual(['hi']);
  });
});

describe('applyReplyFrames', () => {
  it('applies limits: stream money, stream ids, stream data, connection data', () => {
    const { registry, data, target } = setup();
    const stream = registry.openLocal();
    applyReplyFrames(target, [
      { type: FrameType.StreamMaxMoney, streamId: stream.id, receiveMax: 500n, totalReceived: 20n },
      { type: FrameType.ConnectionMaxStreamId, maxStreamId: 40n },
      { type: FrameType.StreamMaxData, streamId: stream.id, maxOffset: 99_999n },
      { type: FrameType.ConnectionMaxData, maxOffset: 200_000n },
      { type: FrameType.StreamMaxMoney, streamId: 99n, receiveMax: 1n, totalReceived: 0n },
    ]);
    expect([stream.remoteReceiveMax, stream.remoteTotalReceived]).toEqual([500n, 20n]);
    expect(registry.remoteMaxStreamId).toBe(40n);
    expect(stream.outgoing.remoteMaxOffset).toBe(99_999n);
    expect(data.remoteLimitValue).toBe(200_000n);
  });

  it('asset details may be told once; a change closes the connection with ASSET_MISMATCH and stops there', () => {
    const { remote, calls, closing, registry, target } = setup();
    const stream = registry.openLocal();
    applyReplyFrames(target, [{ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'USD', sourceAssetScale: 2 }]);
    expect(remote.asset).toEqual({ code: 'USD', scale: 2 });
    applyReplyFrames(target, [
      { type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'EUR', sourceAssetScale: 2 },
      { type: FrameType.StreamClose, streamId: stream.id, errorCode: ErrorCode.NoError, errorMessage: '' },
    ]);
    expect(calls).toContain(`final close ${ErrorCode.ProtocolViolation} asset details changed during the connection`);
    expect((closing.error as ConnectionError).code).toBe('ASSET_MISMATCH');
    expect(remote.asset).toEqual({ code: 'USD', scale: 2 });
  });

  it('StreamClose closes that stream; ConnectionClose closes the connection and ends the frames', () => {
    const { registry, subjects, closing, target } = setup();
    const a = registry.openLocal();
    const b = registry.openLocal();
    applyReplyFrames(target, [
      { type: FrameType.StreamClose, streamId: a.id, errorCode: ErrorCode.NoError, errorMessage: '' },
      { type: FrameType.ConnectionClose, errorCode: ErrorCode.NoError, errorMessage: '' },
      { type: FrameType.ConnectionMaxStreamId, maxStreamId: 80n },
    ]);
    expect(a.state).toBe('closed');
    expect(b.state).toBe('closed');
    expect(subjects.state).toBe('closed');
    expect(closing.error).toBeUndefined();
    expect(registry.remoteMaxStreamId).toBe(20n);
  });
});
