import fc from 'fast-check';
import { decodePacket } from '../../lib/wire/decode';
import { encodePacket } from '../../lib/wire/encode';
import { isStreamEncodeError, type StreamEncodeErrorCode } from '../../lib/wire/errors';
import { encodedPacketSize } from '../../lib/wire/sizes';
import { FrameType, IlpPacketType, MAX_U64, type Frame, type StreamPacket } from '../../lib/wire/types';
import { FUZZ_SEED } from './support/arbitraries';

const EMPTY: StreamPacket = { sequence: 0n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] };
const VALID_FRAME: Frame = { type: FrameType.StreamMoney, streamId: 1n, shares: 1n };

function encodeError(packet: unknown): { code: StreamEncodeErrorCode; field: string; message: string } {
  try {
    encodePacket(packet as StreamPacket);
  } catch (error) {
    if (isStreamEncodeError(error)) return { code: error.code, field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a StreamEncodeError');
}

/** A valid example of every frame type, and which of its fields are u64, u8, string or bytes. */
const FRAME_FIELDS: Array<[Frame, Record<string, 'u64' | 'u8' | 'string' | 'bytes' | 'address'>]> = [
  [{ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: '' }, { errorCode: 'u8', errorMessage: 'string' }],
  [{ type: FrameType.ConnectionNewAddress, sourceAccount: 'example.a' }, { sourceAccount: 'address' }],
  [{ type: FrameType.ConnectionMaxData, maxOffset: 1n }, { maxOffset: 'u64' }],
  [{ type: FrameType.ConnectionDataBlocked, maxOffset: 1n }, { maxOffset: 'u64' }],
  [{ type: FrameType.ConnectionMaxStreamId, maxStreamId: 1n }, { maxStreamId: 'u64' }],
  [{ type: FrameType.ConnectionStreamIdBlocked, maxStreamId: 1n }, { maxStreamId: 'u64' }],
  [{ type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'USD', sourceAssetScale: 9 }, { sourceAssetCode: 'string', sourceAssetScale: 'u8' }],
  [{ type: FrameType.StreamClose, streamId: 1n, errorCode: 1, errorMessage: '' }, { streamId: 'u64', errorCode: 'u8', errorMessage: 'string' }],
  [{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }, { streamId: 'u64', shares: 'u64' }],
  [{ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: 1n, totalReceived: 1n }, { streamId: 'u64', receiveMax: 'u64', totalReceived: 'u64' }],
  [{ type: FrameType.StreamMoneyBlocked, streamId: 1n, sendMax: 1n, totalSent: 1n }, { streamId: 'u64', sendMax: 'u64', totalSent: 'u64' }],
  [{ type: FrameType.StreamData, streamId: 1n, offset: 1n, data: Buffer.alloc(1) }, { streamId: 'u64', offset: 'u64', data: 'bytes' }],
  [{ type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1n }, { streamId: 'u64', maxOffset: 'u64' }],
  [{ type: FrameType.StreamDataBlocked, streamId: 1n, maxOffset: 1n }, { streamId: 'u64', maxOffset: 'u64' }],
  [{ type: FrameType.StreamReceipt, streamId: 1n, receipt: Buffer.alloc(58) }, { streamId: 'u64', receipt: 'bytes' }],
];

const BAD_VALUES: Record<string, Array<[unknown, StreamEncodeErrorCode]>> = {
  u64: [[-1n, 'OUT_OF_RANGE'], [MAX_U64 + 1n, 'OUT_OF_RANGE'], [1, 'WRONG_TYPE'], ['1', 'WRONG_TYPE'], [undefined, 'WRONG_TYPE']],
  u8: [[256, 'OUT_OF_RANGE'], [-1, 'OUT_OF_RANGE'], [1.5, 'OUT_OF_RANGE'], [1n, 'WRONG_TYPE'], [undefined, 'WRONG_TYPE']],
  string: [[Buffer.from('x'), 'WRONG_TYPE'], [undefined, 'WRONG_TYPE'], [1, 'WRONG_TYPE']],
  bytes: [['abc', 'WRONG_TYPE'], [[1, 2], 'WRONG_TYPE'], [undefined, 'WRONG_TYPE'], [new ArrayBuffer(2), 'WRONG_TYPE']],
  address: [['g', 'INVALID_ADDRESS'], ['example.', 'INVALID_ADDRESS'], [`g.${'a'.repeat(1022)}`, 'INVALID_ADDRESS'], [undefined, 'WRONG_TYPE']],
};

const fieldCases = FRAME_FIELDS.flatMap(([frame, fields]) =>
  Object.entries(fields).flatMap(([field, kind]) =>
    (BAD_VALUES[kind] ?? []).map(([value, code]) => [FrameType[frame.type], field, value, code, frame] as const),
  ),
);

describe('encodePacket (RFC 29 §5.2)', () => {
  it('29-5-a writes canonical OER: zero as `01 00`, version 1, minimal VarUInts', () => {
    expect(encodePacket(EMPTY).toString('hex')).toBe('010c010001000100');
    expect(encodePacket({ ...EMPTY, sequence: 256n, prepareAmount: MAX_U64 }).toString('hex')).toBe('010c020100' + '08ffffffffffffffff' + '0100');
  });

  it('allocates the output once, at its exact size', () => {
    const packet: StreamPacket = { ...EMPTY, frames: [VALID_FRAME, { type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(5_000) }] };
    const allocUnsafe = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      const bytes = encodePacket(packet);
      expect(allocUnsafe).toHaveBeenCalledTimes(1);
      expect(allocUnsafe).toHaveBeenCalledWith(encodedPacketSize(packet));
      expect(bytes.length).toBe(encodedPacketSize(packet));
    } finally {
      allocUnsafe.mockRestore();
    }
  });

  it('accepts plain Uint8Arrays (and views into larger buffers) for data and receipt', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4]);
    const packet: StreamPacket = {
      ...EMPTY,
      frames: [
        { type: FrameType.StreamData, streamId: 1n, offset: 0n, data: backing.subarray(1, 3) as Buffer },
        { type: FrameType.StreamReceipt, streamId: 1n, receipt: new Uint8Array([9]) as Buffer },
      ],
    };
    expect(decodePacket(encodePacket(packet)).frames).toStrictEqual([
      { type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.from([1, 2]) },
      { type: FrameType.StreamReceipt, streamId: 1n, receipt: Buffer.from([9]) },
    ]);
  });

  it('accepts an empty ConnectionNewAddress (send-only clients, @interledger/pay)', () => {
    const bytes = encodePacket({ ...EMPTY, frames: [{ type: FrameType.ConnectionNewAddress, sourceAccount: '' }] });
    expect(bytes.subarray(8).toString('hex')).toBe('020100');
  });

  it('encodes a lone surrogate as U+FFFD, as Buffer.from does', () => {
    const bytes = encodePacket({ ...EMPTY, frames: [{ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'a\ud800' }] });
    expect(decodePacket(bytes).frames[0]).toStrictEqual({ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: 'a\ufffd' });
  });

  describe('validation names the wrong field', () => {
    it.each([
      ['sequence', { ...EMPTY, sequence: -1n }, 'OUT_OF_RANGE'],
      ['sequence', { ...EMPTY, sequence: 2n ** 64n }, 'OUT_OF_RANGE'],
      ['sequence', { ...EMPTY, sequence: 1 }, 'WRONG_TYPE'],
      ['prepareAmount', { ...EMPTY, prepareAmount: '10' }, 'WRONG_TYPE'],
      ['prepareAmount', { ...EMPTY, prepareAmount: -5n }, 'OUT_OF_RANGE'],
      ['ilpPacketType', { ...EMPTY, ilpPacketType: 11 }, 'INVALID_PACKET_TYPE'],
      ['ilpPacketType', { ...EMPTY, ilpPacketType: 15 }, 'INVALID_PACKET_TYPE'],
      ['ilpPacketType', { ...EMPTY, ilpPacketType: '12' }, 'INVALID_PACKET_TYPE'],
      ['frames', { ...EMPTY, frames: undefined }, 'WRONG_TYPE'],
      ['frames', { ...EMPTY, frames: {} }, 'WRONG_TYPE'],
      ['frames[1]', { ...EMPTY, frames: [VALID_FRAME, null] }, 'WRONG_TYPE'],
      ['frames[1].type', { ...EMPTY, frames: [VALID_FRAME, { type: 0x59 }] }, 'UNKNOWN_FRAME_TYPE'],
      ['frames[0].type', { ...EMPTY, frames: [{ type: 'StreamMoney', streamId: 1n, shares: 1n }] }, 'UNKNOWN_FRAME_TYPE'],
      ['packet', null, 'WRONG_TYPE'],
      ['packet', 'bytes', 'WRONG_TYPE'],
    ])('%s (%#)', (field, packet, code) => {
      expect(encodeError(packet)).toMatchObject({ field, code });
    });

    it.each(fieldCases)('%s.%s = %p -> %s', (_typeName, field, value, code, frame) => {
      const error = encodeError({ ...EMPTY, frames: [VALID_FRAME, { ...frame, [field]: value }] });
      expect(error).toMatchObject({ code, field: `frames[1].${field}` });
      expect(error.message).toContain(`${code}: frames[1].${field}`);
    });
  });

  it('reports a packet whose values change between measuring and writing as INCONSISTENT_PACKET', () => {
    let reads = 0;
    const shifty = {
      type: FrameType.StreamMoney,
      get streamId(): bigint {
        reads += 1;
        return reads === 1 ? 1n : MAX_U64;
      },
      shares: 1n,
    } as Frame;
    expect(encodeError({ ...EMPTY, frames: [shifty] })).toMatchObject({ code: 'INCONSISTENT_PACKET', field: 'packet' });
    const shrinking = { ...EMPTY, frames: [] as Frame[] };
    let frameReads = 0;
    Object.defineProperty(shrinking, 'frames', { get: () => (frameReads++ === 0 ? [VALID_FRAME, VALID_FRAME] : [VALID_FRAME]) });
    expect(encodeError(shrinking)).toMatchObject({ code: 'INCONSISTENT_PACKET', field: 'packet' });
  });

  it('stays correct when a getter re-enters encodePacket while the packet is being measured', () => {
    const inner: StreamPacket = { ...EMPTY, frames: Array.from({ length: 5 }, () => ({ type: FrameType.ConnectionMaxData, maxOffset: MAX_U64 }) as Frame) };
    const data: Frame = { type: FrameType.StreamData, streamId: 1n, offset: 0n, data: Buffer.alloc(300, 1) };
    const reentrant = {
      type: FrameType.StreamMoney,
      get streamId(): bigint {
        encodePacket(inner);
        return 5n;
      },
      shares: 1n,
    } as Frame;
    const plain: Frame = { type: FrameType.StreamMoney, streamId: 5n, shares: 1n };
    const expected = encodePacket({ ...EMPTY, frames: [data, plain, data] });
    expect(encodePacket({ ...EMPTY, frames: [data, reentrant, data] }).equals(expected)).toBe(true);
  });

  it('throws nothing but StreamEncodeError for arbitrary input', () => {
    const frameLike = fc.record({ type: fc.oneof(fc.constantFrom(...Object.values(FrameType).filter((v) => typeof v === 'number')), fc.anything()) }).chain((head) =>
      fc.dictionary(fc.constantFrom('streamId', 'shares', 'offset', 'data', 'errorCode', 'errorMessage', 'sourceAccount', 'receipt', 'maxOffset'), fc.anything()).map((rest) => ({ ...rest, ...head })),
    );
    const packetLike = fc.oneof(
      fc.anything(),
      fc.record({ sequence: fc.anything(), ilpPacketType: fc.constantFrom(12, 13, 14), prepareAmount: fc.anything(), frames: fc.anything() }),
      fc.record({ sequence: fc.constant(1n), ilpPacketType: fc.constantFrom(12, 13, 14), prepareAmount: fc.constant(1n), frames: fc.array(frameLike, { maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(packetLike, (packet) => {
        try {
          encodePacket(packet as StreamPacket);
        } catch (error) {
          if (!isStreamEncodeError(error)) throw error;
        }
      }),
      { seed: FUZZ_SEED, numRuns: 5_000 },
    );
  });
});
