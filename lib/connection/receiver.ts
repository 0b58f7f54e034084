/**
 * The receiving half of a connection: given an authentic incoming STREAM Prepare, decide whether
 * to fulfill it, which frames the reply carries, and what changes. Synchronous and free of I/O;
 * the connection encrypts the reply and applies the close decisions after answering.
 *
 * Order of checks (RFC 29 §4.4 and the research checklist):
 * stream ids (parity 29-4.4.1-c, limit E17, closed streams E18) → connection-level rules →
 * expiry (E26) → minimum destination amount (29-3.4-e) → condition (29-6.3-a) → money attribution
 * (29-5.3.8, E14, E15) → receive limits (E19) → credit.
 *
 * @example
 * ```ts
 * const decision = receivePacket(context, packet, prepare.amount, { fulfillable: true, expired: false });
 * ```
 */
import { ErrorCode, FrameType, type Frame, type StreamPacket } from '../wire/types';
import type { DataAndMoneyStream } from '../stream/stream';
import type { StreamRegistry } from './stream-registry';
import { conflictWithinPacket } from './overlapping-data';
import { attributeMoney, creditOf } from './money-attribution';

/**
 * What the receiver needs from its connection.
 *
 * @example
 * ```ts
 * // A Connection is one; a test can stand in for a server:
 * const context: ReceiverContext = {
 *   registry: new StreamRegistry(true, host),
 *   announceStream: (stream) => opened.push(stream),
 *   setRemoteAddress: (address) => (remote = address),
 *   setRemoteAssetDetails: () => true,
 *   addressReplyFrames: () => [],
 *   takeQueuedFrames: () => [],
 *   data: new DataWindows(1_048_576),
 * };
 * receivePacket(context, packet, 100n, { fulfillable: true, expired: false });
 * ```
 */
export interface ReceiverContext {
  readonly registry: StreamRegistry;
  /** Emits a stream the peer opened, before any money is credited to it. */
  announceStream(stream: DataAndMoneyStream): void;
  /** The peer's ConnectionNewAddress. */
  setRemoteAddress(address: string): void;
  /** The peer's ConnectionAssetDetails; false if it contradicts what we knew (29-4.3.3-c). */
  setRemoteAssetDetails(code: string, scale: number): boolean;
  /** Frames that answer a ConnectionNewAddress (our asset details and stream limit, I-16). */
  addressReplyFrames(): Frame[];
  /** Control frames waiting to ride on the next packet or reply. */
  takeQueuedFrames(): Frame[];
  /** Connection-wide data flow control (RFC 29 §4.5), both directions. */
  readonly data: ConnectionDataContext;
}

/**
 * The connection's share of data flow control.
 *
 * @example
 * ```ts
 * const data: ConnectionDataContext = new DataWindows(1_048_576);
 * data.limit;              // 1_048_576n
 * data.addReceived(1000n); // a fulfilled packet took the peer 1,000 bytes further
 * data.received;           // 1000n
 * ```
 */
export interface ConnectionDataContext {
  /** Σ over streams of the highest offset the peer reached. */
  readonly received: bigint;
  /** The most `received` may reach: Σ consumed + the connection window (our ConnectionMaxData). */
  readonly limit: bigint;
  /** The limit, as it goes into a frame to the peer (it then counts as heard). */
  advertiseLimit(): bigint;
  /** Adds to `received`. */
  addReceived(bytes: bigint): void;
  /** The peer's ConnectionMaxData; limits only grow (29-4.4.4-c). */
  applyRemoteLimit(maxOffset: bigint): void;
}

/**
 * Facts about the ILP Prepare the STREAM packet arrived in.
 *
 * @example
 * ```ts
 * // How answerPrepare fills them in:
 * const facts: PrepareFacts = {
 *   fulfillable: fulfillmentMatches(keys.fulfillment(prepare.data), prepare.executionCondition),
 *   expired: prepare.expiresAt.getTime() <= now(),
 * };
 * receivePacket(context, packet, prepare.amount, facts);
 * ```
 */
