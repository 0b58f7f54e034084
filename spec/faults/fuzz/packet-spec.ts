/**
 * A well-formed STREAM Prepare as the fuzzer describes it, how to serialize it (with the harmless
 * oddities a decoder must accept: unknown frames E3, junk after the frames E34, leading zeros E12),
 * and what the server must answer, predicted from the session model alone.
 *
 * The prediction follows RFC 29 and the decisions in DESIGN §3 and the checklist:
 * - wrong parity or id 0 (29-4.4.1-c, E16), 2^31 packets (29-5.1.3-a, E9), contradicting asset
 *   details (29-4.3.3-c, E24), overlapping different bytes (29-5.3.11-b, E22): ConnectionClose(ProtocolViolation);
 * - an id above our max stream id (29-3.3, E17): ConnectionClose(StreamIdError);
 * - data beyond the window (29-4.4.4-d, 29-4.5-b, E20, E21): ConnectionClose(FlowControlError);
 * - a frame for a closed stream (E18): F99 with StreamClose(StreamStateError), the connection stays;
 * - money above the receive max (E19): F99 with StreamMaxMoney; money nobody can take (E14, E15),
 *   an amount below the STREAM minimum (29-3.4-e), an unfulfillable condition (29-6.3-a): F99;
 * - an expired Prepare (E26): R00 with an authentic reply; nothing is credited.
 *
 * @example
 * ```ts
 * const spec: PacketSpec = { sequence: 1n, prepareAmount: 0n, amount: 10n, fulfillable: true, expired: false, frames: [money(1n, 1n)] };
 * const prediction = predict(session, spec); // { outcome: 'fulfill', ... }
 * ```
 */
import { ErrorCode, FrameType, IlpPacketType, type Frame } from '../../../lib';
import { isLimitedStream, LIMITED_RECEIVE_MAX } from './harness';
import { assemble, frameBytes, paddedVarUInt, varUInt } from './raw-packet';
import type { Session } from './session';

/** A Prepare the model can predict. */
export interface PacketSpec {
  readonly sequence: bigint;
  readonly prepareAmount: bigint;
  /** The ILP amount. */
  readonly amount: bigint;
  /** The condition is the STREAM one (otherwise random, a test packet). */
  readonly fulfillable: boolean;
  readonly expired: boolean;
  readonly frames: readonly Frame[];
  /** Unknown frames, inserted before the known frame with the same index (E3). */
  readonly unknownFrames?: ReadonlyArray<readonly [number, Buffer]>;
  /** Bytes after the frames (E34). */
  readonly trailer?: Buffer;
  /** Write the sequence with this many bytes, leading zeros included (E12). */
  readonly sequenceWidth?: number;
}

/** What the server must answer to an authentic Prepare. */
export interface Prediction {
  /** 'either' where the RFC leaves the choice open (a shares total above 2^64, E14). */
  readonly outcome: 'fulfill' | 'reject' | 'either';
  /** The ILP code of a reject. */
  readonly code: 'F99' | 'R00';
  /** We close the connection with this STREAM error code; the reply carries only that ConnectionClose. */
  readonly closeCode?: number;
  /** Frames the reply must carry (the reply may carry others too). */
  readonly mustContain: readonly Frame[];
  /** The reply must also carry ConnectionAssetDetails (the peer sent ConnectionNewAddress, I-16, E40). */
  readonly assetDetails: boolean;
  /** The reply must carry no frames at all (a duplicate sequence, E7: nothing of it is applied). */
  readonly noFrames?: boolean;
  /** Updates the model once the reply is known. */
  apply(fulfilled: boolean): void;
}

/**
 * What the server answers to a sequence it answered before (a duplicated or replayed Prepare, E7):
 * an authentic F99 with no frames, and nothing changes.
 *
 * @example
 * ```ts
 * const prediction = predictDuplicate(); // { outcome: 'reject', code: 'F99', noFrames: true, ... }
 * ```
 */
export function predictDuplicate(): Prediction {
  return { outcome: 'reject', code: 'F99', mustContain: [], assetDetails: false, noFrames: true, apply: () => undefined };
}

/**
 * The STREAM plaintext of a spec.
 *
 * @example
 * ```ts
 * plaintextOf({ sequence: 1n, prepareAmount: 0n, amount: 0n, fulfillable: true, expired: false, frames: [] }).toString('hex');
 * // '010c010101000100'
 * ```
 */
