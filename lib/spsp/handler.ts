/**
 * The SPSP server side (IL-RFC 9 §Query): an SPSP Endpoint for node:http, and the same as
 * middleware for Express, Connect, or Fastify through @fastify/middie. Each query gets fresh
 * credentials from `server.generateAddressAndSecret()`, since the RFC wants every client to hold a
 * secret no one else has.
 *
 * @example
 * ```ts
 * const server = await createServer({ plugin });
 * http.createServer(createSpspHandler(server)).listen(8080);
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '../server';
import { spspCacheControl } from './cache-control';
import { SpspError } from './errors';
import { SPSP_MEDIA_TYPE, acceptsSpsp } from './media-types';

/**
 * Anything that mints STREAM credentials, as a `Server` from `createServer` does.
 *
 * @example
 * ```ts
 * const source: SpspCredentialSource = await createServer({ plugin });
 * ```
 */
export type SpspCredentialSource = Pick<Server, 'generateAddressAndSecret'>;

/**
 * How an SPSP endpoint answers. Every field is optional.
 *
 * @example
 * ```ts
 * const options: SpspHandlerOptions = { connectionTag: (req) => req.url?.slice(1), maxAgeSeconds: 300 };
 * ```
 */
export interface SpspHandlerOptions {
  /**
   * A tag for the connection a query leads to (`[A-Za-z0-9_~-]`, as `generateAddressAndSecret`
   * takes), read back as `connection.connectionTag`: say, the account named in the path.
   * `undefined` leaves the connection untagged. A throw, or an invalid tag, fails that request
   * (500 from the handler, `next(error)` from the middleware).
   */
  connectionTag?: (req: IncomingMessage) => string | undefined;
  /**
   * Seconds a client may reuse an answer, sent as `Cache-Control: private, max-age=N`; 0 sends
   * `no-cache, no-store`. Default 60. The credentials never expire on the server, so reuse is
   * safe; `private` keeps shared caches from handing one client's secret to another.
   */
  maxAgeSeconds?: number;
}

/**
 * A node:http request listener.
 *
 * @example
 * ```ts
 * const handler: SpspRequestHandler = createSpspHandler(server);
 * http.createServer(handler);
 * ```
 */
export type SpspRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Connect-style middleware: answers what it recognises, passes everything else to `next`.
 *
 * @example
 * ```ts
 * const middleware: SpspMiddleware = createSpspMiddleware(server);
 * app.get('/alice', middleware, renderProfilePage);
 * ```
 */
export type SpspMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const DEFAULT_MAX_AGE_SECONDS = 60;
const MAX_MAX_AGE_SECONDS = 31_536_000;
const ALLOWED_METHODS = 'GET, OPTIONS';
// IL-RFC 9 §Request Headers to Support Web Monetization Polyfills: on GET and OPTIONS.
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'web-monetization-id',
} as const;

/**
 * An SPSP Endpoint as a node:http request listener, answering every path it is given:
 * - `GET` whose `Accept` names `application/spsp4+json` or `application/spsp+json`: 200 with
 *   `{ destination_account, shared_secret, receipts_enabled: false }` (fresh for every query;
 *   base64 secret), `Content-Type: application/spsp4+json`, `Cache-Control: private, max-age=60`;
 * - `GET` with any other `Accept`: 406; `OPTIONS`: 204 with the CORS preflight headers;
 *   any other method: 405 with `Allow: GET, OPTIONS`.
 *
 * Every answer carries `Access-Control-Allow-Origin: *` and `Access-Control-Allow-Headers:
 * web-monetization-id`. Error bodies are IL-RFC 9 §Errors' `{ id, message }`. `receipts_enabled`
 * is false because the server does not attach STREAM receipts (IL-RFC 39): a verifier proxy's
 * `Receipt-Nonce` headers are ignored, and the explicit false lets it answer 409 as RFC 39 allows.
 * Throws {@link SpspError} `INVALID_ARGUMENT` for a bad `server` or option.
 *
 * @example
 * ```ts
 * const handler = createSpspHandler(server, { connectionTag: (req) => req.url?.slice(1) || undefined });
 * http.createServer(handler).listen(8080, '127.0.0.1');
 * ```
 */
