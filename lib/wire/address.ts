/**
 * ILP address syntax (RFC 15): an allocation scheme, then one or more `.`-separated segments of
 * `[a-zA-Z0-9_~-]`, at most 1023 characters in all.
 *
 * @example
 * ```ts
 * isIlpAddress('g.us.bank.alice'); // true
 * isIlpAddress('g');               // false: a scheme alone is not an address
 * ```
 */

/**
 * The longest ILP address RFC 15 allows, in characters.
 *
 * @example
 * ```ts
 * if (address.length > MAX_ILP_ADDRESS_LENGTH) reject();
 * ```
 */
export const MAX_ILP_ADDRESS_LENGTH = 1023;

// The RFC's pattern without its lookahead; the length is checked separately, before the regex runs.
const ILP_ADDRESS_PATTERN = /^(?:g|private|example|peer|self|test[1-3]?|local)(?:[.][a-zA-Z0-9_~-]+)+$/;

/**
 * True if `value` is a syntactically valid ILP address (RFC 15 §Address Requirements).
 *
 * @example
 * ```ts
 * isIlpAddress('example.alice'); // true
 * isIlpAddress('example.');      // false
 * ```
 */
export function isIlpAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ILP_ADDRESS_LENGTH && ILP_ADDRESS_PATTERN.test(value);
}
