/**
 * The three ILPv4 packets (IL-RFC 27 §packet format) as plain objects with `bigint` amounts.
 * Decoded `Buffer` fields are views into the bytes they were decoded from.
 *
 * @example
 * ```ts
 * const prepare: IlpPrepare = { amount: 10n, expiresAt, executionCondition, destination: 'test.bob', data };
 * ```
 */
import { IlpPacketType } from '../wire/types';

/** An ILP Prepare: a conditional transfer of `amount` to `destination` until `expiresAt`. */
export interface IlpPrepare {
  /** Local amount, u64 in the sender's units. */
  amount: bigint;
  /** When the transfer expires; encoded to the millisecond in UTC. */
  expiresAt: Date;
  /** SHA-256 of the fulfillment that executes the transfer; 32 bytes. */
  executionCondition: Buffer;
  /** ILP address of the receiver (RFC 15). */
  destination: string;
  /** End-to-end data, 0..32767 bytes. */
  data: Buffer;
}

/** An ILP Fulfill: the preimage of the Prepare's condition, plus end-to-end data. */
export interface IlpFulfill {
  /** 32 bytes whose SHA-256 is the Prepare's `executionCondition`. */
  fulfillment: Buffer;
  /** End-to-end data, 0..32767 bytes. */
  data: Buffer;
}

/** An ILP Reject: why the Prepare was not fulfilled. */
export interface IlpReject {
  /** Three-character ILP error code such as `F08` (RFC 27 §error codes). */
  code: string;
  /** ILP address of whoever created the reject; may be empty. */
  triggeredBy: string;
  /** Human-readable reason, for debugging. */
  message: string;
  /** Error data, 0..32767 bytes (F08 carries its amounts here, F99 the application's reply). */
  data: Buffer;
}

/** A Fulfill tagged with its packet type, so it can travel in an {@link IlpReply}. */
export type IlpFulfillReply = { type: IlpPacketType.Fulfill } & IlpFulfill;

/** A Reject tagged with its packet type, so it can travel in an {@link IlpReply}. */
export type IlpRejectReply = { type: IlpPacketType.Reject } & IlpReject;

/**
 * The answer to a Prepare: a Fulfill or a Reject, told apart by `type`.
 *
 * @example
 * ```ts
 * if (reply.type === IlpPacketType.Fulfill) credit(reply.fulfillment); else retry(reply.code);
 * ```
 */
export type IlpReply = IlpFulfillReply | IlpRejectReply;