export function createSpspHandler(server: SpspCredentialSource, options: SpspHandlerOptions = {}): SpspRequestHandler {
  const middleware = createSpspMiddleware(server, options);
  return (req, res) =>
    middleware(req, res, (error?: unknown) => {
      // The cause stays on the server: a tag callback's error may say things a payer should not see.
      if (error !== undefined) sendJson(res, 500, { id: 'InternalServerError', message: 'could not generate connection details' });
      else if (req.method === 'OPTIONS') sendPreflight(res);
      else if (req.method !== 'GET') sendJson(res, 405, { id: 'MethodNotAllowed', message: 'an SPSP endpoint answers GET' }, { Allow: ALLOWED_METHODS });
      else sendJson(res, 406, { id: 'NotAcceptable', message: `Accept must include ${SPSP_MEDIA_TYPE}` });
    });
}

/**
 * The same endpoint as middleware `(req, res, next)`. It answers a `GET` that asks for SPSP and
 * a CORS preflight for `GET`, and calls `next()` for anything else, so a web page can live at the
 * same URL (a browser's `Accept` does not ask for SPSP). Mount it on the endpoint's path. A failing
 * `connectionTag` goes to `next(error)`.
 *
 * @example
 * ```ts
 * app.use('/.well-known/pay', createSpspMiddleware(server)); // Express
 * ```
 */
export function createSpspMiddleware(server: SpspCredentialSource, options: SpspHandlerOptions = {}): SpspMiddleware {
  const { connectionTag, cacheControl } = checkOptions(server, options);
  return (req, res, next) => {
    if (req.method === 'GET' && acceptsSpsp(req.headers.accept)) {
      let body: string;
      try {
        const tag = connectionTag?.(req);
        const { destinationAccount, sharedSecret } = tag === undefined ? server.generateAddressAndSecret() : server.generateAddressAndSecret(tag);
        body = JSON.stringify({ destination_account: destinationAccount, shared_secret: sharedSecret.toString('base64'), receipts_enabled: false });
      } catch (error) {
        next(error);
        return;
      }
      send(res, 200, body, { 'Content-Type': SPSP_MEDIA_TYPE, 'Cache-Control': cacheControl, Vary: 'Accept' });
    } else if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] === 'GET') {
      sendPreflight(res);
    } else {
      next();
    }
  };
}

function sendPreflight(res: ServerResponse): void {
  send(res, 204, '', { 'Access-Control-Allow-Methods': ALLOWED_METHODS, Allow: ALLOWED_METHODS });
}

function sendJson(res: ServerResponse, status: number, body: { id: string; message: string }, headers: Record<string, string> = {}): void {
  // application/json rather than spsp4+json: that type promises credentials, and these are not.
  send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Vary: 'Accept', ...headers });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // HTTP forbids Content-Length on a 204.
  const length = status === 204 ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
  res.writeHead(status, { ...CORS_HEADERS, ...headers, ...length });
  res.end(body);
}

function checkOptions(server: SpspCredentialSource, options: SpspHandlerOptions): { connectionTag: SpspHandlerOptions['connectionTag']; cacheControl: string } {
  if (typeof server !== 'object' || server === null || typeof server.generateAddressAndSecret !== 'function') {
    throw new SpspError('INVALID_ARGUMENT', 'server', 'must be a STREAM server (with generateAddressAndSecret)');
  }
  if (typeof options !== 'object' || options === null) throw new SpspError('INVALID_ARGUMENT', 'options', 'must be an object');
  const { connectionTag, maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS } = options;
  if (connectionTag !== undefined && typeof connectionTag !== 'function') {
    throw new SpspError('INVALID_ARGUMENT', 'options.connectionTag', 'must be a function of the request');
  }
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0 || maxAgeSeconds > MAX_MAX_AGE_SECONDS) {
    throw new SpspError('INVALID_ARGUMENT', 'options.maxAgeSeconds', `must be an integer from 0 to ${MAX_MAX_AGE_SECONDS}, got ${String(maxAgeSeconds)}`);
  }
  return { connectionTag, cacheControl: spspCacheControl(maxAgeSeconds) };
}
