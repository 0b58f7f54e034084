/**
 * The SPSP client's query (IL-RFC 9 §Query): `GET` the endpoint a payment pointer resolves to,
 * asking for `application/spsp4+json`, and check the answer strictly before any money moves.
 *
 * @example
 * ```ts
 * const { destinationAccount, sharedSecret } = await querySpsp('$wallet.example/alice');
 * ```
 */
import { SpspError } from './errors';
import { spspMaxAge } from './cache-control';
import { SPSP_ACCEPT, isSpspContentType } from './media-types';
import { checkEndpointUrl, resolvePaymentPointer } from './payment-pointer';
import { type LimitedBodySource, discardBody, readLimited } from './read-body';
import { type SpspCredentials, parseSpspBody } from './response-body';

/**
 * The largest SPSP response body accepted, in bytes. A real one is under 200 bytes; the cap
 * leaves room for extra fields while stopping a hostile endpoint from filling memory.
 *
 * @example
 * ```ts
 * if (text.length > MAX_SPSP_RESPONSE_BYTES) throw new Error('too big');
 * ```
 */
export const MAX_SPSP_RESPONSE_BYTES = 65_536;

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The longest query timeout: `setTimeout` fires at once for anything longer.
 *
 * @example
 * ```ts
 * querySpsp(pointer, { timeoutMs: Math.min(wanted, MAX_TIMEOUT_MS) });
 * ```
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;
const ERROR_BODY_BYTES = 4_096;

/**
 * What a query sends to `fetch`.
 *
 * @example
 * ```ts
 * const logging: SpspFetch = (url, init: SpspFetchInit) => (console.log(init.headers), fetch(url, init));
 * ```
 */
export interface SpspFetchInit {
  readonly method: 'GET';
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly redirect: 'follow';
}

/**
 * The part of a fetch `Response` a query reads. Node's global `Response` has it.
 *
 * @example
 * ```ts
 * const canned: SpspFetchResponse = new Response(body, { headers: { 'Content-Type': 'application/spsp4+json' } });
 * ```
 */
export interface SpspFetchResponse extends LimitedBodySource {
  readonly status: number;
  /** Where the response came from after redirects; empty or absent means the requested URL. */
  readonly url?: string;
  readonly headers: {
    /** A header's value, case-insensitively, or null when absent. */
    get(name: string): string | null;
  };
}

/**
 * A `fetch` for SPSP queries: Node's global `fetch` fits, and so does any function of the same
 * shape (one with a proxy dispatcher, or a test double).
 *
 * @example
 * ```ts
 * const viaProxy: SpspFetch = (url, init) => fetch(url, { ...init, dispatcher: proxyAgent } as RequestInit);
 * ```
 */
export type SpspFetch = (url: string, init: SpspFetchInit) => Promise<SpspFetchResponse>;

/**
 * How to query. Every field is optional.
 *
 * @example
 * ```ts
 * const options: SpspQueryOptions = { timeoutMs: 5_000, signal: AbortSignal.timeout(20_000) };
 * ```
 */
export interface SpspQueryOptions {
  /** The HTTP client. Default: the global `fetch`, looked up at each call. */
  readonly fetch?: SpspFetch;
  /** Milliseconds for the whole query, body included. Default 10,000. */
  readonly timeoutMs?: number;
  /** Aborts the query; it then rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /**
   * Tests and local development only: allow plain `http:` to `localhost`, `127.0.0.1` and
   * `[::1]` (see `resolvePaymentPointer`). Default false: production SPSP is HTTPS only.
   */
  readonly allowHttp?: boolean;
}

/**
 * A successful query: the credentials and where they came from.
 *
 * @example
 * ```ts
 * const result: SpspQueryResult = await querySpsp('$example.com/alice');
 * if (result.finalEndpoint.host !== result.endpoint.host) confirmWithUser(result.finalEndpoint.host);
 * ```
 */
export interface SpspQueryResult extends SpspCredentials {
  /** The URL the pointer resolved to. */
  readonly endpoint: URL;
  /**
   * Where the answer came from after redirects (the same as `endpoint` without one). IL-RFC 26
   * wants a sender able to check both hosts before paying: show this one too if it differs.
   */
  readonly finalEndpoint: URL;
  /** Seconds the answer may be reused (`Cache-Control`), 0 for not at all, `undefined` if unsaid. */
  readonly maxAgeSeconds: number | undefined;
}

