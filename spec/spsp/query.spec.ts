/**
 * querySpsp over real HTTP on 127.0.0.1: against our own SPSP handler (the happy path) and
 * against endpoints that misbehave (bad JSON, wrong Content-Type, errors, redirects, slowness).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { type SpspError, type SpspFetch, createSpspHandler, isIlpAddress, isSpspError, querySpsp } from '../../lib';
import { closeAll, listenLocal, streamServer } from './local-http';

jest.setTimeout(15_000);
afterEach(closeAll);

const SECRET = Buffer.alloc(32, 7).toString('base64');
const GOOD_BODY = JSON.stringify({ destination_account: 'test.memory.server.abc', shared_secret: SECRET });

/** An endpoint that records what it was asked and answers with `answer`. */
async function scripted(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: Array<{ method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders }> = [];
  const http = await listenLocal((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    answer(req, res);
  });
  return { http, requests, url: `${http.origin}/alice` };
}

function reply(status: number, body: string, headers: Record<string, string> = { 'Content-Type': 'application/spsp4+json' }) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

async function failure(promise: Promise<unknown>): Promise<SpspError> {
  try {
    await promise;
  } catch (error) {
    if (isSpspError(error)) return error;
    throw error;
  }
  throw new Error('expected querySpsp to reject');
}

describe('querySpsp against our SPSP handler', () => {
  it('RFC 9 §Model of Operation: returns the destination account and decoded 32-byte secret, the endpoint and the cache hint', async () => {
    const { server } = await streamServer();
    const http = await listenLocal(createSpspHandler(server));
    const result = await querySpsp(`${http.origin}/alice`, { allowHttp: true });
    expect(isIlpAddress(result.destinationAccount)).toBe(true);
    expect(result.destinationAccount.startsWith(`${server.serverAccount}.`)).toBe(true);
    expect(Buffer.isBuffer(result.sharedSecret)).toBe(true);
    expect(result.sharedSecret).toHaveLength(32);
    expect(result.receiptsEnabled).toBe(false);
    expect(result.endpoint.href).toBe(`${http.origin}/alice`);
    expect(result.finalEndpoint.href).toBe(`${http.origin}/alice`);
    expect(result.maxAgeSeconds).toBe(60);
  });

  it('RFC 26 §Receiver Endpoint Resolution: a "$127.0.0.1:PORT" pointer with allowHttp queries /.well-known/pay over http', async () => {
    const { server } = await streamServer();
    const paths: Array<string | undefined> = [];
    const handler = createSpspHandler(server);
    const http = await listenLocal((req, res) => {
      paths.push(req.url);
      handler(req, res);
    });
    const result = await querySpsp(`$127.0.0.1:${http.port}`, { allowHttp: true });
    expect(paths).toEqual(['/.well-known/pay']);
    expect(result.endpoint.href).toBe(`${http.origin}/.well-known/pay`);
  });

  it('RFC 9 §Response Body: two queries get two different secrets', async () => {
    const { server } = await streamServer();
    const http = await listenLocal(createSpspHandler(server));
    const [a, b] = await Promise.all([querySpsp(`${http.origin}/x`, { allowHttp: true }), querySpsp(`${http.origin}/x`, { allowHttp: true })]);
    expect(a.sharedSecret.equals(b.sharedSecret)).toBe(false);
    expect(a.destinationAccount).not.toBe(b.destinationAccount);
  });
});

