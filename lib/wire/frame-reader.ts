/**
 * Reads one frame: `type:UInt8 ‖ contents:VarOctetString` (RFC 29 §5.3). Unknown types are
 * skipped by their length prefix (29-5.3-b); a known frame must use exactly the bytes its prefix
 * declares, no more and no fewer.
 *
 * @example
 * ```ts
 * const frame = readFrame(reader); // undefined for a frame type this codec does not know
 * ```
 */
import { StreamDecodeError } from './errors';
import type { OerReader } from './oer-reader';
import { FrameType, type Frame } from './types';

/**
 * Reads the frame at the reader's position; `undefined` when its type is unknown (skipped).
 *
 * @example
 * ```ts
 * readFrame(new OerReader(Buffer.from('1104017b0100', 'hex'))); // { type: 0x11, streamId: 123n, shares: 0n }
 * ```
 */
export function readFrame(reader: OerReader): Frame | undefined {
  const type = reader.readUInt8('frame type');
  const contentLength = reader.readLength('frame contents');
  const contentStart = reader.position;
  reader.enterFrame(contentLength);
  const frame = readContents(reader, type);
  reader.leaveFrame();
  const used = reader.position - contentStart;
  if (frame !== undefined && used !== contentLength) {
    throw new StreamDecodeError(
      'FRAME_LENGTH_MISMATCH',
      reader.position,
      `${FrameType[type]} frame declares ${contentLength} content byte(s) but its fields use ${used}`,
    );
  }
  reader.position = contentStart + contentLength;
  return frame;
}

function readContents(reader: OerReader, type: number): Frame | undefined {
  // One case per type with literal labels: a template label would allocate a string per field.
  switch (type) {
    case FrameType.ConnectionClose:
      return {
        type: FrameType.ConnectionClose,
        errorCode: reader.readUInt8('ConnectionClose.errorCode'),
        errorMessage: reader.readUtf8('ConnectionClose.errorMessage'),
      };
    case FrameType.ConnectionNewAddress:
      return { type: FrameType.ConnectionNewAddress, sourceAccount: reader.readUtf8('ConnectionNewAddress.sourceAccount') };
    case FrameType.ConnectionMaxData:
      return { type: FrameType.ConnectionMaxData, maxOffset: reader.readVarUInt('ConnectionMaxData.maxOffset') };
    case FrameType.ConnectionDataBlocked:
      return { type: FrameType.ConnectionDataBlocked, maxOffset: reader.readVarUInt('ConnectionDataBlocked.maxOffset') };
    case FrameType.ConnectionMaxStreamId:
      return { type: FrameType.ConnectionMaxStreamId, maxStreamId: reader.readVarUInt('ConnectionMaxStreamId.maxStreamId') };
    case FrameType.ConnectionStreamIdBlocked:
      return {
        type: FrameType.ConnectionStreamIdBlocked,
        maxStreamId: reader.readVarUInt('ConnectionStreamIdBlocked.maxStreamId'),
      };
    case FrameType.ConnectionAssetDetails:
      return {
        type: FrameType.ConnectionAssetDetails,
        sourceAssetCode: reader.readUtf8('ConnectionAssetDetails.sourceAssetCode'),
        sourceAssetScale: reader.readUInt8('ConnectionAssetDetails.sourceAssetScale'),
      };
    case FrameType.StreamClose:
      return {
        type: FrameType.StreamClose,
        streamId: reader.readVarUInt('StreamClose.streamId'),
        errorCode: reader.readUInt8('StreamClose.errorCode'),
        errorMessage: reader.readUtf8('StreamClose.errorMessage'),
      };
    case FrameType.StreamMoney:
      return {
        type: FrameType.StreamMoney,
        streamId: reader.readVarUInt('StreamMoney.streamId'),
        shares: reader.readVarUInt('StreamMoney.shares'),
      };
    case FrameType.StreamMaxMoney:
      return {
        type: FrameType.StreamMaxMoney,
        streamId: reader.readVarUInt('StreamMaxMoney.streamId'),
        receiveMax: reader.readSaturatingVarUInt('StreamMaxMoney.receiveMax'),
        totalReceived: reader.readVarUInt('StreamMaxMoney.totalReceived'),
      };
    case FrameType.StreamMoneyBlocked:
      return {
        type: FrameType.StreamMoneyBlocked,
        streamId: reader.readVarUInt('StreamMoneyBlocked.streamId'),
        sendMax: reader.readSaturatingVarUInt('StreamMoneyBlocked.sendMax'),
        totalSent: reader.readVarUInt('StreamMoneyBlocked.totalSent'),
      };
    case FrameType.StreamData:
      return {
        type: FrameType.StreamData,
        streamId: reader.readVarUInt('StreamData.streamId'),
        offset: reader.readVarUInt('StreamData.offset'),
        data: reader.readVarOctetString('StreamData.data'),
      };
    case FrameType.StreamMaxData:
      return {
        type: FrameType.StreamMaxData,
        streamId: reader.readVarUInt('StreamMaxData.streamId'),
        maxOffset: reader.readVarUInt('StreamMaxData.maxOffset'),
      };
    case FrameType.StreamDataBlocked:
      return {
        type: FrameType.StreamDataBlocked,
        streamId: reader.readVarUInt('StreamDataBlocked.streamId'),
        maxOffset: reader.readVarUInt('StreamDataBlocked.maxOffset'),
      };
    case FrameType.StreamReceipt:
      return {
        type: FrameType.StreamReceipt,
        streamId: reader.readVarUInt('StreamReceipt.streamId'),
        receipt: reader.readVarOctetString('StreamReceipt.receipt'),
      };
    default:
      return undefined;
  }
}
