/**
 * Reads a BTP server URL (`btp+ws://user:token@host:port/path`, the form ilp-plugin-btp takes)
 * into what a WHATWG WebSocket needs: a `ws:`/`wss:` URL without credentials (browsers refuse
 * them in WebSocket URLs, and BTP sends them in its auth message instead, RFC 23
 * §Authentication), plus the username and token.
 *
 * @example
 * ```ts
 * parseBtpServerUrl('btp+ws://:secret@127.0.0.1:7768')
 * // { url: 'ws://127.0.0.1:7768/', username: '', token: 'secret' }
 * ```
 */
import { BtpPluginError } from './btp-errors';

/**
 * Where to connect and what to authenticate with.
 *
 * @example
 * ```ts
 * const { url, username, token }: BtpEndpoint = parseBtpServerUrl(server);
 * ```
 */
export interface BtpEndpoint {
  /** `ws://` or `wss://`, with no username or password. */
  readonly url: string;
  /** Sent as the `auth_username` sub-protocol; may be empty. */
  readonly username: string;
  /** Sent as the `auth_token` sub-protocol; may be empty (RFC 23 allows it). */
  readonly token: string;
}

const SCHEMES: Readonly<Record<string, string>> = { 'btp+ws:': 'ws:', 'btp+wss:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * Parses `server`. Throws {@link BtpPluginError} `INVALID_OPTION` for anything that is not a
 * `btp+ws`, `btp+wss`, `ws` or `wss` URL.
 *
 * @example
 * ```ts
 * parseBtpServerUrl('btp+wss://alice:s3cr%40t@connector.example/btp').token // 's3cr@t'
 * ```
 */
export function parseBtpServerUrl(server: unknown): BtpEndpoint {
  if (typeof server !== 'string') {
    throw new BtpPluginError('INVALID_OPTION', `server must be a btp+ws:// or btp+wss:// URL string, got ${server === null ? 'null' : typeof server}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(server);
  } catch {
    throw new BtpPluginError('INVALID_OPTION', 'server is not a valid URL');
  }
  const scheme = SCHEMES[parsed.protocol];
  if (scheme === undefined) {
    throw new BtpPluginError('INVALID_OPTION', `server must use btp+ws:, btp+wss:, ws: or wss:, got ${parsed.protocol}`);
  }
  const username = safeDecode(parsed.username);
  const token = safeDecode(parsed.password);
  // The WHATWG URL setter refuses to change a special scheme into a non-special one and back, so
  // build the socket URL from parts rather than by assigning `protocol`.
  const url = `${scheme}//${parsed.host}${parsed.pathname || '/'}${parsed.search}`;
  return { url, username, token };
}

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new BtpPluginError('INVALID_OPTION', 'server has a malformed percent-encoding in its credentials');
  }
}
