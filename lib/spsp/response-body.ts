/**
 * The body of a successful SPSP query (IL-RFC 9 §Response Body): `destination_account` and
 * `shared_secret`, plus `receipts_enabled` from IL-RFC 39 §SPSP. Fields this library does not
 * know are ignored, as the RFC requires.
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret } = parseSpspBody('{"destination_account":"g.x","shared_secret":"..."}');
 * ```
 */
import { isIlpAddress } from '../wire/address';
import { SpspError } from './errors';
import { decodeSharedSecret } from './shared-secret';

/**
 * The connection details an SPSP endpoint handed out.
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret }: SpspCredentials = await querySpsp(pointer);
 * ```
 */
export interface SpspCredentials {
  /** The STREAM server's ILP address for this client (RFC 9: the `destination_account`). */
  readonly destinationAccount: string;
  /** The 32-byte STREAM shared secret, decoded. */
  readonly sharedSecret: Buffer;
  /** Whether the receiver will attach STREAM receipts (RFC 39); false when the field is absent. */
  readonly receiptsEnabled: boolean;
}

/**
 * Parses and validates an SPSP response body. Throws {@link SpspError} `INVALID_RESPONSE` whose
 * `field` is `body` (not a JSON object) or the JSON field at fault.
 *
 * @example
 * ```ts
 * const credentials = parseSpspBody(await response.text());
 * ```
 */
export function parseSpspBody(text: string): SpspCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpspError('INVALID_RESPONSE', 'body', 'is not JSON', { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpspError('INVALID_RESPONSE', 'body', `must be a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const body = json as Record<string, unknown>;
  const destination = body['destination_account'];
  if (!isIlpAddress(destination)) {
    throw new SpspError('INVALID_RESPONSE', 'destination_account', `must be an ILP address (RFC 15), got ${describe(destination)}`);
  }
  const sharedSecret = decodeSharedSecret(body['shared_secret'], 'shared_secret');
  const receipts = body['receipts_enabled'];
  if (receipts !== undefined && typeof receipts !== 'boolean') {
    throw new SpspError('INVALID_RESPONSE', 'receipts_enabled', `must be a boolean when present, got ${describe(receipts)}`);
  }
  return { destinationAccount: destination, sharedSecret, receiptsEnabled: receipts === true };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  return value === null ? 'null' : typeof value;
}
