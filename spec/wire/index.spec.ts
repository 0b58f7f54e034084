import * as wire from '../../lib/wire';

describe('lib/wire public surface', () => {
  it('exports the codec, the size functions, the errors and the packet model', () => {
    expect(Object.keys(wire).sort()).toEqual(
      [
        'ErrorCode',
        'FrameType',
        'IlpPacketType',
        'MAX_ILP_ADDRESS_LENGTH',
        'MAX_PLAINTEXT_SIZE',
        'MAX_U64',
        'STREAM_DECODE_ERROR_CODES',
        'STREAM_ENCODE_ERROR_CODES',
        'StreamDecodeError',
        'StreamEncodeError',
        'decodePacket',
        'encodePacket',
        'encodedFrameSize',
        'encodedPacketSize',
        'isIlpAddress',
        'isStreamDecodeError',
        'isStreamEncodeError',
        'maxStreamDataLength',
      'sizeWithFrame',
      'streamDataFrameSize',
      ].sort(),
    );
  });

  it('round-trips through the barrel', () => {
    const packet = { sequence: 7n, ilpPacketType: wire.IlpPacketType.Fulfill, prepareAmount: 3n, frames: [] };
    expect(wire.decodePacket(wire.encodePacket(packet))).toStrictEqual(packet);
  });
});
