/**
 * Turns anything thrown into a short message that is safe to put in a Reject (RFC 27 caps the
 * message at 8191 UTF-8 bytes). Never throws, whatever it is given. Internal to the ILP layer.
 *
 * @example
 * ```ts
 * rejectT00(`plugin.sendData failed: ${describeError(err)}`)
 * ```
 */

/** Longest message this returns, in UTF-16 code units (at most 3 UTF-8 bytes each). */
const MAX_LENGTH = 1000;

/**
 * The message of an Error, or a string form of anything else, clipped to 1000 characters.
 *
 * @example
 * ```ts
 * describeError(new Error('socket closed')) // 'socket closed'
 * ```
 */
export function describeError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? error.message : String(error);
  } catch {
    text = 'an unprintable value';
  }
  return clipMessage(text);
}

/**
 * Clips `text` to 1000 UTF-16 code units so it fits a Reject's message.
 *
 * @example
 * ```ts
 * clipMessage('x'.repeat(5000)).length // 1000
 * ```
 */
export function clipMessage(text: string): string {
  return text.length <= MAX_LENGTH ? text : `${text.slice(0, MAX_LENGTH - 3)}...`;
}
