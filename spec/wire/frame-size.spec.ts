import { isStreamEncodeError } from '../../lib/wire/errors';
import { LONE_FRAME } from '../../lib/wire/field-checks';
import { frameContentSize } from '../../lib/wire/frame-size';
import { FrameType, type Frame } from '../../lib/wire/types';
import { FRAME_VECTORS } from './support/single-frame-vectors';

describe('frameContentSize (RFC 29 §5.3)', () => {
  const encodable = FRAME_VECTORS.filter((v) => !v.decodeOnly);

  it('covers every frame type in the vectors', () => {
    expect(new Set(encodable.map((v) => v.frame.type)).size).toBe(15);
  });

  it.each(encodable.map((v) => [v.name, v] as const))('%s: equals the contents length in the vector', (_name, v) => {
    const declared = v.frameBytes[1] as number;
    expect(declared).toBeLessThan(0x80); // one-byte prefix, so contents are everything after byte 2
    expect(v.frameBytes.length - 2).toBe(declared);
    expect(frameContentSize(v.frame, 0)).toBe(declared);
  });

  it('counts a 16 KiB StreamData payload with its three-byte length prefix', () => {
    const frame: Frame = { type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(16_384) };
    expect(frameContentSize(frame, 0)).toBe(2 + 2 + 3 + 16_384);
  });

  it.each([
    ['a frame type outside the enum', { type: 0x59 }, 'UNKNOWN_FRAME_TYPE', 'frames[4].type'],
    ['a missing type', {}, 'UNKNOWN_FRAME_TYPE', 'frames[4].type'],
    ['null', null, 'WRONG_TYPE', 'frames[4]'],
    ['a number', 7, 'WRONG_TYPE', 'frames[4]'],
  ])('rejects %s, naming the frame', (_label, frame, code, field) => {
    let caught: unknown;
    try {
      frameContentSize(frame as unknown as Frame, 4);
    } catch (error) {
      caught = error;
    }
    expect(isStreamEncodeError(caught, code as 'WRONG_TYPE')).toBe(true);
    expect(caught).toMatchObject({ field });
  });

  it('names the frame as `frame` when it is measured on its own', () => {
    expect(() => frameContentSize({ type: FrameType.StreamMoney, streamId: 1n, shares: 1 } as unknown as Frame, LONE_FRAME)).toThrow(
      'WRONG_TYPE: frame.shares must be a bigint, got number 1',
    );
  });
});