describe('the request querySpsp sends', () => {
  it('RFC 9 §Query Request: GET with Accept: application/spsp4+json, application/spsp+json', async () => {
    const { url, requests } = await scripted(reply(200, GOOD_BODY));
    await querySpsp(url, { allowHttp: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', url: '/alice' });
    expect(requests[0]!.headers.accept).toBe('application/spsp4+json, application/spsp+json');
  });

  it('RFC 9 §Interfaces (HTTPS only): without allowHttp an http endpoint is refused before any request', async () => {
    const { url, requests } = await scripted(reply(200, GOOD_BODY));
    expect((await failure(querySpsp(url))).code).toBe('INSECURE_URL');
    expect(requests).toHaveLength(0);
  });
});

describe('endpoints that misbehave', () => {
  it('bad JSON: INVALID_RESPONSE naming the body', async () => {
    const { url } = await scripted(reply(200, '{"destination_account": "g.x", '));
    const error = await failure(querySpsp(url, { allowHttp: true }));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', field: 'body' });
  });

  it('RFC 9 §Response Body: a bad shared_secret is INVALID_RESPONSE naming shared_secret', async () => {
    const { url } = await scripted(reply(200, JSON.stringify({ destination_account: 'g.alice', shared_secret: Buffer.alloc(16).toString('base64') })));
    expect(await failure(querySpsp(url, { allowHttp: true }))).toMatchObject({ code: 'INVALID_RESPONSE', field: 'shared_secret' });
  });

  it.each([
    ['application/json', 'application/json'],
    ['text/html', 'text/html; charset=utf-8'],
    ['the unversioned SPSP type', 'application/spsp+json'],
  ])('RFC 9 §Response Headers: Content-Type %s is CONTENT_TYPE even with a valid body', async (_label, contentType) => {
    const { url } = await scripted(reply(200, GOOD_BODY, { 'Content-Type': contentType }));
    expect(await failure(querySpsp(url, { allowHttp: true }))).toMatchObject({ code: 'CONTENT_TYPE', field: 'Content-Type' });
  });

  it('no Content-Type at all is CONTENT_TYPE', async () => {
    const { url } = await scripted(reply(200, GOOD_BODY, {}));
    expect((await failure(querySpsp(url, { allowHttp: true }))).code).toBe('CONTENT_TYPE');
  });

  it('a charset parameter on application/spsp4+json is fine', async () => {
    const { url } = await scripted(reply(200, GOOD_BODY, { 'Content-Type': 'application/spsp4+json; charset=utf-8' }));
    await expect(querySpsp(url, { allowHttp: true })).resolves.toMatchObject({ destinationAccount: 'test.memory.server.abc' });
  });

  it('RFC 9 §Errors: 404 InvalidReceiverError is HTTP_STATUS with status 404 and the id and message', async () => {
    const { url } = await scripted(reply(404, JSON.stringify({ id: 'InvalidReceiverError', message: 'Invalid receiver ID' })));
    const error = await failure(querySpsp(url, { allowHttp: true }));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', field: 'status', status: 404 });
    expect(error.message).toContain('InvalidReceiverError: Invalid receiver ID');
  });

  it.each([500, 503, 201, 204])('status %d is HTTP_STATUS (only 200 carries credentials)', async (status) => {
    const { url } = await scripted(reply(status, status === 204 ? '' : 'oops', { 'Content-Type': 'text/plain' }));
    expect(await failure(querySpsp(url, { allowHttp: true }))).toMatchObject({ code: 'HTTP_STATUS', status });
  });

  it('a body over 64 KiB is INVALID_RESPONSE, cut off rather than buffered', async () => {
    const huge = JSON.stringify({ destination_account: 'g.alice', shared_secret: SECRET, padding: 'x'.repeat(70_000) });
    const { url } = await scripted(reply(200, huge));
    const error = await failure(querySpsp(url, { allowHttp: true }));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', field: 'body' });
    expect(error.message).toContain('larger than 65536 bytes');
  });

  it('an endpoint that never answers: TIMEOUT after timeoutMs', async () => {
    const { url } = await scripted(() => undefined);
    const started = Date.now();
    const error = await failure(querySpsp(url, { allowHttp: true, timeoutMs: 200 }));
    expect(error).toMatchObject({ code: 'TIMEOUT', field: 'options.timeoutMs' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an endpoint that sends headers and then stalls the body: TIMEOUT (the timeout covers the body)', async () => {
    const { url } = await scripted((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/spsp4+json' });
      res.write('{"destination_account":');
    });
    expect((await failure(querySpsp(url, { allowHttp: true, timeoutMs: 200 }))).code).toBe('TIMEOUT');
  });

  it('the caller aborting is ABORTED; an already aborted signal sends nothing', async () => {
    const { url, requests } = await scripted(() => undefined);
    const controller = new AbortController();
    const pending = querySpsp(url, { allowHttp: true, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(pending)).toMatchObject({ code: 'ABORTED', field: 'options.signal' });
    const before = requests.length;
    expect((await failure(querySpsp(url, { allowHttp: true, signal: AbortSignal.abort() }))).code).toBe('ABORTED');
    expect(requests).toHaveLength(before);
  });

  it('nothing listening: QUERY_FAILED naming the endpoint', async () => {
    const { http } = await scripted(reply(200, GOOD_BODY));
    await http.close();
    const error = await failure(querySpsp(`${http.origin}/alice`, { allowHttp: true }));
    expect(error).toMatchObject({ code: 'QUERY_FAILED', field: 'endpoint' });
    expect(error.message).toContain(http.origin);
  });
});

describe('RFC 26 §Receiver Endpoint Resolution: redirects', () => {
  it('are followed, and both the resolved and the final endpoint are reported so a sender can check both hosts', async () => {
    const { url, http } = await scripted((req, res) => {
      if (req.url === '/alice') {
        res.writeHead(302, { Location: `http://127.0.0.1:${http.port}/spsp/alice` });
        res.end();
      } else {
        reply(200, GOOD_BODY)(req, res);
      }
    });
    const result = await querySpsp(url, { allowHttp: true });
    expect(result.endpoint.href).toBe(url);
    expect(result.finalEndpoint.href).toBe(`http://127.0.0.1:${http.port}/spsp/alice`);
  });

  it('a redirect that ends on an http: host outside loopback is INSECURE_URL naming the redirect', async () => {
    // Only 127.0.0.1 is reachable here, so a fetch double reports where the redirects ended.
    const redirected: SpspFetch = async () => {
      const response = new Response(GOOD_BODY, { headers: { 'Content-Type': 'application/spsp4+json' } });
      Object.defineProperty(response, 'url', { value: 'http://evil.example/alice' });
      return response;
    };
    const error = await failure(querySpsp('$example.com/alice', { fetch: redirected }));
    expect(error).toMatchObject({ code: 'INSECURE_URL', field: 'redirect' });
  });
});

describe('RFC 9 §Response Headers: Cache-Control is reported as maxAgeSeconds', () => {
  it.each([
    ['max-age=300', 300],
    ['public, max-age=5', 5],
    ['no-cache', 0],
    ['no-store, max-age=60', 0],
    ['max-age=soon', undefined],
    [undefined, undefined],
  ])('%j -> %j', async (header, expected) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/spsp4+json', ...(header === undefined ? {} : { 'Cache-Control': header }) };
    const { url } = await scripted(reply(200, GOOD_BODY, headers));
    expect((await querySpsp(url, { allowHttp: true })).maxAgeSeconds).toBe(expected);
  });
});
