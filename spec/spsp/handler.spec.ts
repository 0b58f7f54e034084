/**
 * createSpspHandler and createSpspMiddleware on a real node:http server on 127.0.0.1, minting
 * credentials from a real STREAM server over the in-memory network: status codes, headers, fresh
 * secrets per query, CORS preflight, connection tags, and middleware pass-through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstValueFrom } from 'rxjs';
import {
  type Connection,
  SPSP_MEDIA_TYPE,
  createConnection,
  createSpspHandler,
  createSpspMiddleware,
  isIlpAddress,
  isSpspError,
  type SpspHandlerOptions,
} from '../../lib';
import { closeAll, get, listenLocal, onClose, rawRequest, streamServer } from './local-http';

jest.setTimeout(15_000);
afterEach(closeAll);

const SPSP_ACCEPT = 'application/spsp4+json, application/spsp+json';

async function endpoint(options?: SpspHandlerOptions) {
  const stream = await streamServer();
  const http = await listenLocal(createSpspHandler(stream.server, options));
  return { ...stream, http, url: `${http.origin}/.well-known/pay` };
}

describe('RFC 9 §Query: GET with an SPSP Accept', () => {
  it('RFC 9 §Response, §Response Headers: 200, Content-Type application/spsp4+json, Cache-Control private max-age=60, CORS headers', async () => {
    const { url } = await endpoint();
    const response = await get(url, { Accept: SPSP_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(SPSP_MEDIA_TYPE);
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('web-monetization-id');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(response.text));
  });

  it('RFC 9 §Response Body, RFC 39 §SPSP: destination_account is an address under the server, shared_secret 32 bytes of padded base64, receipts_enabled false', async () => {
    const { url, server } = await endpoint();
    const body = JSON.parse((await get(url, { Accept: SPSP_ACCEPT })).text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['destination_account', 'receipts_enabled', 'shared_secret']);
    expect(isIlpAddress(body['destination_account'])).toBe(true);
    expect(String(body['destination_account']).startsWith(`${server.serverAccount}.`)).toBe(true);
    expect(body['shared_secret']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(String(body['shared_secret']), 'base64')).toHaveLength(32);
    expect(body['receipts_enabled']).toBe(false);
  });

  it('RFC 9 §Response Body: every query gets its own destination_account and shared_secret', async () => {
    const { url } = await endpoint();
    const bodies = await Promise.all(Array.from({ length: 8 }, () => get(url, { Accept: SPSP_ACCEPT }).then((r) => JSON.parse(r.text) as Record<string, string>)));
    expect(new Set(bodies.map((b) => b['destination_account'])).size).toBe(8);
    expect(new Set(bodies.map((b) => b['shared_secret'])).size).toBe(8);
  });

  it('RFC 9 §Model of Operation: the credentials open a STREAM connection to the server, tagged by connectionTag(req)', async () => {
    const { url, server, network } = await endpoint({ connectionTag: (req) => (req.url === '/.well-known/pay' ? 'well-known' : undefined) });
    const body = JSON.parse((await get(url, { Accept: SPSP_ACCEPT })).text) as Record<string, string>;
    const arrived = firstValueFrom(server.connections$);
    const client = await createConnection({
      plugin: network.client,
      destinationAccount: body['destination_account']!,
      sharedSecret: Buffer.from(body['shared_secret']!, 'base64'),
    });
    onClose(() => client.end());
    const connection: Connection = await arrived;
    expect(connection.connectionTag).toBe('well-known');
  });

  it.each([
    ['application/spsp4+json'],
    ['application/spsp+json'],
    // @interledger/pay 0.2.2 asks for Open Payments first.
    ['application/ilp-stream+json, application/spsp4+json'],
    ['text/html;q=0.9, APPLICATION/SPSP4+JSON;q=0.1'],
  ])('RFC 26 §Payment Setup Protocols (content negotiation): Accept %j is answered with 200', async (accept) => {
    const { url } = await endpoint();
    expect((await get(url, { Accept: accept })).status).toBe(200);
  });

  it.each([
    ['*/*'],
    ['application/json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['application/spsp4+json;q=0'],
    ['application/spsp5+json'],
  ])('Accept %j: 406 with an RFC 9 §Errors style body, still with CORS headers', async (accept) => {
    const { url } = await endpoint();
    const response = await get(url, { Accept: accept });
    expect(response.status).toBe(406);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(JSON.parse(response.text)).toEqual({ id: 'NotAcceptable', message: expect.stringContaining(SPSP_MEDIA_TYPE) });
  });

  it('no Accept header at all: 406', async () => {
    const { url } = await endpoint();
    expect((await rawRequest(url, 'GET')).status).toBe(406);
  });
});

