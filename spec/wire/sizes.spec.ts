import { encodePacket } from '../../lib/wire/encode';
import { isStreamEncodeError } from '../../lib/wire/errors';
import { encodedFrameSize, encodedPacketSize, measurePacket, sizeWithFrame } from '../../lib/wire/sizes';
import { FrameType, IlpPacketType, MAX_PLAINTEXT_SIZE, type Frame, type StreamPacket } from '../../lib/wire/types';
import { VECTORS } from './support/fixtures';
import { FRAME_VECTORS } from './support/single-frame-vectors';

const EMPTY: StreamPacket = { sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] };
const money = (streamId: bigint): Frame => ({ type: FrameType.StreamMoney, streamId, shares: 1n });

describe('size functions (E35)', () => {
  it.each(FRAME_VECTORS.filter((v) => !v.decodeOnly).map((v) => [v.name, v] as const))('encodedFrameSize: %s', (_name, v) => {
    expect(encodedFrameSize(v.frame)).toBe(v.frameBytes.length);
  });

  it.each(VECTORS.filter((v) => !v.decodeOnly).map((v) => [v.name, v] as const))('encodedPacketSize: %s', (_name, v) => {
    expect(encodedPacketSize(v.packet)).toBe(v.bytes.length);
  });

  it('sizeWithFrame adds the frame, and one byte more when the frame count reaches 256', () => {
    const frames = Array.from({ length: 255 }, (_, i) => money(BigInt(i)));
    const with255 = encodePacket({ ...EMPTY, frames }).length;
    const frame = money(1_000n);
    expect(sizeWithFrame(with255, 255, frame)).toBe(encodePacket({ ...EMPTY, frames: [...frames, frame] }).length);
    expect(sizeWithFrame(with255, 255, frame)).toBe(with255 + encodedFrameSize(frame) + 1);
    expect(sizeWithFrame(with255 - encodedFrameSize(frame), 254, frame)).toBe(with255);
  });

  it('sizeWithFrame grows the count again at 65,536 frames', () => {
    const frame: Frame = { type: FrameType.ConnectionMaxData, maxOffset: 0n };
    const frames: Frame[] = new Array<Frame>(65_535).fill(frame);
    const before = encodePacket({ ...EMPTY, frames }).length;
    expect(sizeWithFrame(before, 65_535, frame)).toBe(encodePacket({ ...EMPTY, frames: [...frames, frame] }).length);
    expect(sizeWithFrame(before, 65_535, frame)).toBe(before + encodedFrameSize(frame) + 1);
  });

  it('E35 fills a packet to exactly MAX_PLAINTEXT_SIZE (32,739 bytes) with the size functions', () => {
    const base: StreamPacket = { ...EMPTY, frames: [money(1n)] };
    const baseSize = encodedPacketSize(base);
    // Pick the data length so the StreamData frame lands exactly on the limit.
    let dataLength = MAX_PLAINTEXT_SIZE - baseSize;
    const frameFor = (length: number): Frame => ({ type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(length, 1) });
    while (sizeWithFrame(baseSize, 1, frameFor(dataLength)) > MAX_PLAINTEXT_SIZE) dataLength -= 1;
    const packet: StreamPacket = { ...base, frames: [...base.frames, frameFor(dataLength)] };
    expect(sizeWithFrame(baseSize, 1, frameFor(dataLength))).toBe(MAX_PLAINTEXT_SIZE);
    expect(encodePacket(packet).length).toBe(MAX_PLAINTEXT_SIZE);
    expect(sizeWithFrame(baseSize, 1, frameFor(dataLength + 1))).toBe(MAX_PLAINTEXT_SIZE + 1);
  });

  it('measurePacket records each frame content size for the encoder', () => {
    const sizes: number[] = [];
    const packet: StreamPacket = { ...EMPTY, frames: [money(1n), { type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'fail' }] };
    expect(measurePacket(packet, sizes)).toBe(encodePacket(packet).length);
    expect(sizes).toEqual([4, 6]);
  });

  it.each([
    ['currentPacketSize', -1, 0, 'OUT_OF_RANGE'],
    ['currentPacketSize', 1.5, 0, 'OUT_OF_RANGE'],
    ['currentPacketSize', '8', 0, 'WRONG_TYPE'],
    ['currentFrameCount', 8, -1, 'OUT_OF_RANGE'],
    ['currentFrameCount', 8, Number.POSITIVE_INFINITY, 'OUT_OF_RANGE'],
    ['currentFrameCount', 8, 1n, 'WRONG_TYPE'],
  ])('sizeWithFrame validates %s (%p, %p)', (field, size, count, code) => {
    let caught: unknown;
    try {
      sizeWithFrame(size as number, count as number, money(1n));
    } catch (error) {
      caught = error;
    }
    expect(isStreamEncodeError(caught, code as 'WRONG_TYPE')).toBe(true);
    expect(caught).toMatchObject({ field });
  });

  it('size functions reject what the encoder rejects, naming the field the same way', () => {
    const bad = { type: FrameType.StreamMoney, streamId: -1n, shares: 1n } as Frame;
    expect(() => encodedFrameSize(bad)).toThrow('OUT_OF_RANGE: frame.streamId');
    expect(() => sizeWithFrame(8, 0, bad)).toThrow('OUT_OF_RANGE: frame.streamId');
    expect(() => encodedPacketSize({ ...EMPTY, frames: [money(1n), bad] })).toThrow('OUT_OF_RANGE: frames[1].streamId');
  });
});
