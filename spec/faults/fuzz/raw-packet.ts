/**
 * STREAM plaintext assembled piece by piece, so the fuzzer can put malformed parts where the
 * library's encoder never would: zero-length, too-wide or non-canonical VarUInts (E10, E12, E13),
 * frame counts larger than the frames present (E2), unknown frame types (E3), junk after the
 * frames (E34), other versions and packet types (29-5.2-a/b, E4).
 *
 * Well-formed frames come from the library's own encoder, so only the deliberately broken part is
 * hand-written.
 *
 * @example
 * ```ts
 * const plaintext = assemble({ type: 12, sequence: varUInt(1n), prepareAmount: varUInt(0n), frames: [] });
 * plaintext.toString('hex'); // '010c010101000100'
 * ```
 */
import { encodePacket, FrameType, IlpPacketType, type Frame } from '../../../lib';

/** The parts of a STREAM packet, each already as bytes. */
export interface RawPacket {
  readonly version?: number;
  readonly type: number;
  readonly sequence: Buffer;
  readonly prepareAmount: Buffer;
  /** The frame count as written; defaults to the canonical count of `frames`. */
  readonly count?: Buffer;
  readonly frames: readonly Buffer[];
  /** Bytes after the declared frames. */
  readonly trailer?: Buffer;
}

/**
 * Concatenates the parts in wire order.
 *
 * @example
 * ```ts
 * assemble({ type: 12, sequence: varUInt(1n), prepareAmount: varUInt(0n), frames: [] }).toString('hex'); // '010c010101000100'
 * ```
 */
export function assemble(raw: RawPacket): Buffer {
  return Buffer.concat([
    Buffer.from([raw.version ?? 1, raw.type]),
    raw.sequence,
    raw.prepareAmount,
    raw.count ?? varUInt(BigInt(raw.frames.length)),
    ...raw.frames,
    raw.trailer ?? Buffer.alloc(0),
  ]);
}

/**
 * The canonical OER length determinant of n.
 *
 * @example
 * ```ts
 * lengthPrefix(130).toString('hex'); // '8182'
 * ```
 */
export function lengthPrefix(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * The canonical VarUInt of value (zero is `01 00`).
 *
 * @example
 * ```ts
 * varUInt(0n).toString('hex');   // '0100'
 * varUInt(256n).toString('hex'); // '020100'
 * ```
 */
export function varUInt(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  if (bytes.length === 0) bytes.push(0);
  return Buffer.from([bytes.length, ...bytes]);
}

/**
 * value as a VarUInt of exactly `width` bytes with leading zeros (accepted within 8 bytes, E12).
 *
 * @example
 * ```ts
 * paddedVarUInt(5n, 2).toString('hex'); // '020005'
 * ```
 */
export function paddedVarUInt(value: bigint, width: number): Buffer {
  const canonical = varUInt(value).subarray(1);
  if (canonical.length > width) throw new RangeError(`${value} needs more than ${width} bytes`);
  return Buffer.concat([Buffer.from([width]), Buffer.alloc(width - canonical.length), canonical]);
}

/** VarUInt encodings every decoder must refuse, each with the checklist id it breaks. */
export const BAD_VARUINTS: ReadonlyArray<{ readonly id: string; readonly bytes: Buffer }> = [
  { id: 'E12 zero-length VarUInt', bytes: Buffer.from([0x00]) },
  { id: 'E10 9-byte VarUInt', bytes: Buffer.from([0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]) },
  { id: 'E10 16-byte VarUInt', bytes: Buffer.concat([Buffer.from([0x10]), Buffer.alloc(16, 0xff)]) },
  { id: 'E13 long-form length for a short VarUInt', bytes: Buffer.from([0x81, 0x01, 0x05]) },
  { id: 'E13 indefinite length 0x80', bytes: Buffer.from([0x80]) },
  { id: 'E13 length of length > 8', bytes: Buffer.concat([Buffer.from([0x89]), Buffer.alloc(9, 0)]) },
];

// encodePacket of a packet with sequence 0, amount 0 and one frame starts with these 8 bytes.
const SINGLE_FRAME_HEADER = 8;

/**
 * One frame, as the library encodes it; ConnectionNewAddress is written by hand, because the
 * encoder (rightly) refuses to send an address that is not one (E25), and a hostile peer need not.
 *
 * @example
 * ```ts
 * frameBytes({ type: FrameType.StreamMoney, streamId: 123n, shares: 0n }).toString('hex'); // '1104017b0100'
 * ```
 */
export function frameBytes(frame: Frame): Buffer {
  if (frame.type === FrameType.ConnectionNewAddress) {
    const address = Buffer.from(frame.sourceAccount, 'utf8');
    return rawFrame(FrameType.ConnectionNewAddress, Buffer.concat([lengthPrefix(address.length), address]));
  }
  const packet = encodePacket({ sequence: 0n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [frame] });
  return packet.subarray(SINGLE_FRAME_HEADER);
}

/**
 * A frame of any type byte with the given contents.
 *
 * @example
 * ```ts
 * rawFrame(0x59, Buffer.from('abc')).toString('hex'); // '5903616263'
 * ```
 */
export function rawFrame(type: number, contents: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), lengthPrefix(contents.length), contents]);
}

/**
 * Frame types RFC 29 §5.3 does not define (0x17, the deprecated receipt, is still decoded).
 *
 * @example
 * ```ts
 * isUnknownFrameType(0x17); // false
 * isUnknownFrameType(0x59); // true
 * ```
 */
export function isUnknownFrameType(type: number): boolean {
  return !((type >= 0x01 && type <= 0x07) || (type >= 0x10 && type <= 0x17));
}
