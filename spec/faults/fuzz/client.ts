/**
 * A hand-driven STREAM client for attack specs: it builds one Prepare at a time from frames (or
 * from raw plaintext), hands it to the harness server, and decodes the reply with the session's keys.
 *
 * @example
 * ```ts
 * const client = new RawClient(harness, new Session(harness.server.generateAddressAndSecret(), 'live', 1));
 * const { reply, packet } = client.send([{ type: FrameType.StreamMoney, streamId: 1n, shares: 1n }], { amount: 100n });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { decodePacket, deserializeIlpReply, serializeIlpPrepare, type Frame, type IlpPrepare, type IlpReply, type StreamPacket } from '../../../lib';
import type { Harness } from './harness';
import { plaintextOf } from './packet-spec';
import type { Session } from './session';

/** How to wrap the STREAM packet in its Prepare. */
export interface SendOptions {
  readonly amount?: bigint;
  readonly prepareAmount?: bigint;
  /** A random condition: a test packet nobody can fulfill (29-6.1-a). */
  readonly unfulfillable?: boolean;
  readonly sequence?: bigint;
  /** Default: 30 s after the harness clock's now. */
  readonly expiresAt?: Date;
}

/** A reply, and its STREAM packet if it decrypts with the session's keys. */
export interface Answer {
  readonly bytes: Buffer;
  readonly prepare: Buffer;
  readonly reply: IlpReply;
  readonly packet: StreamPacket | undefined;
}

/**
 * Sends Prepares for one session.
 *
 * @example
 * ```ts
 * new RawClient(harness, session).send([], { amount: 0n }).reply.type; // 13 (Fulfill)
 * ```
 */
export class RawClient {
  constructor(
    private readonly harness: Harness,
    readonly session: Session,
  ) {}

  /** Sends a STREAM Prepare carrying `frames`. */
  send(frames: readonly Frame[], options: SendOptions = {}): Answer {
    const sequence = options.sequence ?? this.session.nextSequence++;
    const plaintext = plaintextOf({ sequence, prepareAmount: options.prepareAmount ?? 0n, amount: 0n, fulfillable: true, expired: false, frames });
    return this.sendPlaintext(plaintext, options);
  }

  /** Encrypts any plaintext and sends it. */
  sendPlaintext(plaintext: Buffer, options: SendOptions = {}): Answer {
    const data = this.session.keys.encrypt(plaintext);
    const prepare: IlpPrepare = {
      amount: options.amount ?? 0n,
      expiresAt: options.expiresAt ?? new Date(this.harness.scheduler.now() + 30_000),
      executionCondition: options.unfulfillable ? randomBytes(32) : this.session.keys.condition(data),
      destination: this.session.destination,
      data,
    };
    return this.deliver(serializeIlpPrepare(prepare));
  }

  /** Sends serialized Prepare bytes as they are (a replay). */
  deliver(prepare: Buffer): Answer {
    const bytes = this.harness.deliver(prepare);
    const reply = deserializeIlpReply(bytes);
    let packet: StreamPacket | undefined;
    try {
      packet = decodePacket(this.session.keys.decrypt(reply.data));
    } catch {
      packet = undefined;
    }
    return { bytes, prepare, reply, packet };
  }
}
