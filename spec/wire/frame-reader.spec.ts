import { isStreamDecodeError, type StreamDecodeErrorCode } from '../../lib/wire/errors';
import { readFrame } from '../../lib/wire/frame-reader';
import { OerReader } from '../../lib/wire/oer-reader';
import { FrameType, MAX_U64 } from '../../lib/wire/types';
import { FRAME_VECTORS } from './support/single-frame-vectors';

function read(hex: string): { frame: unknown; position: number } {
  const reader = new OerReader(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
  const frame = readFrame(reader);
  return { frame, position: reader.position };
}

function failure(hex: string): { code: StreamDecodeErrorCode; offset: number } {
  try {
    read(hex);
  } catch (error) {
    if (isStreamDecodeError(error)) return { code: error.code, offset: error.offset };
    throw error;
  }
  throw new Error('expected a StreamDecodeError');
}

describe('readFrame (RFC 29 §5.3)', () => {
  it.each(FRAME_VECTORS.map((v) => [v.name, v] as const))('%s: reads the vector frame', (_name, v) => {
    const reader = new OerReader(v.frameBytes);
    expect(readFrame(reader)).toStrictEqual(v.frame);
    expect(reader.position).toBe(v.frameBytes.length);
  });

  it('29-5.3-b skips an unknown frame type (0x59) by its length prefix', () => {
    expect(read('59 03 aabbcc 11')).toEqual({ frame: undefined, position: 5 });
    expect(read('00 00')).toEqual({ frame: undefined, position: 2 });
    expect(read('ff 8180' + '00'.repeat(128))).toEqual({ frame: undefined, position: 131 });
  });

  it('29-5.3-b skips unknown frames whatever their contents, but still needs the declared bytes', () => {
    expect(read('08 02 0000').frame).toBeUndefined();
    expect(failure('59 05 aabb')).toEqual({ code: 'TRUNCATED', offset: 1 });
    expect(failure('59 8103 aabbcc')).toEqual({ code: 'NON_CANONICAL_LENGTH', offset: 1 });
  });

  it('E3 reads 0x17 StreamReceipt with a receipt of any length', () => {
    expect(read('17 04 0105 01ff').frame).toStrictEqual({ type: FrameType.StreamReceipt, streamId: 5n, receipt: Buffer.from([0xff]) });
  });

  it('rejects a known frame whose fields end before its declared length', () => {
    // StreamMoney declares 5 content bytes but its two VarUInts use 4.
    expect(failure('11 05 017b 0100 ee')).toEqual({ code: 'FRAME_LENGTH_MISMATCH', offset: 6 });
  });

  it('rejects a known frame whose fields need more than its declared length', () => {
    // StreamMoney declares 3 content bytes; its second VarUInt would run one byte past them.
    expect(failure('11 03 017b 0100')).toEqual({ code: 'FRAME_LENGTH_MISMATCH', offset: 4 });
    // StreamData's data length points past the frame, though the packet has the bytes.
    expect(failure('14 05 017b 0100 03 616263')).toEqual({ code: 'FRAME_LENGTH_MISMATCH', offset: 6 });
  });

  it('rejects a frame whose contents run past the packet as TRUNCATED', () => {
    expect(failure('11 04 017b 01')).toEqual({ code: 'TRUNCATED', offset: 1 });
    expect(failure('11')).toEqual({ code: 'TRUNCATED', offset: 1 });
  });

  it('29-5.1.4-b/c saturates receiveMax and sendMax wider than 8 bytes, and only those', () => {
    expect(read('12 0f 017b 09010000000000000000 0201c8').frame).toStrictEqual({
      type: FrameType.StreamMaxMoney,
      streamId: 123n,
      receiveMax: MAX_U64,
      totalReceived: 456n,
    });
    expect(read('13 0f 017b 09010000000000000000 0201c8').frame).toMatchObject({ sendMax: MAX_U64, totalSent: 456n });
    expect(failure('12 0f 017b 0201c8 09010000000000000000')).toEqual({ code: 'VARUINT_TOO_LARGE', offset: 7 });
    expect(failure('11 0c 09010000000000000000 0100')).toEqual({ code: 'VARUINT_TOO_LARGE', offset: 2 });
  });

  it('E36 keeps error codes outside the enum as plain numbers', () => {
    expect(read('01 02 00 00').frame).toStrictEqual({ type: FrameType.ConnectionClose, errorCode: 0, errorMessage: '' });
    expect(read('10 04 0101 fe 00').frame).toStrictEqual({ type: FrameType.StreamClose, streamId: 1n, errorCode: 254, errorMessage: '' });
  });

  it('E37 decodes invalid UTF-8 in messages, addresses and asset codes lossily', () => {
    expect(read('01 04 01 02 c328').frame).toStrictEqual({ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: '\ufffd(' });
    expect(read('02 02 01 80').frame).toStrictEqual({ type: FrameType.ConnectionNewAddress, sourceAccount: '\ufffd' });
    expect(read('07 03 01 ff 09').frame).toStrictEqual({ type: FrameType.ConnectionAssetDetails, sourceAssetCode: '\ufffd', sourceAssetScale: 9 });
  });
});
