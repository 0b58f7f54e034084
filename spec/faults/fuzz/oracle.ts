/**
 * Judges the server's reply to one fuzz input: it must be a well-formed ILP Fulfill or Reject, a
 * Fulfill must carry the preimage of the Prepare's condition, and the reply must be what the
 * input's {@link Expectation} says (F00, F02, F06 without data, or an authentic STREAM reply with
 * the predicted outcome, reject code and frames, closing the connection where the RFC says so).
 * Returns the problems found (none means the reply is right) and the money the reply credits.
 *
 * @example
 * ```ts
 * const verdict = judge(harness, input, harness.deliver(input.bytes));
 * if (verdict.problems.length > 0) fail(verdict.problems.join('\n'));
 * ```
 */
import { createHash } from 'node:crypto';
import {
  decodePacket,
  deserializeIlpPrepare,
  deserializeIlpReply,
  FrameType,
  IlpPacketType,
  type Frame,
  type IlpPrepare,
  type IlpReply,
  type StreamPacket,
} from '../../../lib';
import { SERVER_ASSET, type Harness } from './harness';
import type { FuzzInput } from './inputs';
import type { Session } from './session';

/** The outcome of judging one reply. */
export interface Verdict {
  readonly problems: string[];
  /** The amount of a fulfilled Prepare (what the server must have credited), else 0. */
  readonly fulfilledAmount: bigint;
  /** 'F00', 'F99', 'fulfill', ...: for the tally printed at the end. */
  readonly outcome: string;
}

/**
 * Judges one reply; updates the session model when the prediction is confirmed.
 *
 * @example
 * ```ts
 * judge(harness, input, harness.deliver(input.bytes)).problems; // [] when the reply is right
 * ```
 */
export function judge(harness: Harness, input: FuzzInput, replyBytes: Buffer): Verdict {
  const problems: string[] = [];
  let reply: IlpReply;
  try {
    reply = deserializeIlpReply(replyBytes);
  } catch (error) {
    return { problems: [`the reply is not a well-formed ILP Fulfill or Reject: ${String(error)}`], fulfilledAmount: 0n, outcome: 'malformed' };
  }
  let prepare: IlpPrepare | undefined;
  try {
    prepare = deserializeIlpPrepare(input.bytes);
  } catch {
    prepare = undefined;
  }
  const outcome = reply.type === IlpPacketType.Fulfill ? 'fulfill' : reply.code;
  let fulfilledAmount = 0n;
  if (reply.type === IlpPacketType.Fulfill) {
    if (!prepare) problems.push('a Prepare that does not parse was fulfilled');
    else if (!createHash('sha256').update(reply.fulfillment).digest().equals(prepare.executionCondition)) {
      problems.push('the fulfillment does not hash to the execution condition (27-Flow-11)');
    } else fulfilledAmount = prepare.amount;
  }

  const expectation = input.expectation;
  const rejectWithoutData = (code: string): void => {
    if (reply.type !== IlpPacketType.Reject || reply.code !== code) problems.push(`expected ${code}, got ${outcome}`);
    else if (reply.data.length > 0) problems.push(`${code} must carry no STREAM data (the sender is not authenticated), got ${reply.data.length} bytes`);
  };

  if (!prepare) {
    rejectWithoutData('F00');
    return { problems, fulfilledAmount, outcome };
  }
  switch (expectation.kind) {
    case 'not-a-prepare':
      // It parsed after all (random bytes rarely do): only the invariants apply.
      break;
    case 'anything':
      break;
    case 'unreachable':
      rejectWithoutData('F02');
      break;
    case 'unauthentic': {
      // A token whose connection does not exist yet needs a first packet that decrypts (E39 -> F02).
      const known = expectation.wrongType || harness.connectionStatus(expectation.session.token) !== undefined;
      rejectWithoutData(known ? 'F06' : 'F02');
      break;
    }
    case 'closed': {
      const packet = authenticReply(expectation.session, reply, prepare, expectation.sequence, problems);
      if (reply.type !== IlpPacketType.Reject || reply.code !== 'F99') problems.push(`a closed connection must answer F99, got ${outcome}`);
      if (packet && !packet.frames.some((f) => f.type === FrameType.ConnectionClose)) problems.push('a closed connection must answer with ConnectionClose');
      break;
    }
    case 'chaos':
      judgeChaos(harness, expectation.session, expectation.plaintext, reply, prepare, problems);
      break;
    case 'authentic': {
      const { session, spec, prediction } = expectation;
      const packet = authenticReply(session, reply, prepare, spec.sequence, problems);
      const fulfilled = reply.type === IlpPacketType.Fulfill;
      if (prediction.outcome === 'fulfill' && !fulfilled) problems.push(`expected a Fulfill, got ${outcome}`);
      const code = reply.type === IlpPacketType.Reject ? reply.code : undefined;
      if (prediction.outcome === 'reject' && code !== prediction.code) problems.push(`expected ${prediction.code}, got ${outcome}`);
      if (prediction.outcome === 'either' && !fulfilled && code !== prediction.code) problems.push(`expected a Fulfill or ${prediction.code}, got ${outcome}`);
      if (packet) {
        if (prediction.closeCode !== undefined) {
          const [only, ...rest] = packet.frames;
          if (only?.type !== FrameType.ConnectionClose || only.errorCode !== prediction.closeCode || rest.length > 0) {
            problems.push(`expected only ConnectionClose(code ${prediction.closeCode}), got ${describeFrames(packet.frames)}`);
          }
        }
        for (const wanted of prediction.mustContain) {
          if (!packet.frames.some((frame) => sameFrame(frame, wanted))) problems.push(`the reply lacks ${describeFrames([wanted])}: ${describeFrames(packet.frames)}`);
        }
        if (prediction.noFrames && packet.frames.length > 0) problems.push(`a duplicate sequence must be answered without frames, got ${describeFrames(packet.frames)}`);
        if (prediction.assetDetails && !packet.frames.some(isOurAssetDetails)) problems.push('ConnectionNewAddress was not answered with our ConnectionAssetDetails (I-16, E40)');
      }
      prediction.apply(fulfilled);
      const status = harness.connectionStatus(session.token);
      if (session.closed && status === 'live') problems.push('the connection is still open after the close');
      if (!session.closed && status === 'closed') problems.push('the server closed a connection the model expects open');
      break;
    }
  }
  return { problems, fulfilledAmount, outcome };
}