/**
 * Queries an SPSP endpoint. Sends `Accept: application/spsp4+json, application/spsp+json`, follows
 * redirects (the final URL must pass the same checks as the first), requires status 200 and
 * `Content-Type: application/spsp4+json`, and validates the body: `destination_account` an ILP
 * address, `shared_secret` 32 bytes of base64 or base64url, `receipts_enabled` a boolean if
 * present; other fields are ignored. Rejects with an {@link SpspError}: `INVALID_ARGUMENT`,
 * `INVALID_POINTER`, `INSECURE_URL`, `TIMEOUT`, `ABORTED`, `QUERY_FAILED`, `HTTP_STATUS`,
 * `CONTENT_TYPE` or `INVALID_RESPONSE`. Nothing is cached: `maxAgeSeconds` tells the caller how
 * long it may keep the result.
 *
 * @param pointerOrUrl - a payment pointer (`$example.com/alice`) or an `https:` endpoint URL
 *
 * @example
 * ```ts
 * const spsp = await querySpsp('$example.com/alice', { timeoutMs: 5_000 });
 * const connection = await createConnection({ plugin, ...spsp });
 * ```
 */
export async function querySpsp(pointerOrUrl: string, options: SpspQueryOptions = {}): Promise<SpspQueryResult> {
  const { fetch, timeoutMs, signal, allowHttp } = checkOptions(options);
  const endpoint = resolvePaymentPointer(pointerOrUrl, { allowHttp });
  if (signal?.aborted) throw aborted(endpoint, signal.reason);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let response: SpspFetchResponse;
    try {
      response = await fetch(endpoint.href, { method: 'GET', headers: { Accept: SPSP_ACCEPT }, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      if (timedOut || signal?.aborted) throw error;
      throw new SpspError('QUERY_FAILED', 'endpoint', `${endpoint.href} could not be reached: ${describeError(error)}`, { cause: error });
    }
    return await readAnswer(response, endpoint, allowHttp);
  } catch (error) {
    if (timedOut) throw new SpspError('TIMEOUT', 'options.timeoutMs', `(${timeoutMs} ms) elapsed before ${endpoint.href} answered`, { cause: error });
    if (signal?.aborted) throw aborted(endpoint, error);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readAnswer(response: SpspFetchResponse, endpoint: URL, allowHttp: boolean): Promise<SpspQueryResult> {
  const finalEndpoint = response.url ? checkEndpointUrl(response.url, allowHttp, 'redirect') : endpoint;
  if (response.status !== 200) {
    const detail = await errorDetail(response);
    throw new SpspError('HTTP_STATUS', 'status', `${response.status} from ${finalEndpoint.href}${detail}`, { status: response.status });
  }
  const contentType = response.headers.get('content-type');
  if (!isSpspContentType(contentType)) {
    await discardBody(response);
    throw new SpspError('CONTENT_TYPE', 'Content-Type', `must be application/spsp4+json, got ${contentType === null ? 'none' : JSON.stringify(contentType)}`);
  }
  const credentials = parseSpspBody(await readLimited(response, MAX_SPSP_RESPONSE_BYTES));
  return { ...credentials, endpoint, finalEndpoint, maxAgeSeconds: spspMaxAge(response.headers.get('cache-control')) };
}

/** IL-RFC 9 §Errors bodies are `{ id, message }`; anything else adds nothing to the error. */
async function errorDetail(response: SpspFetchResponse): Promise<string> {
  try {
    const body = JSON.parse(await readLimited(response, ERROR_BODY_BYTES)) as { id?: unknown; message?: unknown };
    const parts = [body.id, body.message].filter((p): p is string => typeof p === 'string');
    return parts.length === 0 ? '' : `: ${parts.join(': ').slice(0, 200)}`;
  } catch {
    await discardBody(response);
    return '';
  }
}

function checkOptions(options: SpspQueryOptions): { fetch: SpspFetch; timeoutMs: number; signal: AbortSignal | undefined; allowHttp: boolean } {
  if (typeof options !== 'object' || options === null) throw new SpspError('INVALID_ARGUMENT', 'options', 'must be an object');
  const fetch = options.fetch ?? (globalThis.fetch as SpspFetch | undefined);
  if (typeof fetch !== 'function') {
    throw new SpspError('INVALID_ARGUMENT', 'options.fetch', options.fetch === undefined ? 'is required: there is no global fetch' : 'must be a function');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new SpspError('INVALID_ARGUMENT', 'options.timeoutMs', `must be an integer from 1 to ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`);
  }
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    throw new SpspError('INVALID_ARGUMENT', 'options.signal', 'must be an AbortSignal');
  }
  if (options.allowHttp !== undefined && typeof options.allowHttp !== 'boolean') {
    throw new SpspError('INVALID_ARGUMENT', 'options.allowHttp', `must be a boolean, got ${typeof options.allowHttp}`);
  }
  return { fetch, timeoutMs, signal, allowHttp: options.allowHttp === true };
}

function aborted(endpoint: URL, cause: unknown): SpspError {
  return new SpspError('ABORTED', 'options.signal', `aborted the query to ${endpoint.href}`, { cause });
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED...) in its cause.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