export interface PrepareFacts {
  /** SHA-256 of the fulfillment we would give matches the Prepare's condition. */
  readonly fulfillable: boolean;
  /** The Prepare's expiry has passed. */
  readonly expired: boolean;
}

/**
 * A connection close decided while handling a packet (the peer's, or ours).
 *
 * @example
 * ```ts
 * const { close } = receivePacket(context, packet, amount, facts);
 * // the peer sent ConnectionClose(NoError): { code: ErrorCode.NoError, message: '', byRemote: true }
 * // a client used stream id 2 with a server:
 * // { code: ErrorCode.ProtocolViolation, message: 'stream id 2 has the wrong parity', byRemote: false }
 * ```
 */
export interface CloseDecision {
  readonly code: ErrorCode | number;
  readonly message: string;
  /** True if the peer closed; false if we close because of the peer. */
  readonly byRemote: boolean;
}

/**
 * The receiver's verdict on one incoming Prepare.
 *
 * @example
 * ```ts
 * // A server gets 100 units with StreamMoney { streamId: 1n, shares: 1n }:
 * const decision = receivePacket(context, packet, 100n, { fulfillable: true, expired: false });
 * decision.fulfill;                                      // true
 * decision.credits.map(([stream, n]) => [stream.id, n]); // [[1n, 100n]]
 * decision.frames; // [StreamMaxMoney { streamId: 1n, receiveMax: MAX_U64, totalReceived: 100n }]
 * ```
 */
export interface ReceiveDecision {
  readonly fulfill: boolean;
  readonly frames: Frame[];
  /** Money credited per stream (only when fulfilled). */
  readonly credits: ReadonlyArray<readonly [DataAndMoneyStream, bigint]>;
  /** Streams whose bytes were accepted (only when fulfilled): deliver them after replying. */
  readonly dataStreams: readonly DataAndMoneyStream[];
  readonly close?: CloseDecision;
  readonly closedStreams: ReadonlyArray<readonly [DataAndMoneyStream, ErrorCode | number, string]>;
}

/**
 * Packets numbered 2^31 and above are refused: a connection ends before either side sends 2^31 (29-5.1.3-a).
 *
 * @example
 * ```ts
 * MAX_PACKET_SEQUENCE; // 2_147_483_648n
 * receivePacket(context, { ...packet, sequence: MAX_PACKET_SEQUENCE }, 0n, facts).close;
 * // { code: ErrorCode.ProtocolViolation, message: 'peer exceeded 2^31 packets', byRemote: false }
 * ```
 */
export const MAX_PACKET_SEQUENCE = 2n ** 31n;

/**
 * Handles one incoming STREAM packet carried by a Prepare of `amount` units.
 *
 * @example
 * ```ts
 * const { fulfill, frames } = receivePacket(ctx, packet, 1000n, { fulfillable: true, expired: false });
 * ```
 */