/** Decrypts and checks a reply that must be authentic (29-5.2-e, I-10); undefined if it is not. */
function authenticReply(session: Session, reply: IlpReply, prepare: IlpPrepare, sequence: bigint, problems: string[]): StreamPacket | undefined {
  let packet: StreamPacket;
  try {
    packet = decodePacket(session.keys.decrypt(reply.data));
  } catch (error) {
    problems.push(`the reply carries no authentic STREAM packet: ${String(error)}`);
    return undefined;
  }
  if (packet.sequence !== sequence) problems.push(`the reply echoes sequence ${packet.sequence}, not ${sequence}`);
  if (packet.ilpPacketType !== reply.type) problems.push(`the reply's STREAM type ${packet.ilpPacketType} does not match its ILP type ${reply.type}`);
  if (packet.prepareAmount !== prepare.amount) problems.push(`the reply's prepareAmount ${packet.prepareAmount} is not the arrived amount ${prepare.amount}`);
  return packet;
}

/** Random plaintext: F06/F02 exactly when it is not a STREAM Prepare, else an authentic reply. */
function judgeChaos(harness: Harness, session: Session, plaintext: Buffer, reply: IlpReply, prepare: IlpPrepare, problems: string[]): void {
  let decoded: StreamPacket | undefined;
  try {
    decoded = decodePacket(plaintext);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded.ilpPacketType !== IlpPacketType.Prepare) {
    const known = decoded !== undefined || harness.connectionStatus(session.token) !== undefined;
    const code = known ? 'F06' : 'F02';
    if (reply.type !== IlpPacketType.Reject || reply.code !== code || reply.data.length > 0) problems.push(`expected ${code} without data for plaintext that is not a STREAM Prepare`);
    return;
  }
  const packet = authenticReply(session, reply, prepare, decoded.sequence, problems);
  if (reply.type === IlpPacketType.Reject && reply.code !== 'F99' && reply.code !== 'R00') problems.push(`an authentic Prepare was rejected with ${reply.code}`);
  if (packet?.frames.some((f) => f.type === FrameType.ConnectionClose) || decoded.frames.some((f) => f.type === FrameType.ConnectionClose)) session.closed = true;
  if (harness.connectionStatus(session.token) === 'closed') session.closed = true;
}

function isOurAssetDetails(frame: Frame): boolean {
  return frame.type === FrameType.ConnectionAssetDetails && frame.sourceAssetCode === SERVER_ASSET.code && frame.sourceAssetScale === SERVER_ASSET.scale;
}

/** Same type and same fields, except free-text messages. */
function sameFrame(actual: Frame, wanted: Frame): boolean {
  if (actual.type !== wanted.type) return false;
  for (const [key, value] of Object.entries(wanted)) {
    if (key === 'errorMessage') continue;
    if ((actual as unknown as Record<string, unknown>)[key] !== value) return false;
  }
  return true;
}

function describeFrames(frames: readonly Frame[]): string {
  return `[${frames.map((f) => `${FrameType[f.type]}${JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`).join(', ')}]`;
}
