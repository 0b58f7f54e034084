/**
 * Validates one frame and measures its contents: the bytes inside the frame's length prefix,
 * field by field in the order RFC 29 §5.3 lays them out. The encoder and the public size
 * functions both go through here, so a frame that measures also encodes.
 *
 * @example
 * ```ts
 * frameContentSize({ type: FrameType.StreamMoney, streamId: 123n, shares: 0n }, 0); // 4: 017b 0100
 * ```
 */
import { fail, addressFieldSize, bytesFieldSize, checkU8Field, describeValue, u64FieldSize, utf8FieldSize } from './field-checks';
import { FrameType, type Frame } from './types';

/**
 * Size in bytes of a frame's contents (without its type byte and length prefix), after checking
 * every field. `index` locates the frame for error paths (see `fieldPath`).
 *
 * @example
 * ```ts
 * frameContentSize({ type: FrameType.ConnectionMaxData, maxOffset: 0n }, LONE_FRAME); // 2
 * ```
 */
export function frameContentSize(frame: Frame, index: number): number {
  if (typeof frame !== 'object' || frame === null) fail('WRONG_TYPE', index, '', `must be a frame object, got ${describeValue(frame)}`);
  switch (frame.type) {
    case FrameType.ConnectionClose:
      checkU8Field(frame.errorCode, index, 'errorCode');
      return 1 + utf8FieldSize(frame.errorMessage, index, 'errorMessage');
    case FrameType.ConnectionNewAddress:
      return addressFieldSize(frame.sourceAccount, index, 'sourceAccount');
    case FrameType.ConnectionMaxData:
    case FrameType.ConnectionDataBlocked:
      return u64FieldSize(frame.maxOffset, index, 'maxOffset');
    case FrameType.ConnectionMaxStreamId:
    case FrameType.ConnectionStreamIdBlocked:
      return u64FieldSize(frame.maxStreamId, index, 'maxStreamId');
    case FrameType.ConnectionAssetDetails:
      checkU8Field(frame.sourceAssetScale, index, 'sourceAssetScale');
      return utf8FieldSize(frame.sourceAssetCode, index, 'sourceAssetCode') + 1;
    case FrameType.StreamClose:
      checkU8Field(frame.errorCode, index, 'errorCode');
      return u64FieldSize(frame.streamId, index, 'streamId') + 1 + utf8FieldSize(frame.errorMessage, index, 'errorMessage');
    case FrameType.StreamMoney:
      return u64FieldSize(frame.streamId, index, 'streamId') + u64FieldSize(frame.shares, index, 'shares');
    case FrameType.StreamMaxMoney:
      return (
        u64FieldSize(frame.streamId, index, 'streamId') +
        u64FieldSize(frame.receiveMax, index, 'receiveMax') +
        u64FieldSize(frame.totalReceived, index, 'totalReceived')
      );
    case FrameType.StreamMoneyBlocked:
      return (
        u64FieldSize(frame.streamId, index, 'streamId') +
        u64FieldSize(frame.sendMax, index, 'sendMax') +
        u64FieldSize(frame.totalSent, index, 'totalSent')
      );
    case FrameType.StreamData:
      return (
        u64FieldSize(frame.streamId, index, 'streamId') +
        u64FieldSize(frame.offset, index, 'offset') +
        bytesFieldSize(frame.data, index, 'data')
      );
    case FrameType.StreamMaxData:
    case FrameType.StreamDataBlocked:
      return u64FieldSize(frame.streamId, index, 'streamId') + u64FieldSize(frame.maxOffset, index, 'maxOffset');
    case FrameType.StreamReceipt:
      return u64FieldSize(frame.streamId, index, 'streamId') + bytesFieldSize(frame.receipt, index, 'receipt');
    default:
      return fail('UNKNOWN_FRAME_TYPE', index, 'type', `is not a STREAM frame type this codec encodes: ${describeValue((frame as { type: unknown }).type)}`);
  }
}
