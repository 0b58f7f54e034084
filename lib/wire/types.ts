/**
 * The STREAM packet model (IL-RFC 29 §5): packet types, frame types, error codes and the
 * `Frame` union. Field names match the official test vectors (`StreamPacketFixtures.json`), so a
 * vector's `packet.frames[i]` minus its `name` is a `Frame`. Every VarUInt field is a `bigint`.
 *
 * @example
 * ```ts
 * const frame: Frame = { type: FrameType.StreamMoney, streamId: 1n, shares: 1n };
 * ```
 */

/** The ILP packet type a STREAM packet travels in (RFC 29 §5.2, RFC 27 §packet types). */
export enum IlpPacketType {
  Prepare = 12,
  Fulfill = 13,
  Reject = 14,
}

/** STREAM frame type ids (RFC 29 §5.3; 0x17 is the deprecated receipt frame that ilp-protocol-stream still sends). */
export enum FrameType {
  ConnectionClose = 0x01,
  ConnectionNewAddress = 0x02,
  ConnectionMaxData = 0x03,
  ConnectionDataBlocked = 0x04,
  ConnectionMaxStreamId = 0x05,
  ConnectionStreamIdBlocked = 0x06,
  ConnectionAssetDetails = 0x07,
  StreamClose = 0x10,
  StreamMoney = 0x11,
  StreamMaxMoney = 0x12,
  StreamMoneyBlocked = 0x13,
  StreamData = 0x14,
  StreamMaxData = 0x15,
  StreamDataBlocked = 0x16,
  StreamReceipt = 0x17,
}

/**
 * STREAM error codes (RFC 29 §5.4). Frames carry the raw u8, so codes outside this enum
 * (such as 255 in the vectors) are kept as plain numbers.
 */
export enum ErrorCode {
  NoError = 0x01,
  InternalError = 0x02,
  EndpointBusy = 0x03,
  FlowControlError = 0x04,
  StreamIdError = 0x05,
  StreamStateError = 0x06,
  FrameFormatError = 0x07,
  ProtocolViolation = 0x08,
  ApplicationError = 0x09,
}

/** Closes the connection; `errorCode` is any u8 (RFC 29 §5.3.1). */
export interface ConnectionCloseFrame {
  type: FrameType.ConnectionClose;
  errorCode: ErrorCode | number;
  errorMessage: string;
}
/** Announces the sender's ILP address (RFC 29 §5.3.2). */
export interface ConnectionNewAddressFrame {
  type: FrameType.ConnectionNewAddress;
  sourceAccount: string;
}
/** Connection-wide data limit: the sum of all stream offsets the sender may reach (RFC 29 §5.3.3). */
export interface ConnectionMaxDataFrame {
  type: FrameType.ConnectionMaxData;
  maxOffset: bigint;
}
/** The sender is blocked by the peer's connection data limit (RFC 29 §5.3.4). */
export interface ConnectionDataBlockedFrame {
  type: FrameType.ConnectionDataBlocked;
  maxOffset: bigint;
}
/** The largest stream id the peer may open (RFC 29 §5.3.5). */
export interface ConnectionMaxStreamIdFrame {
  type: FrameType.ConnectionMaxStreamId;
  maxStreamId: bigint;
}
/** The sender wants to open streams beyond the peer's limit (RFC 29 §5.3.6). */
export interface ConnectionStreamIdBlockedFrame {
  type: FrameType.ConnectionStreamIdBlocked;
  maxStreamId: bigint;
}
/** The sender's asset code and scale; code first, then scale (RFC 29 §5.3.14). */
export interface ConnectionAssetDetailsFrame {
  type: FrameType.ConnectionAssetDetails;
  sourceAssetCode: string;
  sourceAssetScale: number;
}
/** Closes one stream (RFC 29 §5.3.7). */
export interface StreamCloseFrame {
  type: FrameType.StreamClose;
  streamId: bigint;
  errorCode: ErrorCode | number;
  errorMessage: string;
}
/** This stream's share of the Prepare's amount (RFC 29 §5.3.8). */
export interface StreamMoneyFrame {
  type: FrameType.StreamMoney;
  streamId: bigint;
  shares: bigint;
}
/** Receive limit and total received, in the frame sender's units (RFC 29 §5.3.9). */
export interface StreamMaxMoneyFrame {
  type: FrameType.StreamMaxMoney;
  streamId: bigint;
  receiveMax: bigint;
  totalReceived: bigint;
}
/** The sender is blocked by the peer's receive limit (RFC 29 §5.3.10). */
export interface StreamMoneyBlockedFrame {
  type: FrameType.StreamMoneyBlocked;
  streamId: bigint;
  sendMax: bigint;
  totalSent: bigint;
}
/** Bytes of a stream at an offset (RFC 29 §5.3.11). */
export interface StreamDataFrame {
  type: FrameType.StreamData;
  streamId: bigint;
  offset: bigint;
  data: Buffer;
}
/** The largest offset the peer may send on a stream (RFC 29 §5.3.12). */
export interface StreamMaxDataFrame {
  type: FrameType.StreamMaxData;
  streamId: bigint;
  maxOffset: bigint;
}
/** The sender is blocked by the peer's stream data limit (RFC 29 §5.3.13). */
export interface StreamDataBlockedFrame {
  type: FrameType.StreamDataBlocked;
  streamId: bigint;
  maxOffset: bigint;
}
/** A STREAM receipt (deprecated RFC 39), still sent by ilp-protocol-stream. */
export interface StreamReceiptFrame {
  type: FrameType.StreamReceipt;
  streamId: bigint;
  receipt: Buffer;
}

/** Any STREAM frame this library understands. Unknown frame types are skipped when decoding. */
export type Frame =
  | ConnectionCloseFrame
  | ConnectionNewAddressFrame
  | ConnectionMaxDataFrame
  | ConnectionDataBlockedFrame
  | ConnectionMaxStreamIdFrame
  | ConnectionStreamIdBlockedFrame
  | ConnectionAssetDetailsFrame
  | StreamCloseFrame
  | StreamMoneyFrame
  | StreamMaxMoneyFrame
  | StreamMoneyBlockedFrame
  | StreamDataFrame
  | StreamMaxDataFrame
  | StreamDataBlockedFrame
  | StreamReceiptFrame;

/**
 * A decrypted STREAM packet (RFC 29 §5.2). `prepareAmount` is the minimum destination amount in a
 * Prepare and the amount that arrived in a Fulfill or Reject.
 */
export interface StreamPacket {
  sequence: bigint;
  ilpPacketType: IlpPacketType;
  prepareAmount: bigint;
  frames: Frame[];
}

/** The largest u64, 2^64 - 1: where oversized receiveMax/sendMax saturate (RFC 29 §5.1.4). */
export const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** The largest STREAM plaintext that fits the 32,767-byte ILP data field after the 28-byte envelope. */
export const MAX_PLAINTEXT_SIZE = 32_739;