export function receivePacket(
  context: ReceiverContext,
  packet: StreamPacket,
  amount: bigint,
  facts: PrepareFacts,
): ReceiveDecision {
  const { registry } = context;
  const frames: Frame[] = [];
  const money: Array<[DataAndMoneyStream, bigint]> = [];
  const closedStreams: Array<[DataAndMoneyStream, ErrorCode | number, string]> = [];
  const data: Array<readonly [DataAndMoneyStream, bigint, Buffer]> = [];
  const limitsAsked = new Set<DataAndMoneyStream>();
  let connectionLimitAsked = false;
  let close: CloseDecision | undefined;
  let reject = false;
  let answeredAddress = false;
  const toldClosed = new Set<bigint>();

  const fail = (code: ErrorCode, message: string): void => {
    close ??= { code, message, byRemote: false };
  };

  if (packet.sequence >= MAX_PACKET_SEQUENCE) fail(ErrorCode.ProtocolViolation, 'peer exceeded 2^31 packets');

  for (const frame of packet.frames) {
    switch (frame.type) {
      case FrameType.ConnectionClose:
        close ??= { code: frame.errorCode, message: frame.errorMessage, byRemote: true };
        break;
      case FrameType.ConnectionNewAddress:
        context.setRemoteAddress(frame.sourceAccount);
        // Once per packet, however many the peer sent: replies must stay small (E35).
        if (!answeredAddress) frames.push(...context.addressReplyFrames());
        answeredAddress = true;
        break;
      case FrameType.ConnectionAssetDetails:
        if (!context.setRemoteAssetDetails(frame.sourceAssetCode, frame.sourceAssetScale)) {
          fail(ErrorCode.ProtocolViolation, 'asset details changed during the connection');
        }
        break;
      case FrameType.ConnectionMaxStreamId:
        registry.raiseRemoteMax(frame.maxStreamId);
        break;
      case FrameType.StreamMoney:
      case FrameType.StreamData: {
        const check = registry.checkRemoteId(frame.streamId);
        if (check === 'wrong-parity') {
          fail(ErrorCode.ProtocolViolation, `stream id ${frame.streamId} has the wrong parity`);
        } else if (check === 'over-limit') {
          fail(ErrorCode.StreamIdError, `stream id ${frame.streamId} exceeds the limit ${registry.localMaxStreamId}`);
        } else if (check === 'closed') {
          reject = true;
          // One StreamClose per stream id, however many frames named it.
          if (!toldClosed.has(frame.streamId)) {
            toldClosed.add(frame.streamId);
            frames.push({ type: FrameType.StreamClose, streamId: frame.streamId, errorCode: ErrorCode.StreamStateError, errorMessage: 'stream is closed' });
          }
        } else {
          const stream = check === 'open-new' ? openRemoteStream(context, frame.streamId) : registry.streams.get(frame.streamId);
          if (stream && frame.type === FrameType.StreamMoney) money.push([stream, frame.shares]);
          if (stream && frame.type === FrameType.StreamData) {
            // Checked now (a violation closes the connection), kept only if the packet is fulfilled:
            // a Reject NACKs the bytes and the peer sends them again (29-3.6-a).
            const violation = stream.checkData(frame.offset, frame.data);
            if (violation === 'flow-control') fail(ErrorCode.FlowControlError, `stream ${frame.streamId} data beyond the limit ${stream.incoming.maxOffset}`);
            else if (violation === 'overlap') fail(ErrorCode.ProtocolViolation, `stream ${frame.streamId} data overlaps different bytes at ${frame.offset}`);
            else if (violation === 'too-fragmented') fail(ErrorCode.FlowControlError, `stream ${frame.streamId} data leaves more gaps than ${stream.incoming.heldSegmentLimit} held segments`);
            else if (frame.data.length > 0) data.push([stream, frame.offset, frame.data]);
            limitsAsked.add(stream);
          }
        }
        break;
      }
      case FrameType.StreamMaxData:
        registry.streams.get(frame.streamId)?.outgoing.applyRemoteMax(frame.maxOffset);
        break;
      case FrameType.ConnectionMaxData:
        context.data.applyRemoteLimit(frame.maxOffset);
        break;
      case FrameType.StreamDataBlocked: {
        // The peer waits on our limit: the reply tells it the current one.
        const stream = registry.streams.get(frame.streamId);
        if (stream) limitsAsked.add(stream);
        break;
      }
      case FrameType.ConnectionDataBlocked:
        connectionLimitAsked = true;
        break;
      case FrameType.StreamMaxMoney: {
        const stream = registry.streams.get(frame.streamId);
        stream?.applyRemoteMaxMoney(frame.receiveMax, frame.totalReceived);
        break;
      }
      case FrameType.StreamClose: {
        const stream = registry.streams.get(frame.streamId);
        if (stream) closedStreams.push([stream, frame.errorCode, frame.errorMessage]);
        break;
      }
      default:
        // Blocked frames are informational (29-4.4.4-e); data flow control arrives with data streams.
        break;
    }
  }

  const conflict = close ? undefined : conflictWithinPacket(data);
  if (conflict !== undefined) fail(ErrorCode.ProtocolViolation, `stream ${conflict} data frames of one packet overlap with different bytes`);

  if (!close && exceedsConnectionLimit(context.data, data)) {
    fail(ErrorCode.FlowControlError, `connection data beyond the limit ${context.data.limit}`);
  }

  if (close && !close.byRemote) {
    return { fulfill: false, frames: [connectionCloseFrame(close)], credits: [], dataStreams: [], close, closedStreams: [] };
  }

  if (facts.expired || amount < packet.prepareAmount || !facts.fulfillable) reject = true;

  const credits = reject ? undefined : attributeMoney(amount, money, frames);
  if (!credits) {
    frames.push(...limitFrames(context, limitsAsked, connectionLimitAsked));
    return { fulfill: false, frames: [...frames, ...context.takeQueuedFrames()], credits: [], dataStreams: [], ...(close ? { close } : {}), closedStreams };
  }
  const dataStreams = new Set<DataAndMoneyStream>();
  for (const [stream, offset, bytes] of data) {
    context.data.addReceived(stream.acceptData(offset, bytes));
    dataStreams.add(stream);
  }
  frames.push(...limitFrames(context, limitsAsked, connectionLimitAsked));
  for (const [stream] of credits) {
    frames.push({ type: FrameType.StreamMaxMoney, streamId: stream.id, receiveMax: stream.receiveMax, totalReceived: stream.totals.received + creditOf(credits, stream) });
    stream.receiveMaxAdvertised = true;
    stream.receiveMaxRaiseUrgent = false;
  }
  return { fulfill: true, frames: [...frames, ...context.takeQueuedFrames()], credits, dataStreams: [...dataStreams], ...(close ? { close } : {}), closedStreams };
}

