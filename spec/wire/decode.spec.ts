import { runInNewContext } from 'node:vm';
import { decodePacket } from '../../lib/wire/decode';
import { encodePacket } from '../../lib/wire/encode';
import { isStreamDecodeError, type StreamDecodeError, type StreamDecodeErrorCode } from '../../lib/wire/errors';
import { OerReader } from '../../lib/wire/oer-reader';
import { encodedPacketSize } from '../../lib/wire/sizes';
import { ErrorCode, FrameType, IlpPacketType, MAX_PLAINTEXT_SIZE, MAX_U64, type Frame, type StreamPacket } from '../../lib/wire/types';
import { vector } from './support/fixtures';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');
/** version 1, Prepare, sequence 0, amount 0; append a frame count and frames. */
const HEADER = '010c 0100 0100';

function decodeError(bytes: unknown): StreamDecodeError {
  try {
    decodePacket(bytes as Uint8Array);
  } catch (error) {
    if (isStreamDecodeError(error)) return error;
    throw error;
  }
  throw new Error('expected a StreamDecodeError');
}

function expectFailure(bytes: unknown, code: StreamDecodeErrorCode, offset?: number): void {
  const error = decodeError(bytes);
  expect(error.code).toBe(code);
  if (offset !== undefined) expect(error.offset).toBe(offset);
}

