/**
 * Random frames for the server fuzzer: the honest ones a client may send on a session (money,
 * data with the fixed content of {@link contentByte}, control frames with odd values, address and
 * asset details), and the single violations the RFC answers with a connection close.
 *
 * @example
 * ```ts
 * const frames = honestFrames(random, session); // a plausible frame list for the next Prepare
 * ```
 */
import { ErrorCode, FrameType, type Frame } from '../../../lib';
import { contentByteAt, isLimitedStream } from './harness';
import { BEYOND_ANY_WINDOW } from './packet-spec';
import type { Random } from './random';
import type { Session } from './session';

/** Honest data stays below this offset, far inside the 1 MiB stream window. */
const HONEST_DATA_LIMIT = 1n << 16n;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * `length` bytes of stream `id` from `offset`, as an honest client sends them ({@link contentByte}).
 *
 * @example
 * ```ts
 * content(1n, 0n, 3); // <Buffer 0d 14 1b>
 * ```
 */
export function content(id: bigint, offset: bigint, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  const idLow = Number(id & 0xffn);
  const offsetLow = Number(offset & 0xffff_ffffn);
  for (let i = 0; i < length; i++) bytes[i] = contentByteAt(idLow, offsetLow + i);
  return bytes;
}

/** An odd id the server would accept: open, or new within the limit. */
function usableId(random: Random, session: Session, limitedOk: boolean): bigint | undefined {
  const candidates = [...session.openStreamIds(), ...session.newStreamIds()].filter((id) => limitedOk || !isLimitedStream(id));
  return candidates.length === 0 ? undefined : random.pick(candidates);
}

/**
 * Money frames: to one stream (possibly limited), to several unlimited ones, or with odd shares.
 *
 * @example
 * ```ts
 * moneyFrames(random, session); // e.g. [StreamMoney { streamId: 3n, shares: 2n }]
 * ```
 */
export function moneyFrames(random: Random, session: Session): Frame[] {
  if (random.chance(0.35)) {
    const id = usableId(random, session, true);
    return id === undefined ? [] : [{ type: FrameType.StreamMoney, streamId: id, shares: BigInt(random.range(1, 5)) }];
  }
  const frames: Frame[] = [];
  const count = random.range(1, 3);
  for (let i = 0; i < count; i++) {
    const id = usableId(random, session, false);
    if (id === undefined) break;
    let shares = BigInt(random.range(1, 5));
    if (random.chance(0.05)) shares = 0n; // E14: zero shares
    if (random.chance(0.04)) shares = random.u64(); // E14: totals past 2^64
    frames.push({ type: FrameType.StreamMoney, streamId: id, shares });
  }
  return frames;
}

/**
 * StreamData from the first gap on (in order, filling it), as an identical re-send of earlier bytes
 * (E7, 29-5.3.11-c), or ahead of a gap (a few at a time, so reassembly is exercised, not flooded).
 *
 * @example
 * ```ts
 * dataFrame(random, session); // e.g. StreamData { streamId: 1n, offset: 0n, data: content(1n, 0n, 120) }
 * ```
 */
export function dataFrame(random: Random, session: Session): Frame | undefined {
  const id = usableId(random, session, true);
  if (id === undefined) return undefined;
  const stream = session.streams.get(id);
  const contiguous = stream?.contiguous ?? 0n;
  const end = stream?.dataEnd ?? 0n;
  let offset = contiguous;
  const roll = random.int(4);
  if (roll === 0 && end > 0n) offset = BigInt(random.int(Number(end)));
  else if (roll === 1 && end < HONEST_DATA_LIMIT && (stream?.ahead ?? 0) < 8) offset = end + BigInt(random.range(1, 1000));
  const length = random.chance(0.05) ? 0 : random.range(1, 300);
  return { type: FrameType.StreamData, streamId: id, offset, data: content(id, offset, length) };
}

/**
 * A control frame that changes nothing the model tracks, with whatever ids and values.
 *
 * @example
 * ```ts
 * controlFrame(random, session); // e.g. ConnectionMaxStreamId { maxStreamId: 2n ** 63n }
 * ```
 */
export function controlFrame(random: Random, session: Session): Frame {
  const anyId = (): bigint => (random.chance(0.5) ? (usableId(random, session, true) ?? 1n) : random.u64());
  switch (random.int(10)) {
    case 0:
      return { type: FrameType.ConnectionMaxData, maxOffset: random.u64() };
    case 1:
      return { type: FrameType.ConnectionDataBlocked, maxOffset: random.u64() };
    case 2:
      return { type: FrameType.ConnectionMaxStreamId, maxStreamId: random.u64() };
    case 3:
      return { type: FrameType.ConnectionStreamIdBlocked, maxStreamId: random.u64() };
    case 4:
      return { type: FrameType.StreamMaxMoney, streamId: anyId(), receiveMax: random.u64(), totalReceived: random.u64() };
    case 5:
      return { type: FrameType.StreamMoneyBlocked, streamId: anyId(), sendMax: random.u64(), totalSent: random.u64() };
    case 6:
      return { type: FrameType.StreamMaxData, streamId: anyId(), maxOffset: random.u64() };
    case 7:
      return { type: FrameType.StreamDataBlocked, streamId: anyId(), maxOffset: random.u64() };
    case 8:
      return { type: FrameType.StreamReceipt, streamId: anyId(), receipt: random.bytes(random.pick([0, 58, 100])) };
    default:
      // A StreamClose for a stream that is not open is ignored.
      return { type: FrameType.StreamClose, streamId: random.u64() | 1n, errorCode: random.int(256), errorMessage: 'x' };
  }
}

