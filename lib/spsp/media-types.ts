/**
 * SPSP's media types and the little content negotiation it needs (IL-RFC 9 §Query, IL-RFC 26
 * §Payment Setup Protocols): the client asks for them in `Accept`, the server answers
 * `application/spsp4+json`.
 *
 * @example
 * ```ts
 * acceptsSpsp('application/spsp4+json, application/spsp+json'); // true
 * ```
 */

/**
 * The media type of an SPSP response over STREAM: the only `Content-Type` IL-RFC 9 allows.
 *
 * @example
 * ```ts
 * res.setHeader('Content-Type', SPSP_MEDIA_TYPE);
 * ```
 */
export const SPSP_MEDIA_TYPE = 'application/spsp4+json';

/**
 * The unversioned SPSP media type that IL-RFC 26 names and IL-RFC 9's example request also asks
 * for; a server treats it as a request for {@link SPSP_MEDIA_TYPE}.
 *
 * @example
 * ```ts
 * acceptsSpsp(SPSP_LEGACY_MEDIA_TYPE); // true
 * ```
 */
export const SPSP_LEGACY_MEDIA_TYPE = 'application/spsp+json';

/**
 * The `Accept` header a client sends: IL-RFC 9's example request, word for word.
 *
 * @example
 * ```ts
 * fetch(url, { headers: { Accept: SPSP_ACCEPT } });
 * ```
 */
export const SPSP_ACCEPT = `${SPSP_MEDIA_TYPE}, ${SPSP_LEGACY_MEDIA_TYPE}`;

/**
 * True if an `Accept` header asks for an SPSP media type with a non-zero quality. Wildcards do
 * not count: an SPSP endpoint often shares its URL with a web page, and a browser asking for
 * HTML or any type must reach the page, not mint a shared secret.
 *
 * @example
 * ```ts
 * acceptsSpsp('application/json, application/spsp4+json;q=0.5'); // true
 * acceptsSpsp('application/spsp4+json;q=0');                    // false
 * ```
 */
export function acceptsSpsp(accept: string | undefined): boolean {
  if (typeof accept !== 'string') return false;
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== SPSP_MEDIA_TYPE && type !== SPSP_LEGACY_MEDIA_TYPE) return false;
    const quality = parameters.find((p) => p.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/**
 * True if a `Content-Type` header is `application/spsp4+json`, parameters (a charset) aside.
 *
 * @example
 * ```ts
 * isSpspContentType('application/spsp4+json; charset=utf-8'); // true
 * ```
 */
export function isSpspContentType(contentType: string | null | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  return (contentType.split(';')[0] ?? '').trim().toLowerCase() === SPSP_MEDIA_TYPE;
}
