/**
 * The fuzzer's inputs: one serialized ILP Prepare at a time, each with what the server must answer.
 * It keeps a pool of client sessions (live ones whose frames are predicted exactly, chaos ones
 * that get random plaintext, and recently closed ones for late packets and replays) and mixes:
 *
 * - honest Prepares with every harmless oddity (unknown frames E3, junk E34, leading zeros E12,
 *   re-sent data, CNA/CAD E40, closed streams E18, limits E19, shares E14/E15, expiry E26, test
 *   packets, amounts below the minimum) and single violations that close the connection
 *   (E9, E16, E17, E20, E21, E22, E24);
 * - replays of earlier Prepares, byte for byte (E7: refused, nothing applied twice), and late
 *   packets to closed connections;
 * - authentic envelopes around broken plaintext: other STREAM packet types (E4), versions, bad
 *   VarUInts (E10, E12, E13), frame counts beyond the frames present (E2), frame length mismatches;
 * - undecryptable data (E1): random bytes, bit flips in IV, tag or ciphertext, short data;
 * - unknown tokens and foreign destinations (F02, E39), random and mutated ILP bytes (F00).
 *
 * @example
 * ```ts
 * const inputs = new FuzzInputs(harness, new Random(seed));
 * const input = inputs.next();
 * const reply = harness.deliver(input.bytes);
 * ```
 */
import { FrameType, IlpPacketType, serializeIlpPrepare, type Frame, type IlpPrepare } from '../../../lib';
import { addressFrame, assetFrame, closedStreamFrame, controlFrame, dataFrame, moneyFrames, peerCloseFrame, violation } from './frames';
import { CHAOS_TAG, SERVER_ACCOUNT, type Harness } from './harness';
import { plaintextOf, predict, predictDuplicate, type PacketSpec, type Prediction } from './packet-spec';
import type { Random } from './random';
import { brokenPlaintext } from './broken-plaintext';
import { isUnknownFrameType, rawFrame } from './raw-packet';
import { Session } from './session';
import { respelledToken } from './token-spelling';

/** What the server must answer to one input. */
export type Expectation =
  /** Bytes that are no ILP Prepare: F00 from the ILP layer. */
  | { readonly kind: 'not-a-prepare' }
  /** No connection can be found for it: F02 without data (I-9). */
  | { readonly kind: 'unreachable' }
  /** Not authentic STREAM data for the session: F06 without data (29-4.2-b, E1, E2, E4), or F02 before the connection exists. */
  | { readonly kind: 'unauthentic'; readonly session: Session; readonly wrongType: boolean }
  /** Authentic, on a live connection: the prediction says what. */
  | { readonly kind: 'authentic'; readonly session: Session; readonly spec: PacketSpec; readonly prediction: Prediction }
  /** Authentic, on a connection that has closed: F99 with ConnectionClose (29-5.3.1-a). */
  | { readonly kind: 'closed'; readonly session: Session; readonly sequence: bigint }
  /** Random plaintext: the answer must be consistent with what the plaintext decodes to. */
  | { readonly kind: 'chaos'; readonly session: Session; readonly plaintext: Buffer }
  /** Mangled ILP bytes that still parse: only the invariants are checked. */
  | { readonly kind: 'anything' };

/** One fuzz input. */
export interface FuzzInput {
  /** A short description, printed with a failure. */
  readonly label: string;
  readonly bytes: Buffer;
  readonly expectation: Expectation;
}

const LIVE_SESSIONS = 12;
const CHAOS_SESSIONS = 3;
const CLOSED_KEPT = 16;
const EXPIRY_MS = 30_000;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Generates inputs against one harness.
 *
 * @example
 * ```ts
 * const input = new FuzzInputs(harness, new Random(1)).next();
 * input.expectation.kind; // e.g. 'authentic'
 * ```
 */
export class FuzzInputs {
  private readonly live: Session[] = [];
  private readonly chaos: Session[] = [];
  private readonly closed: Session[] = [];
  private sessionCount = 0;

  constructor(
    private readonly harness: Harness,
    private readonly random: Random,
  ) {}

  /** Sessions not known to be closed: the server may keep a connection for each. */
  get openSessions(): number {
    return this.live.length + this.chaos.length;
  }

