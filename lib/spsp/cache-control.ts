/**
 * `Cache-Control` as IL-RFC 9 §Response Headers uses it: the server says how long the client may
 * reuse a response (`max-age=<positive integer>`) or that it must not (`no-cache`).
 *
 * @example
 * ```ts
 * spspMaxAge('max-age=60'); // 60
 * spspCacheControl(60);     // 'private, max-age=60'
 * ```
 */

/**
 * How long an SPSP response may be reused, in seconds: the `max-age`, 0 for `no-cache` or
 * `no-store` (either wins over a `max-age`), `undefined` when the header says neither. A
 * malformed header is treated as saying neither, rather than failing a query over a hint.
 *
 * @example
 * ```ts
 * spspMaxAge('private, max-age=300'); // 300
 * spspMaxAge('no-cache');             // 0
 * ```
 */
export function spspMaxAge(header: string | null | undefined): number | undefined {
  if (typeof header !== 'string') return undefined;
  let maxAge: number | undefined;
  for (const directive of header.split(',').map((d) => d.trim().toLowerCase())) {
    if (directive === 'no-cache' || directive === 'no-store') return 0;
    const match = /^max-age=([0-9]{1,10})$/.exec(directive);
    if (match?.[1] !== undefined) maxAge = Number(match[1]);
  }
  return maxAge;
}

/**
 * The `Cache-Control` an SPSP server sends. `private` because each response carries a secret for
 * one client (IL-RFC 9 §Response Body): a shared cache replaying it would put several clients on
 * one connection. 0 becomes `no-cache, no-store`, the directive the RFC names plus the one HTTP
 * caches obey.
 *
 * @example
 * ```ts
 * res.setHeader('Cache-Control', spspCacheControl(60));
 * ```
 */
export function spspCacheControl(maxAgeSeconds: number): string {
  return maxAgeSeconds === 0 ? 'no-cache, no-store' : `private, max-age=${maxAgeSeconds}`;
}
