/**
 * Other spellings of a connection token: base64url decoders ignore the unused low bits of the last
 * character, so several strings carry the same token bytes. A server must treat them as one token.
 */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A different string that decodes to the same bytes as `token`, or `undefined` if its last
 * character has no unused bits (the token's length is a multiple of 3 bytes).
 *
 * @example
 * ```ts
 * const alias = respelledToken(session.token); // e.g. '...Ah' for '...Ag'
 * ```
 */
export function respelledToken(token: string, pick: (choices: string[]) => string = (choices) => choices[0] as string): string | undefined {
  const bytes = Buffer.from(token, 'base64url');
  const choices = [...BASE64URL]
    .map((last) => token.slice(0, -1) + last)
    .filter((candidate) => candidate !== token && Buffer.from(candidate, 'base64url').equals(bytes));
  return choices.length === 0 ? undefined : pick(choices);
}
