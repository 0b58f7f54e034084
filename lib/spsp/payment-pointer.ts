/**
 * Payment pointers (IL-RFC 26): `"$" host path-abempty` resolves to `"https://" host path-abempty`,
 * an empty path or `/` becoming `/.well-known/pay`. SPSP clients should also take a raw endpoint
 * URL (IL-RFC 9 §Specification), so an absolute `https:` URL is accepted as it is.
 *
 * Production is HTTPS only, as both RFCs require. `allowHttp` is a test and local-development
 * switch, and it only ever applies to `localhost`, `127.0.0.1` and `[::1]`.
 *
 * @example
 * ```ts
 * resolvePaymentPointer('$example.com/alice').href; // 'https://example.com/alice'
 * ```
 */
import { SpspError } from './errors';
import { isLoopbackHost, isPointerHost } from './host';

/**
 * How to resolve a payment pointer or endpoint URL.
 *
 * @example
 * ```ts
 * const options: ResolvePaymentPointerOptions = { allowHttp: process.env.NODE_ENV === 'test' };
 * ```
 */
export interface ResolvePaymentPointerOptions {
  /**
   * Tests and local development only: accept a plain `http:` endpoint URL, and let a payment
   * pointer carry a port and resolve to `http:`, when (and only when) its host is `localhost`,
   * `127.0.0.1` or `[::1]`. Default false; production endpoints are always HTTPS.
   */
  readonly allowHttp?: boolean;
}

/**
 * Longest pointer or URL accepted. RFC 26 sets no limit; this one is far above any real
 * endpoint and bounds the work done on hostile input.
 *
 * @example
 * ```ts
 * if (input.length > MAX_PAYMENT_POINTER_LENGTH) showError('too long');
 * ```
 */
export const MAX_PAYMENT_POINTER_LENGTH = 2048;

const WELL_KNOWN_PATH = '/.well-known/pay';
// RFC 3986 pchar minus pct-encoded (checked separately): unreserved / sub-delims / ":" / "@".
const PATH_CHARACTER = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;
const PERCENT_ESCAPE = /^%[0-9A-Fa-f]{2}$/;
// A dot segment, spelled plainly or percent-encoded, which URL parsers collapse.
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Resolves a payment pointer to its SPSP endpoint URL (IL-RFC 26 §Payment Setup Protocol Receiver
 * Endpoint Resolution), or checks and returns a raw endpoint URL. Throws {@link SpspError}
 * `INVALID_POINTER` for anything outside the RFC's syntax (no `$`, userinfo, a port, a query, a
 * fragment, a host that is not a DNS name or IP address, a character outside the path grammar,
 * a dot segment, non-ASCII), `INSECURE_URL` for an `http:` URL that `allowHttp` does not cover,
 * and `INVALID_ARGUMENT` for a non-string. Input is not trimmed.
 *
 * @param pointer - `$host[/path]`, or an absolute `https:` URL
 * @returns the endpoint to `GET`
 *
 * @example
 * ```ts
 * resolvePaymentPointer('$example.com').href;            // 'https://example.com/.well-known/pay'
 * resolvePaymentPointer('https://example.com/spsp/bob').href; // unchanged
 * resolvePaymentPointer('$localhost:3000/bob', { allowHttp: true }).href; // 'http://localhost:3000/bob'
 * ```
 */
export function resolvePaymentPointer(pointer: string, options: ResolvePaymentPointerOptions = {}): URL {
  const allowHttp = readAllowHttp(options);
  if (typeof pointer !== 'string') {
    throw new SpspError('INVALID_ARGUMENT', 'paymentPointer', `must be a string, got ${pointer === null ? 'null' : typeof pointer}`);
  }
  if (pointer.length === 0 || pointer.length > MAX_PAYMENT_POINTER_LENGTH) {
    throw new SpspError('INVALID_POINTER', 'paymentPointer', `must be 1 to ${MAX_PAYMENT_POINTER_LENGTH} characters, got ${pointer.length}`);
  }
  const bad = [...pointer].findIndex((c) => c < '!' || c > '~');
  if (bad >= 0) {
    // RFC 26 limits pointers to ASCII; a raw URL is held to the same so IDNA cannot swap its host.
    throw new SpspError('INVALID_POINTER', 'paymentPointer', `has a space, control or non-ASCII character at index ${bad}`);
  }
  return pointer.startsWith('$') ? resolvePointer(pointer, allowHttp) : checkEndpointUrl(pointer, allowHttp, 'paymentPointer');
}

/**
 * Checks an endpoint URL (a raw one, or where an endpoint redirected to): absolute, `https:` (or
 * `http:` to a loopback host with `allowHttp`), no userinfo, no fragment. A query is allowed:
 * IL-RFC 9 says clients treat the endpoint URL as opaque.
 *
 * @example
 * ```ts
 * checkEndpointUrl('https://example.com/spsp?u=7', false, 'paymentPointer'); // URL
 * ```
 */