describe('decodePacket (RFC 29 §5.2)', () => {
  describe('29-5.2-a version', () => {
    it.each([0, 2, 255])('rejects version %i as UNSUPPORTED_VERSION at byte 0', (version) => {
      expectFailure(Buffer.concat([Buffer.from([version]), hex('0c 0100 0100 0100')]), 'UNSUPPORTED_VERSION', 0);
    });
  });

  describe('29-5.2-b ilpPacketType', () => {
    it.each([0, 11, 15, 255])('rejects type %i as INVALID_PACKET_TYPE at byte 1', (type) => {
      expectFailure(Buffer.concat([Buffer.from([1, type]), hex('0100 0100 0100')]), 'INVALID_PACKET_TYPE', 1);
    });

    it.each([IlpPacketType.Prepare, IlpPacketType.Fulfill, IlpPacketType.Reject])('accepts type %i', (type) => {
      expect(decodePacket(Buffer.from([1, type, 1, 0, 1, 0, 1, 0])).ilpPacketType).toBe(type);
    });
  });

  describe('29-5.2-h / E34 bytes after the declared frames', () => {
    it('ignores zero padding after the last frame', () => {
      const v = vector('frame:stream_money:max_js');
      expect(decodePacket(Buffer.concat([v.bytes, Buffer.alloc(1_000)]))).toStrictEqual(v.packet);
    });

    it('ignores non-zero junk, even junk that looks like a broken frame', () => {
      const v = vector('frame:connection_close');
      expect(decodePacket(Buffer.concat([v.bytes, hex('ff ff ff 11 05 00')]))).toStrictEqual(v.packet);
      expect(decodePacket(hex(`${HEADER} 0100 deadbeef`)).frames).toEqual([]);
    });
  });

  describe('29-5.3-b / E3 unknown frame types', () => {
    it('skips a 0x59 frame with 3 content bytes and keeps the frames around it', () => {
      const packet = decodePacket(hex(`${HEADER} 0103  1104 017b 0100  5903 aabbcc  1504 0101 0101`));
      expect(packet.frames).toStrictEqual([
        { type: FrameType.StreamMoney, streamId: 123n, shares: 0n },
        { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1n },
      ]);
    });

    it('counts skipped frames against the declared frame count', () => {
      expect(decodePacket(hex(`${HEADER} 0101 5903aabbcc 1104017b0100`)).frames).toEqual([]);
    });

    it('E3 decodes 0x17 StreamReceipt frames (deprecated, still sent by ilp-protocol-stream)', () => {
      const v = vector('frame:stream_receipt');
      const frame = decodePacket(v.bytes).frames[0];
      expect(frame).toMatchObject({ type: FrameType.StreamReceipt, streamId: 1n });
      expect(frame?.type === FrameType.StreamReceipt && frame.receipt.length).toBe(58);
    });
  });

  describe('E2 malformed packets', () => {
    it.each([
      ['an empty input', '', 'TRUNCATED', 0],
      ['only a version', '01', 'TRUNCATED', 1],
      ['a missing frame count', '010c 0100 0100', 'TRUNCATED', 6],
      ['a truncated sequence', '010c 0201', 'TRUNCATED', 2],
      ['a truncated frame', `${HEADER} 0101 1104017b01`, 'TRUNCATED', 9],
      ['a frame type with nothing after it', `${HEADER} 0101 11`, 'TRUNCATED', 9],
      ['a bad VarUInt in a frame', `${HEADER} 0101 1103 00 0100`, 'VARUINT_EMPTY', 10],
    ])('rejects %s', (_label, bytes, code, offset) => {
      expectFailure(hex(bytes), code as StreamDecodeErrorCode, offset);
    });

    it('rejects a declared frame count larger than the frames present', () => {
      const error = decodeError(hex(`${HEADER} 0102 1104017b0100`));
      expect(error.code).toBe('MISSING_FRAMES');
      expect(error.offset).toBe(14);
      expect(error.message).toContain('declares 2 frame(s) but ends after 1');
    });

    it.each([
      ['2^64-1', '08ffffffffffffffff'],
      ['2^53', '0720000000000000'],
      ['2^32-1', '04ffffffff'],
    ])('never preallocates from a huge declared count (%s): fails on the missing frames', (_label, count) => {
      expectFailure(hex(`${HEADER} ${count} 1104017b0100`), 'MISSING_FRAMES');
    });

    it('rejects a known frame whose fields do not fill its length prefix', () => {
      expectFailure(hex(`${HEADER} 0101 1105017b0100ff`), 'FRAME_LENGTH_MISMATCH');
      expectFailure(hex(`${HEADER} 0101 1103017b0100`), 'FRAME_LENGTH_MISMATCH');
    });
  });

  describe('E10 / 29-5.1.4-b/c VarUInts wider than 8 bytes', () => {
    it.each([
      ['sequence', '010c 09010000000000000000 0100 0100', 2],
      ['prepareAmount', '010c 0100 09010000000000000000 0100', 4],
      ['frame count', '010c 0100 0100 09000000000000000001', 6],
      ['StreamMoney.shares', `${HEADER} 0101 110c 0101 09010000000000000000`, 12],
      ['StreamData.offset', `${HEADER} 0101 140d 0101 09010000000000000000 00`, 12],
      ['StreamMaxMoney.totalReceived', `${HEADER} 0101 120e 0101 0100 09010000000000000000`, 14],
    ])('E10 rejects an over-wide %s', (_field, bytes, offset) => {
      expectFailure(hex(bytes), 'VARUINT_TOO_LARGE', offset);
    });

    it('29-5.1.4-b saturates StreamMaxMoney.receiveMax (vector receive_max:too_big)', () => {
      const v = vector('frame:stream_max_money:receive_max:too_big');
      expect(decodePacket(v.bytes).frames[0]).toStrictEqual({ type: FrameType.StreamMaxMoney, streamId: 123n, receiveMax: MAX_U64, totalReceived: 456n });
    });

    it('29-5.1.4-c saturates StreamMoneyBlocked.sendMax (vector send_max:too_big)', () => {
      const v = vector('frame:stream_money_blocked:send_max:too_big');
      expect(decodePacket(v.bytes).frames[0]).toStrictEqual({ type: FrameType.StreamMoneyBlocked, streamId: 123n, sendMax: MAX_U64, totalSent: 456n });
    });

    it('E11 saturates a 16-byte receiveMax too', () => {
      const frame = decodePacket(hex(`${HEADER} 0101 1215 0101 10${'ab'.repeat(16)} 0100`)).frames[0];
      expect(frame).toMatchObject({ receiveMax: MAX_U64, totalReceived: 0n });
    });
  });

  describe('E12 / E13 canonical encodings', () => {
    it('E12 rejects a zero-length VarUInt', () => {
      expectFailure(hex('010c 00 0100 0100'), 'VARUINT_EMPTY', 2);
    });

    it('E12 accepts leading zeros within 8 bytes', () => {
      const packet = decodePacket(hex('010c 020005 0800000000000003e8 020000'));
      expect(packet).toMatchObject({ sequence: 5n, prepareAmount: 1000n, frames: [] });
    });

    it('E13 rejects a non-canonical frame length prefix', () => {
      expectFailure(hex(`${HEADER} 0101 11 8104 017b0100`), 'NON_CANONICAL_LENGTH', 9);
      expectFailure(hex(`${HEADER} 0101 11 80`), 'NON_CANONICAL_LENGTH', 9);
    });

    it('E13 rejects a non-canonical length inside a frame', () => {
      expectFailure(hex(`${HEADER} 0101 1407 0101 0100 810161`), 'NON_CANONICAL_LENGTH', 14);
    });
  });

  describe('E21 huge offsets', () => {
    it.each([2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, MAX_U64 - 1n, MAX_U64])('round-trips StreamData offset %p exactly', (offset) => {
      const frames: Frame[] = [
        { type: FrameType.StreamData, streamId: MAX_U64, offset, data: Buffer.from('x') },
        { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: offset },
        { type: FrameType.ConnectionMaxData, maxOffset: offset },
      ];
      const packet: StreamPacket = { sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames };
      expect(decodePacket(encodePacket(packet))).toStrictEqual(packet);
    });
  });

  describe('E35 plaintext size', () => {
    it('decodes a packet of exactly 32,739 bytes', () => {
      const dataLength = MAX_PLAINTEXT_SIZE - encodedPacketSize({ sequence: 1n, ilpPacketType: 12, prepareAmount: 0n, frames: [] }) - 1 - 3 - 2 - 2 - 3;
      const packet: StreamPacket = {
        sequence: 1n,
        ilpPacketType: IlpPacketType.Prepare,
        prepareAmount: 0n,
        frames: [{ type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(dataLength, 0x5a) }],
      };
      const bytes = encodePacket(packet);
      expect(bytes.length).toBe(MAX_PLAINTEXT_SIZE);
      expect(decodePacket(bytes)).toStrictEqual(packet);
    });
  });

  describe('E36 / E37 codes and strings', () => {
    it.each([0, 10, 200, 255])('E36 round-trips error code %i outside the enum in ConnectionClose and StreamClose', (code) => {
      const frames: Frame[] = [
        { type: FrameType.ConnectionClose, errorCode: code, errorMessage: 'x' },
        { type: FrameType.StreamClose, streamId: 3n, errorCode: code, errorMessage: '' },
      ];
      const packet: StreamPacket = { sequence: 9n, ilpPacketType: IlpPacketType.Reject, prepareAmount: 9n, frames };
      expect(decodePacket(encodePacket(packet))).toStrictEqual(packet);
    });

    it('E36 keeps known codes as their enum values', () => {
      expect(decodePacket(vector('frame:connection_close').bytes).frames[0]).toMatchObject({ errorCode: ErrorCode.NoError });
    });

    it('E37 decodes invalid UTF-8 lossily instead of failing the packet', () => {
      const packet = decodePacket(hex(`${HEADER} 0102 0105 01 03 61ff62  07 03 01 c0 02`));
      expect(packet.frames).toStrictEqual([
        { type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'a\ufffdb' },
        { type: FrameType.ConnectionAssetDetails, sourceAssetCode: '\ufffd', sourceAssetScale: 2 },
      ]);
    });
  });

  describe('inputs and outputs', () => {
    it.each([
      ['null', null],
      ['a string', '010c010001000100'],
      ['an array of numbers', [1, 12, 1, 0, 1, 0, 1, 0]],
      ['an ArrayBuffer', new ArrayBuffer(8)],
      ['a DataView', new DataView(new ArrayBuffer(8))],
    ])('rejects %s as INVALID_INPUT', (_label, input) => {
      expectFailure(input, 'INVALID_INPUT', 0);
    });

    it('accepts a plain Uint8Array view at an offset into a larger buffer', () => {
      const v = vector('frame:stream_data');
      const backing = new Uint8Array(v.bytes.length + 7);
      backing.set(v.bytes, 5);
      expect(decodePacket(backing.subarray(5, 5 + v.bytes.length))).toStrictEqual(v.packet);
    });

    it('accepts a Uint8Array from another realm (vm context, worker)', () => {
      const v = vector('frame:stream_money:max_js');
      const foreign = runInNewContext(`new Uint8Array(${JSON.stringify([...v.bytes])})`) as Uint8Array;
      expect(decodePacket(foreign)).toStrictEqual(v.packet);
    });

    it('returns StreamData.data as a view of the input: overwriting the input changes it', () => {
      const input = Buffer.from(vector('frame:stream_data').bytes);
      const frame = decodePacket(input).frames[0];
      if (frame?.type !== FrameType.StreamData) throw new Error('expected StreamData');
      expect(frame.data.toString()).toBe('foobar');
      input.fill(0x7a, input.length - 6);
      expect(frame.data.toString()).toBe('zzzzzz');
    });

    it('wraps any unexpected fault in a StreamDecodeError with code INTERNAL', () => {
      const fault = new RangeError('simulated');
      const spy = jest.spyOn(OerReader.prototype, 'readVarUInt').mockImplementation(() => {
        throw fault;
      });
      try {
        const error = decodeError(vector('sequence:0').bytes);
        expect(error.code).toBe('INTERNAL');
        expect(error.cause).toBe(fault);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
