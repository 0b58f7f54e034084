/**
 * Authentic envelopes around broken STREAM plaintext: what a decoder must refuse, so the server
 * answers F06 without STREAM data (29-4.2-b) and applies none of the frames: another STREAM packet
 * type (29-5.2-c, E4), another version (29-5.2-a), an unknown packet type (29-5.2-b), bad VarUInts
 * in the header or inside a frame (E10, E12, E13), frame counts beyond the frames present and
 * frames cut short or longer than their fields (E2).
 *
 * @example
 * ```ts
 * const { plaintext, label, wrongType } = brokenPlaintext(random, 7n);
 * session.keys.encrypt(plaintext); // the data of a Prepare the server must refuse with F06
 * ```
 */
import { FrameType, IlpPacketType } from '../../../lib';
import type { Random } from './random';
import { assemble, BAD_VARUINTS, frameBytes, rawFrame, varUInt } from './raw-packet';

/** Broken plaintext, what it breaks, and whether it is a well-formed packet of the wrong type (E4). */
export interface BrokenPlaintext {
  readonly plaintext: Buffer;
  readonly label: string;
  readonly wrongType: boolean;
}

/**
 * One piece of broken plaintext; each would open stream 1 and credit it if it were accepted.
 *
 * @example
 * ```ts
 * brokenPlaintext(new Random(1), 7n).label; // e.g. 'E2 8 frames declared, 1 present'
 * ```
 */
export function brokenPlaintext(random: Random, sequenceNumber: bigint): BrokenPlaintext {
  const sequence = varUInt(sequenceNumber);
  const amount = varUInt(0n);
  const money = frameBytes({ type: FrameType.StreamMoney, streamId: 1n, shares: 1n });
  const bad = random.pick(BAD_VARUINTS);
  let plaintext: Buffer;
  let label: string;
  let wrongType = false;
  switch (random.int(8)) {
    case 0: {
      const type = random.pick([IlpPacketType.Fulfill, IlpPacketType.Reject]);
      // Frames that would open a stream and credit it, if the packet were processed.
      plaintext = assemble({ type, sequence, prepareAmount: amount, frames: [money] });
      label = `E4 STREAM type ${type} in a Prepare`;
      wrongType = true;
      break;
    }
    case 1: {
      const version = random.pick([0, 2, 255]);
      plaintext = assemble({ version, type: IlpPacketType.Prepare, sequence, prepareAmount: amount, frames: [money] });
      label = `29-5.2-a version ${version}`;
      break;
    }
    case 2: {
      const type = random.pick([0, 11, 15, 255]);
      plaintext = assemble({ type, sequence, prepareAmount: amount, frames: [money] });
      label = `29-5.2-b packet type ${type}`;
      break;
    }
    case 3: {
      const field = random.int(3);
      plaintext = assemble({
        type: IlpPacketType.Prepare,
        sequence: field === 0 ? bad.bytes : sequence,
        prepareAmount: field === 1 ? bad.bytes : amount,
        count: field === 2 ? bad.bytes : varUInt(1n),
        frames: [money],
      });
      label = `${bad.id} in the ${['sequence', 'prepareAmount', 'frame count'][field]}`;
      break;
    }
    case 4: {
      const contents = random.chance(0.5) ? Buffer.concat([bad.bytes, varUInt(1n)]) : Buffer.concat([varUInt(1n), bad.bytes]);
      plaintext = assemble({ type: IlpPacketType.Prepare, sequence, prepareAmount: amount, frames: [rawFrame(FrameType.StreamMoney, contents)] });
      label = `${bad.id} inside a StreamMoney frame`;
      break;
    }
    case 5: {
      const extra = random.range(1, 1000);
      plaintext = assemble({ type: IlpPacketType.Prepare, sequence, prepareAmount: amount, count: varUInt(BigInt(1 + extra)), frames: [money] });
      label = `E2 ${1 + extra} frames declared, 1 present`;
      break;
    }
    case 6: {
      const declared = random.chance(0.5) ? 200 : 2;
      const truncated = Buffer.concat([Buffer.from([FrameType.StreamMoney, declared]), varUInt(1n)]);
      plaintext = assemble({ type: IlpPacketType.Prepare, sequence, prepareAmount: amount, frames: [truncated] });
      label = `E2 StreamMoney cut short (declares ${declared} content bytes, holds 2)`;
      break;
    }
    default: {
      // A known frame whose contents are longer than its fields (an extra byte inside the frame).
      const contents = Buffer.concat([varUInt(1n), varUInt(1n), Buffer.from([0])]);
      plaintext = assemble({ type: IlpPacketType.Prepare, sequence, prepareAmount: amount, frames: [rawFrame(FrameType.StreamMoney, contents)] });
      label = 'E2 frame contents longer than its fields';
    }
  }
  return { plaintext, label, wrongType };
}
