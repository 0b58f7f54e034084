import { FrameType, MAX_U64 } from '../../lib/wire/types';
import { buildPacket } from '../../lib/connection/packet-builder';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };
const half = { numerator: 1n, denominator: 2n };

function streamWithMoney(id: bigint, amount: bigint): DataAndMoneyStream {
  const stream = new DataAndMoneyStream(id, host);
  stream.receiveMaxAdvertised = true;
  stream.sendMoney(amount).subscribe({ error: () => undefined });
  return stream;
}

describe('buildPacket', () => {
  it('returns nothing when no stream has money and no control frame is owed', () => {
    const stream = new DataAndMoneyStream(1n, host);
    stream.receiveMaxAdvertised = true;
    expect(buildPacket({ streams: [stream], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })).toBeUndefined();
  });

  it('fills the budget from the lowest stream first, one StreamMoney frame per stream', () => {
    const a = streamWithMoney(1n, 300n);
    const b = streamWithMoney(3n, 5000n);
    const plan = buildPacket({ streams: [a, b], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })!;
    expect(plan.amount).toBe(1000n);
    expect(plan.frames).toEqual([
      { type: FrameType.StreamMoney, streamId: 1n, shares: 300n },
      { type: FrameType.StreamMoney, streamId: 3n, shares: 700n },
    ]);
    expect(a.pendingMoney).toBe(0n);
    expect(b.pendingMoney).toBe(4300n);
  });

  it('29-4.4.4: obeys the peer StreamMaxMoney converted at the path rate, counting money in flight', () => {
    const stream = streamWithMoney(1n, 10_000n);
    stream.applyRemoteMaxMoney(400n, 100n); // room for 300 destination units = 600 source units at 1/2
    const first = buildPacket({ streams: [stream], budget: 250n, rate: half, controlFrames: [], dataRoom: 0n })!;
    expect(first.amount).toBe(250n);
    const second = buildPacket({ streams: [stream], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })!;
    expect(second.amount).toBe(350n); // 125 destination units already in flight
  });

  it('29-4.4.4-e: a stream blocked by the peer limit sends StreamMoneyBlocked, not money', () => {
    const stream = streamWithMoney(1n, 500n);
    stream.applyRemoteMaxMoney(100n, 100n);
    const plan = buildPacket({ streams: [stream], budget: 1000n, rate: half, controlFrames: [{ type: FrameType.StreamClose, streamId: 3n, errorCode: 1, errorMessage: '' }], dataRoom: 0n })!;
    expect(plan.amount).toBe(0n);
    expect(plan.frames).toContainEqual({ type: FrameType.StreamMoneyBlocked, streamId: 1n, sendMax: 500n, totalSent: 0n });
  });

  it('a blocked stream alone is not worth a packet', () => {
    const stream = streamWithMoney(1n, 500n);
    stream.applyRemoteMaxMoney(0n, 0n);
    expect(buildPacket({ streams: [stream], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })).toBeUndefined();
  });

  it('advertises a changed receive max once, riding on a packet that is sent anyway', () => {
    const stream = new DataAndMoneyStream(1n, host);
    stream.setReceiveMax(5000n);
    expect(buildPacket({ streams: [stream], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })).toBeUndefined();
    expect(stream.receiveMaxAdvertised).toBe(false); // not lost when no packet was built
    const payer = streamWithMoney(3n, 10n);
    const plan = buildPacket({ streams: [stream, payer], budget: 1000n, rate: half, controlFrames: [], dataRoom: 0n })!;
    expect(plan.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: 5000n, totalReceived: 0n });
    expect(stream.receiveMaxAdvertised).toBe(true);
  });

  it('without a known rate the peer limit cannot be converted, so only the budget caps', () => {
    const stream = streamWithMoney(1n, 10_000n);
    stream.applyRemoteMaxMoney(10n, 0n);
    expect(buildPacket({ streams: [stream], budget: 1000n, rate: undefined, controlFrames: [], dataRoom: 0n })?.amount).toBe(1000n);
  });

  it('an unlimited peer receive max (2^64-1) does not overflow the room arithmetic', () => {
    const stream = streamWithMoney(1n, MAX_U64);
    stream.applyRemoteMaxMoney(MAX_U64, 0n);
    expect(buildPacket({ streams: [stream], budget: MAX_U64, rate: { numerator: 3n, denominator: 2n }, controlFrames: [], dataRoom: 0n })?.amount).toBe((MAX_U64 * 2n) / 3n);
  });
});