export function plaintextOf(spec: PacketSpec): Buffer {
  const frames: Buffer[] = [];
  const unknown = spec.unknownFrames ?? [];
  spec.frames.forEach((frame, index) => {
    for (const [at, bytes] of unknown) if (at === index) frames.push(bytes);
    frames.push(frameBytes(frame));
  });
  for (const [at, bytes] of unknown) if (at >= spec.frames.length) frames.push(bytes);
  return assemble({
    type: IlpPacketType.Prepare,
    sequence: spec.sequenceWidth ? paddedVarUInt(spec.sequence, spec.sequenceWidth) : varUInt(spec.sequence),
    prepareAmount: varUInt(spec.prepareAmount),
    frames,
    ...(spec.trailer ? { trailer: spec.trailer } : {}),
  });
}

/** The stream window is 1 MiB and the fuzzer's honest data stays far below it; this is far above. */
export const BEYOND_ANY_WINDOW = 1n << 22n;
const MAX_U64 = (1n << 64n) - 1n;

/** The most one packet may credit a stream with `room` left: room + 1 % (at least one unit). */
function allowance(room: bigint): bigint {
  return room <= 0n ? 0n : room + (room + 99n) / 100n;
}

/**
 * Predicts the server's answer to `spec` on a live connection of `session`.
 *
 * @example
 * ```ts
 * predict(session, { ...spec, frames: [money(2n, 1n)] }).closeCode; // ErrorCode.ProtocolViolation
 * ```
 */
export function predict(session: Session, spec: PacketSpec): Prediction {
  let close: { code: number; byRemote: boolean } | undefined;
  const fail = (code: number): void => {
    close ??= { code, byRemote: false };
  };
  if (spec.sequence >= 2n ** 31n) fail(ErrorCode.ProtocolViolation);

  const opened = new Set<bigint>();
  const isOpen = (id: bigint): boolean => opened.has(id) || session.streams.get(id)?.closed === false;
  const money: Array<[bigint, bigint]> = [];
  const data: Array<[bigint, bigint, Buffer]> = [];
  const closing: bigint[] = [];
  const mustContain: Frame[] = [];
  const toldClosed = new Set<bigint>();
  let reject = false;
  let assetDetails = false;
  let asset = session.asset;

  for (const frame of spec.frames) {
    switch (frame.type) {
      case FrameType.ConnectionClose:
        close ??= { code: frame.errorCode, byRemote: true };
        break;
      case FrameType.ConnectionNewAddress:
        assetDetails = true;
        break;
      case FrameType.ConnectionAssetDetails:
        if (asset && (asset.code !== frame.sourceAssetCode || asset.scale !== frame.sourceAssetScale)) fail(ErrorCode.ProtocolViolation);
        asset ??= { code: frame.sourceAssetCode, scale: frame.sourceAssetScale };
        break;
      case FrameType.StreamMoney:
      case FrameType.StreamData: {
        const id = frame.streamId;
        if (!isOpen(id)) {
          if (id === 0n || id % 2n === 0n) {
            fail(ErrorCode.ProtocolViolation);
            break;
          }
          if (session.streams.get(id)?.closed) {
            reject = true;
            if (!toldClosed.has(id)) mustContain.push({ type: FrameType.StreamClose, streamId: id, errorCode: ErrorCode.StreamStateError, errorMessage: 'stream is closed' });
            toldClosed.add(id);
            break;
          }
          if (id > session.maxStreamId) {
            fail(ErrorCode.StreamIdError);
            break;
          }
          opened.add(id);
        }
        if (frame.type === FrameType.StreamMoney) money.push([id, frame.shares]);
        else if (frame.offset + BigInt(frame.data.length) > BEYOND_ANY_WINDOW) fail(ErrorCode.FlowControlError);
        else if (frame.data.length > 0) data.push([id, frame.offset, frame.data]);
        break;
      }
      case FrameType.StreamClose:
        if (isOpen(frame.streamId)) closing.push(frame.streamId);
        break;
      default:
        break;
    }
  }
  if (!close && overlapsDifferently(data)) fail(ErrorCode.ProtocolViolation);

  const closed = (): void => {
    session.closed = true;
  };
  const settled = close;
  if (settled && !settled.byRemote) {
    return {
      outcome: 'reject',
      code: spec.expired ? 'R00' : 'F99',
      closeCode: settled.code,
      mustContain: [],
      assetDetails: false,
      apply: closed,
    };
  }

  if (spec.expired || spec.amount < spec.prepareAmount || !spec.fulfillable) reject = true;
  let outcome: Prediction['outcome'] = reject ? 'reject' : 'fulfill';
  const credits = reject ? new Map<bigint, bigint>() : attribute(session, spec.amount, money);
  if (!credits) outcome = 'reject'; // E14 (zero shares), E15 (no StreamMoney)
  else {
    const received = (id: bigint): bigint => session.streams.get(id)?.received ?? 0n;
    for (const [id, credit] of credits) {
      // E19: at most the room plus 1 %, and never a total past 2^64 - 1 (it must fit the reply).
      if (credit > allowance(receiveMaxOf(id) - received(id)) || received(id) + credit > MAX_U64) {
        outcome = 'reject';
        mustContain.push({ type: FrameType.StreamMaxMoney, streamId: id, receiveMax: receiveMaxOf(id), totalReceived: received(id) });
      }
    }
    if (outcome === 'fulfill') {
      // I-10: each credited stream's StreamMaxMoney with its new total.
      for (const [id, credit] of credits) mustContain.push({ type: FrameType.StreamMaxMoney, streamId: id, receiveMax: receiveMaxOf(id), totalReceived: received(id) + credit });
      let shares = 0n;
      for (const [, n] of money) shares += n;
      // E14: a shares total past 2^64 is computed exactly here; the RFC leaves accepting it open.
      if (shares > MAX_U64) outcome = 'either';
    }
  }

  return {
    outcome,
    code: spec.expired ? 'R00' : 'F99',
    mustContain,
    assetDetails,
    apply: (fulfilled) => {
      if (asset) session.asset = asset;
      for (const id of opened) session.streams.set(id, { id, closed: false, received: 0n, dataEnd: 0n, contiguous: 0n, ahead: 0 });
      if (fulfilled) {
        for (const [id, credit] of credits ?? []) {
          const stream = session.streams.get(id);
          if (stream) stream.received += credit;
        }
        for (const [id, offset, bytes] of data) {
          const stream = session.streams.get(id);
          if (!stream) continue;
          const end = offset + BigInt(bytes.length);
          if (offset > stream.dataEnd) stream.ahead += 1;
          if (end > stream.dataEnd) stream.dataEnd = end;
          if (offset <= stream.contiguous && end > stream.contiguous) stream.contiguous = end;
          if (stream.contiguous >= stream.dataEnd) stream.ahead = 0;
        }
      }
      for (const id of closing) {
        const stream = session.streams.get(id);
        if (stream && !stream.closed) {
          stream.closed = true;
          session.closedStreams += 1n;
        }
      }
      if (settled?.byRemote) closed();
    },
  };
}