/**
 * ConnectionNewAddress with the session's own address, or an unroutable one (E25, E40).
 *
 * @example
 * ```ts
 * addressFrame(random, session); // ConnectionNewAddress { sourceAccount: 'test.fuzz.client.s1' } or 'private.'
 * ```
 */
export function addressFrame(random: Random, session: Session): Frame {
  const sourceAccount = random.chance(0.5) ? session.address : random.pick(['', 'private.', 'g', 'not an address', 'test.' + 'x'.repeat(1100)]);
  return { type: FrameType.ConnectionNewAddress, sourceAccount };
}

/**
 * ConnectionAssetDetails that agrees with what the session said before.
 *
 * @example
 * ```ts
 * assetFrame(random, session); // ConnectionAssetDetails { sourceAssetCode: 'ABC', sourceAssetScale: 2 }
 * ```
 */
export function assetFrame(random: Random, session: Session): Frame {
  const asset = session.asset ?? random.pick([{ code: 'ABC', scale: 2 }, { code: 'XRP', scale: 9 }, { code: '', scale: 0 }]);
  return { type: FrameType.ConnectionAssetDetails, sourceAssetCode: asset.code, sourceAssetScale: asset.scale };
}

/**
 * A frame for a stream the client closed earlier (E18).
 *
 * @example
 * ```ts
 * closedStreamFrame(random, session); // StreamMoney { streamId: 5n, shares: 1n } if stream 5 was closed
 * ```
 */
export function closedStreamFrame(random: Random, session: Session): Frame | undefined {
  const ids = session.closedStreamIds();
  if (ids.length === 0) return undefined;
  const id = random.pick(ids);
  return random.chance(0.5)
    ? { type: FrameType.StreamMoney, streamId: id, shares: 1n }
    : { type: FrameType.StreamData, streamId: id, offset: 0n, data: content(id, 0n, 3) };
}

/** The violations that close a connection, each named by its checklist id. */
export type ViolationId = 'E16' | 'E17' | 'E20' | 'E21' | 'E22' | 'E24' | 'E9';

/**
 * One violating frame list (or a sequence for E9) and the id it breaks.
 *
 * @example
 * ```ts
 * violation(random, session); // e.g. { id: 'E16', frames: [StreamMoney { streamId: 2n, shares: 1n }] }
 * ```
 */
export function violation(random: Random, session: Session): { id: ViolationId; frames: Frame[]; sequence?: bigint } {
  const ids: ViolationId[] = ['E16', 'E17', 'E20', 'E21', 'E22', 'E9'];
  if (session.asset) ids.push('E24');
  const usable = usableId(random, session, true);
  // Data violations need a stream the server would otherwise accept; without one, use a parity violation.
  const id = usable === undefined ? 'E16' : random.pick(ids);
  const streamId = usable ?? 1n;
  const either = (target: bigint): Frame =>
    random.chance(0.5) ? { type: FrameType.StreamMoney, streamId: target, shares: 1n } : { type: FrameType.StreamData, streamId: target, offset: 0n, data: content(target, 0n, 3) };
  switch (id) {
    case 'E16':
      return { id, frames: [either(random.chance(0.3) ? 0n : (random.u64() & ~1n) || 2n)] };
    case 'E17': {
      const over = session.maxStreamId + 1n + 2n * BigInt(random.int(3));
      const far = random.u64() | 1n;
      return { id, frames: [either(random.chance(0.5) && far > over ? far : over)] };
    }
    case 'E20': {
      const offset = BEYOND_ANY_WINDOW + BigInt(random.int(1_000_000));
      return { id, frames: [{ type: FrameType.StreamData, streamId, offset, data: content(streamId, offset, random.range(1, 40)) }] };
    }
    case 'E21': {
      const offset = random.chance(0.5) ? MAX_U64 - BigInt(random.int(10)) : (1n << 53n) + 1n;
      return { id, frames: [{ type: FrameType.StreamData, streamId, offset, data: random.bytes(random.range(11, 30)) }] };
    }
    case 'E22': {
      const start = session.streams.get(streamId)?.dataEnd ?? 0n;
      const first = content(streamId, start, 20);
      const second = content(streamId, start + 10n, 20);
      const at = random.int(10);
      second[at] = (second[at] as number) ^ 0xff; // a different byte where the two overlap
      return { id, frames: [{ type: FrameType.StreamData, streamId, offset: start, data: first }, { type: FrameType.StreamData, streamId, offset: start + 10n, data: second }] };
    }
    case 'E24': {
      const asset = session.asset as { code: string; scale: number };
      const frames: Frame[] = [{ type: FrameType.ConnectionAssetDetails, sourceAssetCode: asset.code + 'X', sourceAssetScale: asset.scale }];
      return { id, frames };
    }
    case 'E9':
      return { id, frames: [], sequence: 2n ** 31n + BigInt(random.int(1000)) };
  }
}

/**
 * A ConnectionClose from the client: the server ends the connection after this packet (29-5.3.1-a).
 *
 * @example
 * ```ts
 * peerCloseFrame(random); // ConnectionClose { errorCode: 1, errorMessage: 'bye' }
 * ```
 */
export function peerCloseFrame(random: Random): Frame {
  return { type: FrameType.ConnectionClose, errorCode: random.chance(0.5) ? ErrorCode.NoError : random.int(256), errorMessage: 'bye' };
}
