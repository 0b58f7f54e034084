/**
 * How strictly querySpsp checks an SPSP answer (IL-RFC 9 §Response Body, IL-RFC 39 §SPSP) and
 * its own options, through an injected fetch that returns canned `Response`s: no sockets needed.
 */
import { randomBytes } from 'node:crypto';
import { type SpspFetch, type SpspFetchInit, isSpspError, querySpsp } from '../../lib';

const SECRET = randomBytes(32);

function answering(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/spsp4+json' }): SpspFetch {
  return async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200, headers });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('RFC 9 §Response Body: accepted answers', () => {
  it.each([
    ['padded base64', SECRET.toString('base64')],
    ['unpadded base64', SECRET.toString('base64').replace(/=$/, '')],
    ['padded base64url (RFC 9: clients SHOULD accept it)', `${SECRET.toString('base64url')}=`],
    ['unpadded base64url', SECRET.toString('base64url')],
  ])('shared_secret in %s decodes to the same 32 bytes', async (_label, encoded) => {
    const result = await querySpsp('$example.com/alice', { fetch: answering({ destination_account: 'g.alice', shared_secret: encoded }) });
    expect(result.sharedSecret.equals(SECRET)).toBe(true);
  });

  it('fields it does not understand are ignored (RFC 9 §Response Body: MUST ignore)', async () => {
    const body = { destination_account: 'g.alice', shared_secret: SECRET.toString('base64'), balance: { current: '5' }, asset_info: { code: 'USD' }, x: null };
    await expect(querySpsp('$example.com/alice', { fetch: answering(body) })).resolves.toMatchObject({ destinationAccount: 'g.alice', receiptsEnabled: false });
  });

  it('RFC 39 §SPSP: receipts_enabled true is reported', async () => {
    const body = { destination_account: 'g.alice', shared_secret: SECRET.toString('base64'), receipts_enabled: true };
    await expect(querySpsp('$example.com/alice', { fetch: answering(body) })).resolves.toMatchObject({ receiptsEnabled: true });
  });

  it('the injected fetch gets the resolved URL, GET, the SPSP Accept, a signal and redirect: follow', async () => {
    const calls: Array<[string, SpspFetchInit]> = [];
    const fetch: SpspFetch = async (url, init) => {
      calls.push([url, init]);
      return answering({ destination_account: 'g.alice', shared_secret: SECRET.toString('base64') })(url, init);
    };
    await querySpsp('$example.com', { fetch });
    expect(calls).toHaveLength(1);
    const [url, init] = calls[0]!;
    expect(url).toBe('https://example.com/.well-known/pay');
    expect(init).toMatchObject({ method: 'GET', headers: { Accept: 'application/spsp4+json, application/spsp+json' }, redirect: 'follow' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('RFC 9 §Response Body: refused answers are INVALID_RESPONSE naming the field', () => {
  const secret = SECRET.toString('base64');
  // The 43rd character carries 4 bits and 2 zero bits: its successor in the alphabet sets one of those.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const nonCanonical = `${secret.slice(0, 42)}${alphabet.charAt(alphabet.indexOf(secret.charAt(42)) + 1)}=`;
  it.each([
    ['body', 'an array', [1, 2]],
    ['body', 'null', 'null'],
    ['body', 'a string', '"g.alice"'],
    ['body', 'empty', ''],
    ['destination_account', 'missing', { shared_secret: secret }],
    ['destination_account', 'a number', { destination_account: 42, shared_secret: secret }],
    ['destination_account', 'a scheme alone (RFC 15)', { destination_account: 'g', shared_secret: secret }],
    ['destination_account', 'an unknown scheme (RFC 15)', { destination_account: 'x.alice', shared_secret: secret }],
    ['destination_account', 'a trailing dot (RFC 15)', { destination_account: 'g.alice.', shared_secret: secret }],
    ['destination_account', 'over 1023 characters (RFC 15)', { destination_account: `g.${'a'.repeat(1022)}`, shared_secret: secret }],
    ['shared_secret', 'missing', { destination_account: 'g.alice' }],
    ['shared_secret', 'a number', { destination_account: 'g.alice', shared_secret: 7 }],
    ['shared_secret', '16 bytes', { destination_account: 'g.alice', shared_secret: randomBytes(16).toString('base64') }],
    ['shared_secret', '33 bytes', { destination_account: 'g.alice', shared_secret: randomBytes(33).toString('base64') }],
    ['shared_secret', 'hex', { destination_account: 'g.alice', shared_secret: SECRET.toString('hex') }],
    ['shared_secret', 'with a space inside', { destination_account: 'g.alice', shared_secret: `${secret.slice(0, 20)} ${secret.slice(20)}` }],
    ['shared_secret', 'with a newline after', { destination_account: 'g.alice', shared_secret: `${secret}\n` }],
    ['shared_secret', 'two "=" of padding', { destination_account: 'g.alice', shared_secret: `${secret}=` }],
    ['shared_secret', 'non-zero padding bits (non-canonical)', { destination_account: 'g.alice', shared_secret: nonCanonical }],
    ['shared_secret', 'mixed base64 and base64url alphabets', { destination_account: 'g.alice', shared_secret: `+-${secret.slice(2)}` }],
    ['receipts_enabled', 'a string', { destination_account: 'g.alice', shared_secret: secret, receipts_enabled: 'true' }],
    ['receipts_enabled', 'null', { destination_account: 'g.alice', shared_secret: secret, receipts_enabled: null }],
  ])('%s %s', async (field, _label, body) => {
    const error = await rejection(querySpsp('$example.com/alice', { fetch: answering(body) }));
    expect(isSpspError(error, 'INVALID_RESPONSE')).toBe(true);
    expect(error).toMatchObject({ field });
  });

  it('the non-canonical secret is one that Node alone would have decoded to 32 (different) bytes', () => {
    expect(Buffer.from(nonCanonical, 'base64')).toHaveLength(32);
    expect(nonCanonical).not.toBe(secret);
  });
});

describe('querySpsp argument checks: INVALID_ARGUMENT naming the option, before any request', () => {
  const neverCalled: SpspFetch = () => Promise.reject(new Error('fetch must not be called'));
  it.each([
    ['options', null],
    ['options.fetch', { fetch: 'fetch' }],
    ['options.timeoutMs', { fetch: neverCalled, timeoutMs: 0 }],
    ['options.timeoutMs', { fetch: neverCalled, timeoutMs: 1.5 }],
    ['options.timeoutMs', { fetch: neverCalled, timeoutMs: '100' }],
    ['options.timeoutMs', { fetch: neverCalled, timeoutMs: 2 ** 31 }],
    ['options.signal', { fetch: neverCalled, signal: { aborted: false } }],
    ['options.allowHttp', { fetch: neverCalled, allowHttp: 1 }],
  ])('%s: %j', async (field, options) => {
    const error = await rejection(querySpsp('$example.com', options as never));
    expect(isSpspError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error).toMatchObject({ field });
  });

  it('an invalid pointer rejects (not throws) with INVALID_POINTER', async () => {
    const pending = querySpsp('example.com', { fetch: neverCalled });
    expect(pending).toBeInstanceOf(Promise);
    expect(isSpspError(await rejection(pending), 'INVALID_POINTER')).toBe(true);
  });
});
