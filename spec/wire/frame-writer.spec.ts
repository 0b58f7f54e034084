import { frameContentSize } from '../../lib/wire/frame-size';
import { writeFrame } from '../../lib/wire/frame-writer';
import { OerWriter } from '../../lib/wire/oer-writer';
import { FrameType, type Frame } from '../../lib/wire/types';
import { FRAME_VECTORS } from './support/single-frame-vectors';

function writeOne(frame: Frame): Buffer {
  const contentSize = frameContentSize(frame, 0);
  const writer = new OerWriter(Buffer.alloc(contentSize + 8, 0xee));
  writeFrame(writer, frame, contentSize);
  return writer.bytes.subarray(0, writer.position);
}

describe('writeFrame (RFC 29 §5.3, checklist I-3)', () => {
  it.each(FRAME_VECTORS.filter((v) => !v.decodeOnly).map((v) => [v.name, v] as const))('%s: writes the vector frame bytes', (_name, v) => {
    expect(writeOne(v.frame).toString('hex')).toBe(v.frameBytes.toString('hex'));
  });

  it('I-3 ConnectionAssetDetails puts the code before the scale', () => {
    expect(writeOne({ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'USD', sourceAssetScale: 9 }).toString('hex')).toBe(
      '070503555344' + '09',
    );
  });

  it('writes a 16 KiB StreamData with a canonical `82 40 00` data length', () => {
    const bytes = writeOne({ type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(16_384, 7) });
    // type, contents length (0x4007 = 16_391), stream id, offset, data length
    expect(bytes.subarray(0, 11).toString('hex')).toBe('14824007' + '0101' + '0100' + '824000');
    expect(bytes.length).toBe(4 + 16_391);
  });

  it('writes multi-byte UTF-8 messages with their byte length', () => {
    const bytes = writeOne({ type: FrameType.ConnectionClose, errorCode: 8, errorMessage: 'é€' });
    expect(bytes.toString('hex')).toBe('0107' + '08' + '05' + 'c3a9e282ac');
  });
});