  /** Moves sessions the last reply closed out of the pools. */
  retireClosed(): void {
    for (const pool of [this.live, this.chaos]) {
      for (let i = pool.length - 1; i >= 0; i--) {
        const session = pool[i] as Session;
        if (!session.closed) continue;
        pool.splice(i, 1);
        this.closed.push(session);
        if (this.closed.length > CLOSED_KEPT) this.closed.shift();
      }
    }
  }

  /** The next input. */
  next(): FuzzInput {
    const roll = this.random.int(100);
    if (roll < 3) return this.randomBytes();
    if (roll < 7) return this.mutatedIlp();
    if (roll < 10) return this.foreign();
    if (roll < 16) return this.undecryptable();
    if (roll < 28) return this.brokenPlaintext();
    if (roll < 36) return this.chaosPlaintext();
    if (roll < 42) return this.replay();
    if (roll < 45) return this.late();
    if (roll < 50) return this.violating();
    return this.honest();
  }

  // ---- sessions -----------------------------------------------------------------------------

  private newSession(kind: Session['kind']): Session {
    this.sessionCount += 1;
    const credentials = this.harness.server.generateAddressAndSecret(kind === 'chaos' ? CHAOS_TAG : undefined);
    const session = new Session(credentials, kind, this.sessionCount);
    this.harness.registerClientAddress(session.address, session.keys);
    return session;
  }

  private liveSession(): Session {
    if (this.live.length < LIVE_SESSIONS) this.live.push(this.newSession('live'));
    return this.random.pick(this.live);
  }

  private chaosSession(): Session {
    if (this.chaos.length < CHAOS_SESSIONS) this.chaos.push(this.newSession('chaos'));
    return this.random.pick(this.chaos);
  }

  // ---- ILP envelopes ------------------------------------------------------------------------

  private prepare(session: Session, data: Buffer, amount: bigint, fulfillable = true, expired = false): IlpPrepare {
    const now = this.harness.scheduler.now();
    return {
      amount,
      expiresAt: new Date(expired ? now - this.random.int(2) * 1000 : now + EXPIRY_MS),
      executionCondition: fulfillable ? session.keys.condition(data) : this.random.bytes(32),
      destination: this.destination(session),
      data,
    };
  }

  /**
   * Mostly the session's address. Extra segments after the token still reach the connection
   * (29-4.2-a); another spelling of the same token bytes reaches the same connection too (E7: an
   * alias must not open a second one where replays would be applied again).
   */
  private destination(session: Session): string {
    const roll = this.random.int(100);
    if (roll < 5) return `${session.destination}.extra~segment`;
    const alias = roll < 10 ? respelledToken(session.token, (choices) => this.random.pick(choices)) : undefined;
    return alias === undefined ? session.destination : `${SERVER_ACCOUNT}.${alias}`;
  }

  private amount(): bigint {
    const roll = this.random.int(10);
    if (roll < 3) return 0n;
    if (roll < 8) return BigInt(this.random.range(1, 2000));
    return this.random.u64();
  }

  // ---- the kinds of input -------------------------------------------------------------------

  private randomBytes(): FuzzInput {
    const bytes = this.random.bytes(this.random.int(200));
    if (this.random.chance(0.5) && bytes.length > 0) bytes[0] = IlpPacketType.Prepare;
    return { label: 'random bytes', bytes, expectation: { kind: 'not-a-prepare' } };
  }

  private mutatedIlp(): FuzzInput {
    // A chaos session: a flip in the amount or expiry leaves the STREAM data valid, and the server
    // then applies frames the model would not know about.
    const session = this.chaosSession();
    const data = session.keys.encrypt(plaintextOf(this.honestSpec(session, true)));
    const bytes = Buffer.from(serializeIlpPrepare(this.prepare(session, data, this.amount())));
    const flips = this.random.range(1, 4);
    for (let i = 0; i < flips; i++) {
      const at = this.random.int(bytes.length);
      bytes[at] = this.random.chance(0.5) ? this.random.int(256) : (bytes[at] as number) ^ (1 << this.random.int(8));
    }
    const cut = this.random.chance(0.2) ? bytes.subarray(0, this.random.int(bytes.length)) : bytes;
    // Whatever the server answers, the invariants hold; the spec checks F00 when it does not parse.
    return { label: 'mutated ILP bytes', bytes: cut, expectation: { kind: 'anything' } };
  }

