import { ErrorCode, FrameType, IlpPacketType, MAX_U64, type Frame, type StreamPacket } from '../../lib/wire/types';
import { receivePacket, type ReceiverContext, MAX_PACKET_SEQUENCE } from '../../lib/connection/receiver';
import { withRoundingAllowance } from '../../lib/connection/money-attribution';
import { StreamRegistry } from '../../lib/connection/stream-registry';
import { DataWindows } from '../../lib/connection/data-windows';
import type { DataAndMoneyStream, StreamHost } from '../../lib/stream/stream';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };

function serverContext() {
  const announced: DataAndMoneyStream[] = [];
  let asset: [string, number] | undefined;
  let address: string | undefined;
  const queued: Frame[] = [];
  const context: ReceiverContext = {
    registry: new StreamRegistry(true, host),
    announceStream: (s) => announced.push(s),
    setRemoteAddress: (a) => (address = a),
    setRemoteAssetDetails: (code, scale) => {
      if (asset) return asset[0] === code && asset[1] === scale;
      asset = [code, scale];
      return true;
    },
    addressReplyFrames: () => [{ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'XYZ', sourceAssetScale: 2 }],
    takeQueuedFrames: () => queued.splice(0),
    data: new DataWindows(1_048_576),
  };
  return { context, announced, queued, address: () => address };
}

const ok = { fulfillable: true, expired: false };

function prepare(frames: Frame[], prepareAmount = 0n, sequence = 1n): StreamPacket {
  return { sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount, frames };
}
const money = (streamId: bigint, shares: bigint): Frame => ({ type: FrameType.StreamMoney, streamId, shares });

