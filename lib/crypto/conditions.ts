/**
 * ILP conditions and fulfillments as STREAM uses them (RFC 29 §6): random conditions for packets
 * that must not be fulfilled, and the SHA-256 check of a returned fulfillment.
 *
 * @example
 * ```ts
 * const condition = fulfillable ? keys.condition(data) : randomCondition();
 * const ok = fulfillmentMatches(fulfill.fulfillment, condition);
 * ```
 */
import { backend } from './active-backend';
import { sha256Unchecked } from './hash';
import { pooledRandomBytes } from './random-pool';
import { requireBytes } from './validate';

/** Bytes in an ILP condition or fulfillment. */
export const CONDITION_LENGTH = 32;

/**
 * 32 CSPRNG bytes: a condition nobody can fulfill, for test packets, rate probes and close packets
 * (RFC 29 §6.1). The receiver still decrypts such a Prepare and replies with an authentic Reject.
 *
 * @example
 * ```ts
 * const probe = { amount: '1000', executionCondition: randomCondition(), ... };
 * ```
 */
export function randomCondition(): Buffer {
  return pooledRandomBytes(CONDITION_LENGTH);
}

/**
 * The condition a fulfillment satisfies: its SHA-256. Throws `CryptoInputError` unless
 * `fulfillment` is 32 bytes.
 *
 * @example
 * ```ts
 * conditionOf(Buffer.alloc(32)).toString('base64') // 'Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU='
 * ```
 */
export function conditionOf(fulfillment: Uint8Array): Buffer {
  return sha256Unchecked(requireBytes('fulfillment', fulfillment, { length: CONDITION_LENGTH }));
}

/**
 * True if `SHA-256(fulfillment)` equals `condition`, compared in constant time. A fulfillment or
 * condition of the wrong length (which a peer could send) is simply `false`; an argument that is
 * not bytes at all throws `CryptoInputError`.
 *
 * @example
 * ```ts
 * if (!fulfillmentMatches(reply.fulfillment, sentCondition)) treatAsReject();
 * ```
 */
export function fulfillmentMatches(fulfillment: Uint8Array, condition: Uint8Array): boolean {
  requireBytes('fulfillment', fulfillment);
  requireBytes('condition', condition);
  if (fulfillment.byteLength !== CONDITION_LENGTH || condition.byteLength !== CONDITION_LENGTH) return false;
  return backend.timingSafeEqual(sha256Unchecked(fulfillment), condition);
}