  private foreign(): FuzzInput {
    const session = this.liveSession();
    const data = session.keys.encrypt(plaintextOf(this.honestSpec(session)));
    const destination = this.random.pick([
      'test.other.receiver',
      `${SERVER_ACCOUNT}x.${session.token}`,
      `${SERVER_ACCOUNT}.${this.random.bytes(18).toString('base64url')}`,
      `${SERVER_ACCOUNT}.${flipMiddle(session.token)}`,
      SERVER_ACCOUNT,
    ]);
    const prepare = { ...this.prepare(session, data, this.amount()), destination };
    return { label: `foreign destination ${destination.slice(0, 40)}`, bytes: serializeIlpPrepare(prepare), expectation: { kind: 'unreachable' } };
  }

  private undecryptable(): FuzzInput {
    const session = this.random.chance(0.15) && this.closed.length > 0 ? this.random.pick(this.closed) : this.liveSession();
    const valid = session.keys.encrypt(plaintextOf(this.honestSpec(session)));
    let data: Buffer;
    let label: string;
    switch (this.random.int(4)) {
      case 0:
        data = this.random.bytes(this.random.range(1, 27));
        label = 'E1 data shorter than the envelope';
        break;
      case 1:
        data = this.random.bytes(this.random.range(28, 300));
        label = 'E1 random data';
        break;
      case 2: {
        data = Buffer.from(valid);
        const at = this.random.int(data.length);
        data[at] = (data[at] as number) ^ (1 << this.random.int(8));
        label = `E1 bit flip at ${at} (${at < 12 ? 'IV' : at < 28 ? 'tag' : 'ciphertext'})`;
        break;
      }
      default:
        data = valid.subarray(0, this.random.range(28, valid.length - 1));
        label = 'E1 truncated ciphertext';
    }
    const prepare = this.prepare(session, data, this.amount());
    return { label, bytes: serializeIlpPrepare(prepare), expectation: { kind: 'unauthentic', session, wrongType: false } };
  }

  private brokenPlaintext(): FuzzInput {
    const session = this.liveSession();
    const { plaintext, label, wrongType } = brokenPlaintext(this.random, session.nextSequence++);
    const prepare = this.prepare(session, session.keys.encrypt(plaintext), BigInt(this.random.range(0, 1000)));
    return { label, bytes: serializeIlpPrepare(prepare), expectation: { kind: 'unauthentic', session, wrongType } };
  }

  private chaosPlaintext(): FuzzInput {
    const session = this.chaosSession();
    let plaintext: Buffer;
    let label: string;
    if (this.random.chance(0.3)) {
      plaintext = this.random.bytes(this.random.int(120));
      if (plaintext.length > 1 && this.random.chance(0.7)) {
        plaintext[0] = 1;
        plaintext[1] = IlpPacketType.Prepare;
      }
      label = 'random plaintext';
    } else {
      plaintext = Buffer.from(plaintextOf(this.honestSpec(session, true)));
      const flips = this.random.range(1, 3);
      for (let i = 0; i < flips; i++) {
        const at = this.random.range(2, Math.max(2, plaintext.length - 1));
        if (at < plaintext.length) plaintext[at] = this.random.int(256);
      }
      label = 'mutated plaintext';
    }
    const prepare = this.prepare(session, session.keys.encrypt(plaintext), this.amount(), this.random.chance(0.9));
    return { label, bytes: serializeIlpPrepare(prepare), expectation: { kind: 'chaos', session, plaintext } };
  }

  private replay(): FuzzInput {
    const sessions = [...this.live, ...this.closed].filter((s) => s.sent.length > 0);
    if (sessions.length === 0) return this.honest();
    const session = this.random.pick(sessions);
    const packet = this.random.pick(session.sent);
    // The same bytes again (E7): a sequence the server answered before is refused, unless the
    // connection has closed (then it says so); from 2^31 the close itself answers.
    const expectation: Expectation = session.closed
      ? { kind: 'closed', session, sequence: packet.spec.sequence }
      : { kind: 'authentic', session, spec: packet.spec, prediction: packet.spec.sequence >= 2n ** 31n ? predict(session, packet.spec) : predictDuplicate() };
    return { label: `E7 replay of sequence ${packet.spec.sequence}`, bytes: packet.bytes, expectation };
  }

  private late(): FuzzInput {
    if (this.closed.length === 0) return this.honest();
    const session = this.random.pick(this.closed);
    const spec = this.honestSpec(session);
    const prepare = this.prepare(session, session.keys.encrypt(plaintextOf(spec)), spec.amount, spec.fulfillable, spec.expired);
    return { label: '29-5.3.1-a packet for a closed connection', bytes: serializeIlpPrepare(prepare), expectation: { kind: 'closed', session, sequence: spec.sequence } };
  }