describe('other methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s: 405 with Allow: GET, OPTIONS', async (method) => {
    const { url } = await endpoint();
    const response = await rawRequest(url, method, { Accept: SPSP_ACCEPT });
    expect(response.status).toBe(405);
    expect(response.headers['allow']).toBe('GET, OPTIONS');
    expect(JSON.parse(response.text)).toMatchObject({ id: 'MethodNotAllowed' });
  });

  it('HEAD: 405 and no shared secret minted', async () => {
    const { url, server } = await endpoint();
    const spy = jest.spyOn(server, 'generateAddressAndSecret');
    const response = await rawRequest(url, 'HEAD', { Accept: SPSP_ACCEPT });
    expect(response.status).toBe(405);
    expect(response.text).toBe('');
    expect(spy).not.toHaveBeenCalled();
  });

  it('RFC 9 §Request Headers to Support Web Monetization Polyfills: an OPTIONS preflight gets 204 with Allow-Origin * and Allow-Headers web-monetization-id', async () => {
    const { url, server } = await endpoint();
    const spy = jest.spyOn(server, 'generateAddressAndSecret');
    const response = await rawRequest(url, 'OPTIONS', {
      Origin: 'https://site.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'web-monetization-id',
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'web-monetization-id',
      'access-control-allow-methods': 'GET, OPTIONS',
    });
    expect(response.headers['content-length']).toBeUndefined();
    expect(spy).not.toHaveBeenCalled();
  });

  it('a plain OPTIONS (no preflight headers) is answered the same way', async () => {
    const { url } = await endpoint();
    const response = await rawRequest(url, 'OPTIONS');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('options', () => {
  it.each([
    [300, 'private, max-age=300'],
    [0, 'no-cache, no-store'],
  ])('RFC 9 §Response Headers: maxAgeSeconds %d sends Cache-Control %j', async (maxAgeSeconds, header) => {
    const { url } = await endpoint({ maxAgeSeconds });
    expect((await get(url, { Accept: SPSP_ACCEPT })).headers.get('cache-control')).toBe(header);
  });

  it('connectionTag sees the request: a tag per path', async () => {
    const { http, server } = await endpoint({ connectionTag: (req) => req.url?.slice(1) });
    const spy = jest.spyOn(server, 'generateAddressAndSecret');
    await get(`${http.origin}/alice`, { Accept: SPSP_ACCEPT });
    expect(spy).toHaveBeenCalledWith('alice');
  });

  it.each([
    ['throws', () => {
      throw new Error('database password is hunter2');
    }],
    ['returns a tag with a space', () => 'not a tag'],
    ['returns an empty tag', () => ''],
  ])('a connectionTag that %s fails that request with a generic 500 and leaks nothing', async (_label, connectionTag) => {
    const { url } = await endpoint({ connectionTag });
    const response = await get(url, { Accept: SPSP_ACCEPT });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.text)).toEqual({ id: 'InternalServerError', message: 'could not generate connection details' });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['server', () => createSpspHandler(null as never)],
    ['server', () => createSpspHandler({} as never)],
    ['options', () => createSpspHandler({ generateAddressAndSecret: () => ({ destinationAccount: 'g.a', sharedSecret: Buffer.alloc(32) }) }, null as never)],
    ['options.connectionTag', () => createSpspMiddleware({ generateAddressAndSecret: jest.fn() }, { connectionTag: 'alice' as never })],
    ['options.maxAgeSeconds', () => createSpspHandler({ generateAddressAndSecret: jest.fn() }, { maxAgeSeconds: -1 })],
    ['options.maxAgeSeconds', () => createSpspHandler({ generateAddressAndSecret: jest.fn() }, { maxAgeSeconds: 1.5 })],
    ['options.maxAgeSeconds', () => createSpspHandler({ generateAddressAndSecret: jest.fn() }, { maxAgeSeconds: Number.NaN })],
  ])('a bad %s throws SpspError INVALID_ARGUMENT naming it (#%#)', (field, create) => {
    let error: unknown;
    try {
      create();
    } catch (e) {
      error = e;
    }
    expect(isSpspError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error).toMatchObject({ field });
  });
});

describe('createSpspMiddleware', () => {
  /** A two-step Connect-style chain: the SPSP middleware, then a web page or an error page. */
  async function site(options?: SpspHandlerOptions) {
    const { server } = await streamServer();
    const middleware = createSpspMiddleware(server, options);
    const errors: unknown[] = [];
    const page = (res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<h1>Alice</h1>');
    };
    const http = await listenLocal((req: IncomingMessage, res: ServerResponse) =>
      middleware(req, res, (error?: unknown) => {
        if (error === undefined) return page(res);
        errors.push(error);
        res.writeHead(503);
        res.end();
      }),
    );
    return { url: `${http.origin}/alice`, errors };
  }

  it('answers a GET that asks for SPSP', async () => {
    const { url } = await site();
    const response = await get(url, { Accept: SPSP_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(SPSP_MEDIA_TYPE);
  });

  it("passes a browser's GET on to next(), so the page can share the payment pointer's URL", async () => {
    const { url } = await site();
    const response = await get(url, { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(response.status).toBe(200);
    expect(response.text).toBe('<h1>Alice</h1>');
  });

  it('answers a CORS preflight for GET; passes other methods and plain OPTIONS on', async () => {
    const { url } = await site();
    expect((await rawRequest(url, 'OPTIONS', { 'Access-Control-Request-Method': 'GET' })).status).toBe(204);
    expect((await rawRequest(url, 'OPTIONS')).text).toBe('<h1>Alice</h1>');
    expect((await rawRequest(url, 'POST', { Accept: SPSP_ACCEPT })).text).toBe('<h1>Alice</h1>');
  });

  it('a failing connectionTag goes to next(error)', async () => {
    const { url, errors } = await site({ connectionTag: () => 'bad tag!' });
    expect((await get(url, { Accept: SPSP_ACCEPT })).status).toBe(503);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'CryptoInputError' });
  });
});
