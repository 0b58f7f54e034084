/**
 * Sizes and limits of server address tokens (see connection-token.ts for the layout).
 *
 * @example
 * ```ts
 * if (tag.length > MAX_CONNECTION_TAG_LENGTH) throw new Error('tag too long');
 * ```
 */
import { ENCRYPTION_OVERHEAD } from './envelope';

/** Bytes of the server secret, which is the token's AES-256 key. */
export const SERVER_SECRET_LENGTH = 32;
/** Random bytes at the start of every token plaintext. */
export const TOKEN_NONCE_LENGTH = 18;
/** Bytes of an RFC 39 receipt nonce. */
export const RECEIPT_NONCE_LENGTH = 16;
/** Bytes of an RFC 39 receipt secret. */
export const RECEIPT_SECRET_LENGTH = 32;

/** RFC 15: an ILP address is at most 1023 characters. */
const MAX_ILP_ADDRESS_LENGTH = 1023;
/** The shortest address a token can follow, `g.a` plus the `.` before the token (RFC 15 needs a scheme and one more segment). */
const SHORTEST_SERVER_PREFIX = 'g.a.'.length;

/**
 * Longest token segment that can appear in any ILP address: 1019 characters. Longer strings are
 * refused without decoding them.
 */
export const MAX_TOKEN_SEGMENT_LENGTH = MAX_ILP_ADDRESS_LENGTH - SHORTEST_SERVER_PREFIX;

/**
 * Characters a connection tag may use: those that can go into an ILP address (RFC 15 segment
 * characters plus the `.` separator). ilp-protocol-stream 2.7.1 documents this rule ("Can only
 * include characters that can go into an ILP Address") without enforcing it; its releases before
 * 2.5.0 enforced `[a-zA-Z0-9_~-]`. The tag travels encrypted, so the rule is about portability,
 * not about the address.
 */
export const CONNECTION_TAG_PATTERN = /^[A-Za-z0-9._~-]+$/;

/**
 * Characters of base64url without padding for `bytes` bytes.
 *
 * @example
 * ```ts
 * base64urlLength(49) // 66
 * ```
 */
export function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/**
 * Characters of the address segment for a token with a `tagLength`-byte tag, with or without
 * receipt details.
 *
 * @example
 * ```ts
 * tokenSegmentLength(0, false) // 66
 * ```
 */
export function tokenSegmentLength(tagLength: number, withReceipts: boolean): number {
  const tagField = tagLength < 0x80 ? 1 + tagLength : tagLength < 0x100 ? 2 + tagLength : 3 + tagLength;
  const receiptFields = withReceipts ? 1 + RECEIPT_NONCE_LENGTH + 1 + RECEIPT_SECRET_LENGTH : 2;
  return base64urlLength(ENCRYPTION_OVERHEAD + TOKEN_NONCE_LENGTH + tagField + receiptFields);
}

/**
 * Longest connection tag: the largest for which a token with receipts still fits in an ILP
 * address after the shortest possible server address (665 characters). One fixed limit, rather
 * than one that depends on the receipt options, keeps the rule predictable. The server checks the
 * whole address against its real server address.
 */
export const MAX_CONNECTION_TAG_LENGTH: number = (() => {
  let length = 0;
  while (tokenSegmentLength(length + 1, true) <= MAX_TOKEN_SEGMENT_LENGTH) length++;
  return length;
})();