  private violating(): FuzzInput {
    const session = this.liveSession();
    const broken = violation(this.random, session);
    const honest = this.honestSpec(session, false, false);
    const frames = [...honest.frames];
    frames.splice(this.random.int(frames.length + 1), 0, ...broken.frames);
    const spec: PacketSpec = { ...honest, frames, ...(broken.sequence === undefined ? {} : { sequence: broken.sequence }) };
    return this.authentic(session, spec, `${broken.id} violation`);
  }

  private honest(): FuzzInput {
    const session = this.liveSession();
    return this.authentic(session, this.honestSpec(session), 'honest');
  }

  private authentic(session: Session, spec: PacketSpec, label: string): FuzzInput {
    const prepare = this.prepare(session, session.keys.encrypt(plaintextOf(spec)), spec.amount, spec.fulfillable, spec.expired);
    const bytes = serializeIlpPrepare(prepare);
    session.remember({ bytes, spec });
    const expectation: Expectation = { kind: 'authentic', session, spec, prediction: predict(session, spec) };
    // Described only when read (on a failure): most inputs never need it.
    return {
      get label() {
        return `${label} ${describeSpec(spec)}`;
      },
      bytes,
      expectation,
    };
  }

  /** A Prepare an honest client might send, with the oddities a receiver must tolerate. */
  private honestSpec(session: Session, anyFrames = false, mayClose = true): PacketSpec {
    const r = this.random;
    const frames: Frame[] = [];
    if (r.chance(0.6)) frames.push(...moneyFrames(r, session));
    if (r.chance(0.3)) {
      const data = dataFrame(r, session);
      if (data) frames.push(data);
    }
    if (r.chance(0.2)) frames.push(controlFrame(r, session));
    if (r.chance(0.06)) frames.push(addressFrame(r, session));
    if (r.chance(0.06)) frames.push(assetFrame(r, session));
    if (r.chance(0.08)) {
      const open = session.openStreamIds().filter((id) => !frames.some((f) => 'streamId' in f && f.streamId === id));
      if (open.length > 0) frames.push({ type: FrameType.StreamClose, streamId: r.pick(open), errorCode: r.int(10), errorMessage: '' });
    }
    if (r.chance(0.05)) {
      const closed = closedStreamFrame(r, session);
      if (closed) frames.push(closed);
    }
    if (mayClose && !anyFrames && r.chance(0.01)) frames.push(peerCloseFrame(r));
    const amount = this.amount();
    const roll = r.int(20);
    const prepareAmount = roll === 0 && amount < MAX_U64 ? amount + 1n : roll === 1 ? r.u64() : roll < 10 ? 0n : amount / BigInt(r.range(1, 4));
    const unknownFrames: Array<readonly [number, Buffer]> = [];
    if (r.chance(0.1)) {
      let type = r.int(256);
      while (!isUnknownFrameType(type)) type = r.int(256);
      unknownFrames.push([r.int(frames.length + 1), rawFrame(type, r.bytes(r.int(20)))]);
    }
    const trailerRoll = r.int(20);
    return {
      sequence: session.nextSequence++,
      prepareAmount,
      amount,
      fulfillable: r.chance(0.93),
      expired: r.chance(0.04),
      frames,
      ...(unknownFrames.length > 0 ? { unknownFrames } : {}),
      ...(trailerRoll === 0 ? { trailer: Buffer.alloc(r.range(1, 30)) } : trailerRoll === 1 ? { trailer: r.bytes(r.range(1, 30)) } : {}),
      ...(r.chance(0.05) ? { sequenceWidth: 8 } : {}),
    };
  }
}

function describeSpec(spec: PacketSpec): string {
  const frames = spec.frames.map((f) => FrameType[f.type] + ('streamId' in f ? `(${f.streamId})` : '')).join(',');
  return `seq=${spec.sequence} amount=${spec.amount} min=${spec.prepareAmount}${spec.fulfillable ? '' : ' unfulfillable'}${spec.expired ? ' expired' : ''} [${frames}]`;
}

/**
 * The token with one character in its middle changed, so it decodes to different bytes. (The last
 * character of base64url can carry unused bits, so changing it may decode to the same bytes.)
 */
function flipMiddle(token: string): string {
  const at = Math.floor(token.length / 2);
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}
