/**
 * Writes one already-validated frame: type byte, length prefix, then the contents in RFC 29 §5.3
 * order. Validation and the content size come from `frameContentSize`; this file only lays bytes.
 *
 * @example
 * ```ts
 * writeFrame(writer, frame, frameContentSize(frame, 0));
 * ```
 */
import type { OerWriter } from './oer-writer';
import { FrameType, type Frame } from './types';

/**
 * Writes `frame` whose contents measure `contentSize` bytes.
 *
 * @example
 * ```ts
 * writeFrame(writer, { type: FrameType.StreamMoney, streamId: 1n, shares: 1n }, 4); // 11 04 0101 0101
 * ```
 */
export function writeFrame(writer: OerWriter, frame: Frame, contentSize: number): void {
  writer.writeUInt8(frame.type);
  writer.writeLength(contentSize);
  switch (frame.type) {
    case FrameType.ConnectionClose:
      writer.writeUInt8(frame.errorCode);
      writeString(writer, frame.errorMessage);
      return;
    case FrameType.ConnectionNewAddress:
      writeString(writer, frame.sourceAccount);
      return;
    case FrameType.ConnectionMaxData:
    case FrameType.ConnectionDataBlocked:
      writer.writeVarUInt(frame.maxOffset);
      return;
    case FrameType.ConnectionMaxStreamId:
    case FrameType.ConnectionStreamIdBlocked:
      writer.writeVarUInt(frame.maxStreamId);
      return;
    case FrameType.ConnectionAssetDetails:
      writeString(writer, frame.sourceAssetCode);
      writer.writeUInt8(frame.sourceAssetScale);
      return;
    case FrameType.StreamClose:
      writer.writeVarUInt(frame.streamId);
      writer.writeUInt8(frame.errorCode);
      writeString(writer, frame.errorMessage);
      return;
    case FrameType.StreamMoney:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarUInt(frame.shares);
      return;
    case FrameType.StreamMaxMoney:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarUInt(frame.receiveMax);
      writer.writeVarUInt(frame.totalReceived);
      return;
    case FrameType.StreamMoneyBlocked:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarUInt(frame.sendMax);
      writer.writeVarUInt(frame.totalSent);
      return;
    case FrameType.StreamData:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarUInt(frame.offset);
      writer.writeVarOctetString(frame.data);
      return;
    case FrameType.StreamMaxData:
    case FrameType.StreamDataBlocked:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarUInt(frame.maxOffset);
      return;
    case FrameType.StreamReceipt:
      writer.writeVarUInt(frame.streamId);
      writer.writeVarOctetString(frame.receipt);
      return;
  }
}

function writeString(writer: OerWriter, value: string): void {
  writer.writeUtf8(value, value.length === 0 ? 0 : Buffer.byteLength(value, 'utf8'));
}