function receiveMaxOf(id: bigint): bigint {
  return isLimitedStream(id) ? LIMITED_RECEIVE_MAX : MAX_U64;
}

/**
 * Splits `amount` by shares, flooring, with the remainder to the lowest-numbered stream that has
 * room for it, else the lowest (RFC 29 §5.3.8, 29-5.3.8-c); undefined if nobody can take money.
 */
function attribute(session: Session, amount: bigint, money: ReadonlyArray<readonly [bigint, bigint]>): Map<bigint, bigint> | undefined {
  const credits = new Map<bigint, bigint>();
  if (amount === 0n) return credits;
  let total = 0n;
  for (const [, shares] of money) total += shares;
  if (total === 0n) return undefined;
  let assigned = 0n;
  for (const [id, shares] of money) {
    const share = (amount * shares) / total;
    credits.set(id, (credits.get(id) ?? 0n) + share);
    assigned += share;
  }
  const remainder = amount - assigned;
  if (remainder > 0n) {
    const ids = [...credits.keys()].sort((a, b) => (a < b ? -1 : 1));
    const room = (id: bigint): bigint => receiveMaxOf(id) - (session.streams.get(id)?.received ?? 0n) - (credits.get(id) ?? 0n);
    const target = ids.find((id) => room(id) >= remainder) ?? (ids[0] as bigint);
    credits.set(target, (credits.get(target) ?? 0n) + remainder);
  }
  return credits;
}

/** True if two StreamData frames of the packet give different bytes for the same offset of a stream. */
function overlapsDifferently(data: ReadonlyArray<readonly [bigint, bigint, Buffer]>): boolean {
  for (let i = 0; i < data.length; i++) {
    for (let j = 0; j < i; j++) {
      const [idA, offA, a] = data[i] as readonly [bigint, bigint, Buffer];
      const [idB, offB, b] = data[j] as readonly [bigint, bigint, Buffer];
      if (idA !== idB) continue;
      for (let at = offA > offB ? offA : offB; at < offA + BigInt(a.length) && at < offB + BigInt(b.length); at++) {
        if (a[Number(at - offA)] !== b[Number(at - offB)]) return true;
      }
    }
  }
  return false;
}