export function checkEndpointUrl(value: string, allowHttp: boolean, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SpspError('INVALID_POINTER', field, 'is neither a payment pointer (it has no leading "$") nor an absolute URL');
  }
  if (url.protocol === 'http:') {
    if (!allowHttp) throw new SpspError('INSECURE_URL', field, 'is http: (SPSP is HTTPS only; pass allowHttp for a loopback test endpoint)');
    if (!isLoopbackHost(url.hostname)) throw new SpspError('INSECURE_URL', field, `is http: to ${url.hostname}: allowHttp only covers localhost, 127.0.0.1 and [::1]`);
  } else if (url.protocol !== 'https:') {
    throw new SpspError('INVALID_POINTER', field, `has scheme ${url.protocol} (only https: is an SPSP endpoint)`);
  }
  // A "trusted.example@evil.example" authority is a classic way to disguise a host.
  if (url.username !== '' || url.password !== '') throw new SpspError('INVALID_POINTER', field, 'has userinfo (user:password@), which is never sent');
  // A fragment never reaches the server, so it cannot select an endpoint; refusing it beats dropping it silently.
  if (url.hash !== '' || value.includes('#')) throw new SpspError('INVALID_POINTER', field, 'has a fragment (#...)');
  return url;
}

function resolvePointer(pointer: string, allowHttp: boolean): URL {
  const field = 'paymentPointer';
  if (pointer.includes('?')) throw new SpspError('INVALID_POINTER', field, 'has a query (?...), which RFC 26 excludes');
  if (pointer.includes('#')) throw new SpspError('INVALID_POINTER', field, 'has a fragment (#...), which RFC 26 excludes');
  const rest = pointer.slice(1);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (authority.includes('@')) throw new SpspError('INVALID_POINTER', field, 'has userinfo (...@), which RFC 26 excludes');

  const { host, port } = splitAuthority(authority);
  if (!isPointerHost(host)) {
    throw new SpspError('INVALID_POINTER', field, `has host ${JSON.stringify(host)}, which is not a DNS name, dotted-quad IPv4 or [IPv6] address`);
  }
  const local = allowHttp && isLoopbackHost(host);
  if (port !== undefined && !local) {
    throw new SpspError('INVALID_POINTER', field, 'has a port, which RFC 26 excludes (allowHttp permits one for localhost, 127.0.0.1 and [::1] only)');
  }
  if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) throw new SpspError('INVALID_POINTER', field, `has port ${JSON.stringify(port)}, which is not a number`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) throw new SpspError('INVALID_POINTER', field, `has port ${port}, outside 1 to 65535`);
  checkPath(path);

  const resolvedPath = path === '' || path === '/' ? WELL_KNOWN_PATH : path;
  const url = new URL(`${local ? 'http' : 'https'}://${authority}${resolvedPath}`);
  // Belt and braces: the request must go exactly where the pointer says.
  const sameHost = host.startsWith('[') || url.hostname === host.toLowerCase();
  if (!sameHost || url.pathname !== resolvedPath) {
    throw new SpspError('INVALID_POINTER', field, `would resolve to ${url.href}, which differs from what it spells`);
  }
  return url;
}

function splitAuthority(authority: string): { host: string; port: string | undefined } {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return { host: authority, port: undefined };
    const after = authority.slice(close + 1);
    return { host: authority.slice(0, close + 1), port: after.startsWith(':') ? after.slice(1) : after === '' ? undefined : after };
  }
  // Neither a DNS name nor IPv4 contains ":", so the first one starts a port.
  const colon = authority.indexOf(':');
  return colon < 0 ? { host: authority, port: undefined } : { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function checkPath(path: string): void {
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === '%') {
      if (!PERCENT_ESCAPE.test(path.slice(i, i + 3))) {
        throw new SpspError('INVALID_POINTER', 'paymentPointer', `has a "%" at path index ${i} that is not a %XX escape`);
      }
      i += 2;
    } else if (!PATH_CHARACTER.test(c)) {
      throw new SpspError('INVALID_POINTER', 'paymentPointer', `has ${JSON.stringify(c)} in its path, outside RFC 3986 path-abempty`);
    }
  }
  // Syntactically allowed, but they would send the query somewhere other than the pointer spells.
  if (path.split('/').some((segment) => DOT_SEGMENT.test(segment))) {
    throw new SpspError('INVALID_POINTER', 'paymentPointer', 'has a "." or ".." path segment');
  }
}

function readAllowHttp(options: ResolvePaymentPointerOptions): boolean {
  if (typeof options !== 'object' || options === null) throw new SpspError('INVALID_ARGUMENT', 'options', 'must be an object');
  if (options.allowHttp !== undefined && typeof options.allowHttp !== 'boolean') {
    throw new SpspError('INVALID_ARGUMENT', 'options.allowHttp', `must be a boolean, got ${typeof options.allowHttp}`);
  }
  return options.allowHttp === true;
}
