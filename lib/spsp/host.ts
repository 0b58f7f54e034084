/**
 * Which hosts a payment pointer may name, and which hosts count as loopback for `allowHttp`.
 *
 * IL-RFC 26 imports RFC 3986's `host`, whose `reg-name` admits sub-delimiters and percent-escapes
 * that no DNS name contains and that URL parsers rewrite (`%41` becomes `a`, `0x7f.1` becomes
 * `127.0.0.1`). A pointer whose host changes on the way to the request is exactly the "authority
 * hidden behind the noise" of the RFC's Security Considerations, so only hosts that survive
 * parsing unchanged are accepted: DNS names, dotted-quad IPv4 and bracketed IPv6.
 *
 * @example
 * ```ts
 * isPointerHost('wallet.example.com'); // true
 * isLoopbackHost('127.0.0.1');         // true
 * ```
 */
import { isIPv6 } from 'node:net';

const MAX_DNS_NAME_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
// URL parsers read a host whose last label looks numeric as an IPv4 address in some radix.
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$/i;

/**
 * True if `host` is a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address.
 *
 * @example
 * ```ts
 * isPointerHost('[::1]');      // true
 * isPointerHost('exa_mple.com'); // false
 * ```
 */
export function isPointerHost(host: string): boolean {
  if (host.startsWith('[')) {
    const inner = host.slice(1, -1);
    // node:net accepts zone ids ("fe80::1%eth0"), which a URL cannot carry unescaped.
    return host.endsWith(']') && !inner.includes('%') && isIPv6(inner);
  }
  if (DOTTED_QUAD.test(host)) return true;
  if (host.length > MAX_DNS_NAME_LENGTH || NUMERIC_LAST_LABEL.test(host)) return false;
  return host.split('.').every((label) => DNS_LABEL.test(label));
}

/**
 * True for the hosts that plain `http:` is allowed for when a caller opts in with `allowHttp`:
 * `localhost`, `127.0.0.1` and `[::1]` exactly (as a WHATWG URL's `hostname` spells them).
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://[::1]:8080/').hostname); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}