describe('receivePacket', () => {
  it('29-4.4.1-a: StreamMoney with a new id opens the stream and announces it before crediting', () => {
    const { context, announced } = serverContext();
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 100n, ok);
    expect(announced.map((s) => s.id)).toEqual([1n]);
    expect(decision.fulfill).toBe(true);
    expect(decision.credits.map(([s, a]) => [s.id, a])).toEqual([[1n, 100n]]);
  });

  it('I-10: a fulfilled reply carries StreamMaxMoney for each credited stream with its new total', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 100n, ok);
    expect(decision.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 100n });
  });

  it('29-5.3.8-a/b/c: shares split by floor; the remainder goes to the lowest-numbered stream', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(3n, 1n), money(1n, 1n), money(5n, 1n)]), 100n, ok);
    const credited = new Map(decision.credits.map(([s, a]) => [s.id, a]));
    expect(credited.get(1n)).toBe(34n);
    expect(credited.get(3n)).toBe(33n);
    expect(credited.get(5n)).toBe(33n);
  });

  it('29-5.3.8-c: the remainder skips a stream that has no room left for it', () => {
    const { context } = serverContext();
    receivePacket(context, prepare([money(1n, 1n), money(3n, 1n)]), 0n, ok);
    context.registry.streams.get(1n)!.setReceiveMax(50n);
    const decision = receivePacket(context, prepare([money(1n, 1n), money(3n, 1n)]), 101n, ok);
    const credited = new Map(decision.credits.map(([s, a]) => [s.id, a]));
    expect(credited.get(1n)).toBe(50n);
    expect(credited.get(3n)).toBe(51n);
  });

  it('29-4.4.1-c / E16: a client opening an even stream closes the connection with ProtocolViolation', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(2n, 1n)]), 10n, ok);
    expect(decision.fulfill).toBe(false);
    expect(decision.close).toMatchObject({ code: ErrorCode.ProtocolViolation, byRemote: false });
    expect(decision.frames).toEqual([{ type: FrameType.ConnectionClose, errorCode: ErrorCode.ProtocolViolation, errorMessage: expect.any(String) }]);
  });

  it('E17: an id above our max stream id closes with StreamIdError', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(21n, 1n)]), 10n, ok);
    expect(decision.close?.code).toBe(ErrorCode.StreamIdError);
  });

  it('E18: money for a closed stream is rejected with StreamClose(StreamStateError)', () => {
    const { context } = serverContext();
    receivePacket(context, prepare([money(1n, 1n)]), 0n, ok);
    context.registry.remove(context.registry.streams.get(1n)!);
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 10n, ok);
    expect(decision.fulfill).toBe(false);
    expect(decision.frames).toContainEqual({ type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.StreamStateError, errorMessage: 'stream is closed' });
  });

  it('29-3.4-e: an amount below the STREAM prepareAmount is rejected', () => {
    const { context } = serverContext();
    expect(receivePacket(context, prepare([money(1n, 1n)], 100n), 99n, ok).fulfill).toBe(false);
    expect(receivePacket(context, prepare([money(1n, 1n)], 100n), 100n, ok).fulfill).toBe(true);
  });

  it('29-6.3-a: an unfulfillable packet is answered with an authentic reject (test packets)', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 10n, { fulfillable: false, expired: false });
    expect(decision.fulfill).toBe(false);
    expect(decision.credits).toEqual([]);
  });

  it('E26: an expired Prepare is refused and credits nothing', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 10n, { fulfillable: true, expired: true });
    expect(decision.fulfill).toBe(false);
  });

  it('E15: money with no StreamMoney frame is refused; E14: zero total shares is refused', () => {
    const { context } = serverContext();
    expect(receivePacket(context, prepare([]), 10n, ok).fulfill).toBe(false);
    expect(receivePacket(context, prepare([money(1n, 0n)]), 10n, ok).fulfill).toBe(false);
    expect(receivePacket(context, prepare([]), 0n, ok).fulfill).toBe(true);
  });

  it('E19: money above the receive max is refused with the current StreamMaxMoney', () => {
    const { context } = serverContext();
    receivePacket(context, prepare([money(1n, 1n)]), 0n, ok);
    const stream = context.registry.streams.get(1n)!;
    stream.setReceiveMax(50n);
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 52n, ok);
    expect(decision.fulfill).toBe(false);
    expect(decision.frames).toContainEqual({ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: 50n, totalReceived: 0n });
    expect(receivePacket(context, prepare([money(1n, 1n)]), 50n, ok).fulfill).toBe(true);
  });

  it('E19: a sender rounding its last packet may overshoot the room by 1 % (ilp-protocol-stream sizes it with a ceiling)', () => {
    expect(withRoundingAllowance(50n)).toBe(51n);
    expect(withRoundingAllowance(1000n)).toBe(1010n);
    expect(withRoundingAllowance(1001n)).toBe(1012n);
    expect(withRoundingAllowance(0n)).toBe(0n);
    expect(withRoundingAllowance(-5n)).toBe(0n);
    const { context } = serverContext();
    receivePacket(context, prepare([money(1n, 1n)]), 0n, ok);
    const stream = context.registry.streams.get(1n)!;
    stream.setReceiveMax(1003n);
    const decision = receivePacket(context, prepare([money(1n, 1n)]), 1004n, ok);
    expect(decision.fulfill).toBe(true);
    for (const [s, amount] of decision.credits) s.receiveMoney(amount); // what the connection does
    expect(stream.totals.received).toBe(1004n);
    expect(receivePacket(context, prepare([money(1n, 1n)]), 1n, ok).fulfill).toBe(false);
  });

  it('I-16: ConnectionNewAddress is answered with our asset details and records the address', () => {
    const { context, address } = serverContext();
    const decision = receivePacket(context, prepare([{ type: FrameType.ConnectionNewAddress, sourceAccount: 'test.client' }]), 0n, { fulfillable: false, expired: false });
    expect(address()).toBe('test.client');
    expect(decision.frames).toContainEqual({ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'XYZ', sourceAssetScale: 2 });
  });

  it('29-4.3.3-c / E24: contradicting asset details close with ProtocolViolation; a repeat is fine', () => {
    const { context } = serverContext();
    const cad = (code: string): Frame => ({ type: FrameType.ConnectionAssetDetails, sourceAssetCode: code, sourceAssetScale: 9 });
    expect(receivePacket(context, prepare([cad('USD')]), 0n, ok).close).toBeUndefined();
    expect(receivePacket(context, prepare([cad('USD')]), 0n, ok).close).toBeUndefined();
    expect(receivePacket(context, prepare([cad('EUR')]), 0n, ok).close?.code).toBe(ErrorCode.ProtocolViolation);
  });

  it('29-5.3.1-a: ConnectionClose from the peer is reported as a remote close', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([{ type: FrameType.ConnectionClose, errorCode: ErrorCode.NoError, errorMessage: '' }]), 0n, ok);
    expect(decision.close).toEqual({ code: ErrorCode.NoError, message: '', byRemote: true });
  });

  it('29-5.1.3-a / E9: a sequence at 2^31 closes the connection', () => {
    const { context } = serverContext();
    const decision = receivePacket(context, prepare([], 0n, MAX_PACKET_SEQUENCE), 0n, ok);
    expect(decision.close?.code).toBe(ErrorCode.ProtocolViolation);
    expect(receivePacket(context, prepare([], 0n, MAX_PACKET_SEQUENCE - 1n), 0n, ok).close).toBeUndefined();
  });

  it('queued control frames ride on the reply', () => {
    const { context, queued } = serverContext();
    queued.push({ type: FrameType.ConnectionMaxStreamId, maxStreamId: 40n });
    const decision = receivePacket(context, prepare([]), 0n, ok);
    expect(decision.frames).toContainEqual({ type: FrameType.ConnectionMaxStreamId, maxStreamId: 40n });
  });
});