/** True if the packet's bytes would take the peer past our ConnectionMaxData (29-4.5-b, E20). */
function exceedsConnectionLimit(connection: ConnectionDataContext, data: ReadonlyArray<readonly [DataAndMoneyStream, bigint, Buffer]>): boolean {
  if (data.length === 0) return false;
  const highest = new Map<DataAndMoneyStream, bigint>();
  for (const [stream, offset, bytes] of data) {
    const end = offset + BigInt(bytes.length);
    const seen = highest.get(stream) ?? stream.incoming.highestOffset;
    if (end > seen) highest.set(stream, end);
  }
  let growth = 0n;
  for (const [stream, end] of highest) growth += end - stream.incoming.highestOffset;
  return connection.received + growth > connection.limit;
}

/**
 * Our current limits for the streams that sent bytes or said they were blocked, and the
 * connection's: they ride on every reply to such a packet, so a sending peer always knows them.
 */
function limitFrames(context: ReceiverContext, streams: ReadonlySet<DataAndMoneyStream>, connectionAsked: boolean): Frame[] {
  const frames: Frame[] = [];
  for (const stream of streams) {
    if (stream.state === 'closed') continue;
    stream.advertisedMaxData = stream.incoming.maxOffset;
    frames.push({ type: FrameType.StreamMaxData, streamId: stream.id, maxOffset: stream.advertisedMaxData });
  }
  if (frames.length > 0 || connectionAsked) frames.push({ type: FrameType.ConnectionMaxData, maxOffset: context.data.advertiseLimit() });
  return frames;
}

function openRemoteStream(context: ReceiverContext, id: bigint): DataAndMoneyStream {
  const stream = context.registry.openRemote(id);
  context.announceStream(stream);
  return stream;
}

function connectionCloseFrame(close: CloseDecision): Frame {
  return { type: FrameType.ConnectionClose, errorCode: close.code, errorMessage: close.message };
}
