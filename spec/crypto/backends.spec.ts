import fc from 'fast-check';
import fixtures from '../fixtures/StreamPacketFixtures.json';
import type { CryptoBackend } from '../../lib/crypto/backend';
import { nobleBackend } from '../../lib/crypto/backend-noble';
import { nodeBackend } from '../../lib/crypto/backend-node';

/**
 * The same vectors through each crypto backend, twice: against the backend interface itself, and
 * through the library's crypto layer loaded afresh with that backend swapped in (what the browser
 * build does at bundle time), so that key derivation, the envelope, conditions, tokens and
 * receipts are checked end to end on noble too. Vectors as in the per-module specs:
 * I-5/I-6 (spec-checklist §4), reference-js §4.8, RFC 4231 and FIPS 180-2, I-18.
 */

type CryptoLayer = typeof import('../../lib/crypto') & typeof import('../../lib/crypto/envelope') & typeof import('../../lib/crypto/stream-keys');

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA256_ZEROS32_B64 = 'Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU=';
const HMAC_JEFE = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
const HMAC_ZEROS32_FOO_B64 = 'DA2Y9+PZ1F5y6Id7wbEEMn77nAexjy/+ztdtgTB/H/8=';
const I5_SECRET = '7edb755d76f8f9d314d3416eed50fdb35192e543e7315c7ffee6906667a69624';
const I5_ENCRYPTION_KEY = '3f8f12c9f2be99d32bd615fdf212e96f47911242556f4f32c75241ba1149cc57';
const I5_PLAINTEXT = '63000cff4d1f';
const I5_IV = '77f8d5ea3fc8e08cd4de699f';
const I5_DATA = '77f8d5ea3fc8e08cd4de699ff6cb429b97ac44184ce85a0aed92bd49f8c4b16c73df';
const I6_FULFILLMENT = '18063849e5ec58e3527098319849b6b7c607e97c77410d44366c78c13be26b27';
const I6_CONDITION = '8c1e5999a50fbe1afb92f0a39485cac876f45b5499c8fb8268aa14e5b50b90bb';
const FOO_ENCRYPTION_KEY_B64 = 'zfOGMU/uY+EOUCE6tN3WhE77bF/N6pS0wSOmMgEAMEA=';
const FOO_FULFILLMENT_KEY_B64 = 'lh8nGJCJosvfUePaU0uxxXK3jNvV2Y+5ivt1GH1Muhs=';
const REF_KEY_B64 = 'AOStyoBvoK9/OFhdmf2TzQRrJsCkxH/cj49Ya7RFOEc=';
const REF_DATA_B64 = 'Y1UiXpDA1GwAv+h95CEv67O49MOAJQrnYEQMrOFsbv6rrlE=';

const packetFixtures = fixtures as Array<{ name: string; buffer: string; packet: { frames: Array<{ receipt?: string }> } }>;
const RECEIPT_FIXTURE = Buffer.from(packetFixtures.find((f) => f.name === 'frame:stream_receipt')?.packet.frames[0]?.receipt ?? '', 'base64');

/** lib/crypto loaded in a fresh module registry with `backend` as its active backend. */
function cryptoLayerOn(backend: CryptoBackend): CryptoLayer {
  let layer: CryptoLayer | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../lib/crypto/active-backend', () => ({ backend }));
    layer = {
      ...(require('../../lib/crypto') as object),
      ...(require('../../lib/crypto/envelope') as object),
      ...(require('../../lib/crypto/stream-keys') as object),
    } as CryptoLayer;
  });
  jest.dontMock('../../lib/crypto/active-backend');
  if (layer === undefined) throw new Error('the crypto layer did not load');
  return layer;
}

function errorCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return undefined;
}

const backends: Array<[string, CryptoBackend]> = [
  ['node', nodeBackend],
  ['noble', nobleBackend],
];

describe.each(backends)('crypto backend %s: the primitives', (name, backend) => {
  it('names itself', () => {
    expect(backend.name).toBe(name);
  });

  it('FIPS 180-2: SHA-256("abc") and SHA-256 of 32 zero bytes', () => {
    expect(backend.sha256(Buffer.from('abc')).toString('hex')).toBe(SHA256_ABC);
    expect(backend.sha256(new Uint8Array(32)).toString('base64')).toBe(SHA256_ZEROS32_B64);
  });

  it('RFC 4231 case 2, with raw key bytes and with a prepared key', () => {
    const data = Buffer.from('what do ya want for nothing?');
    expect(backend.hmacSha256(Buffer.from('Jefe'), data).toString('hex')).toBe(HMAC_JEFE);
    const key = backend.importKey(Buffer.from('Jefe'));
    expect(backend.hmacSha256(key, data).toString('hex')).toBe(HMAC_JEFE);
    // A prepared key is reusable: the second MAC must not carry state from the first.
    expect(backend.hmacSha256(key, data).toString('hex')).toBe(HMAC_JEFE);
    expect(backend.hmacSha256(Buffer.alloc(32), Buffer.from('foo')).toString('base64')).toBe(HMAC_ZEROS32_FOO_B64);
  });

  it('importKey copies: wiping the raw bytes afterwards does not change the key', () => {
    const raw = Buffer.from('Jefe');
    const key = backend.importKey(raw);
    raw.fill(0);
    expect(backend.hmacSha256(key, Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(HMAC_JEFE);
  });

  it('I-5: AES-256-GCM with the vector IV gives the vector tag and ciphertext, and opens it', () => {
    const key = backend.importKey(hex(I5_ENCRYPTION_KEY));
    const { ciphertext, tag } = backend.aesGcmSeal(key, hex(I5_IV), hex(I5_PLAINTEXT));
    expect(Buffer.from(tag).toString('hex') + Buffer.from(ciphertext).toString('hex')).toBe(I5_DATA.slice(24));
    const data = hex(I5_DATA);
    expect(backend.aesGcmOpen(key, data.subarray(0, 12), data.subarray(12, 28), data.subarray(28)).toString('hex')).toBe(I5_PLAINTEXT);
  });

  it('refuses a flipped tag bit or ciphertext bit', () => {
    const key = backend.importKey(hex(I5_ENCRYPTION_KEY));
    const data = hex(I5_DATA);
    for (const index of [12, 27, 28, data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] = (tampered[index] as number) ^ 1;
      expect(() => backend.aesGcmOpen(key, tampered.subarray(0, 12), tampered.subarray(12, 28), tampered.subarray(28))).toThrow();
    }
  });

  it('randomFill writes exactly the range, beyond the 64 KiB getRandomValues limit too', () => {
    const target = Buffer.alloc(70_000 + 20, 0xaa);
    backend.randomFill(target, 10, 70_000);
    expect(target.subarray(0, 10).equals(Buffer.alloc(10, 0xaa))).toBe(true);
    expect(target.subarray(70_010).equals(Buffer.alloc(10, 0xaa))).toBe(true);
    // Each 64 KiB chunk was filled: no 32-byte run of the old pattern survives in either.
    const filled = target.subarray(10, 70_010);
    expect(filled.subarray(0, 32).equals(Buffer.alloc(32, 0xaa))).toBe(false);
    expect(filled.subarray(filled.length - 32).equals(Buffer.alloc(32, 0xaa))).toBe(false);
  });

  it('timingSafeEqual: equal, one bit apart, different lengths', () => {
    const a = hex(I6_CONDITION);
    const b = Buffer.from(a);
    expect(backend.timingSafeEqual(a, b)).toBe(true);
    b[31] = (b[31] as number) ^ 0x80;
    expect(backend.timingSafeEqual(a, b)).toBe(false);
    expect(backend.timingSafeEqual(a, a.subarray(1))).toBe(false);
  });
});

describe.each(backends)('crypto backend %s: the crypto layer on it', (name, backend) => {
  const layer = cryptoLayerOn(backend);

  it('really runs on this backend', () => {
    expect(layer.cryptoBackendName()).toBe(name);
  });

  it('29-5.1.2-a / 29-6.2-a / reference-js §4.8: keys for the secret "foo"', () => {
    expect(layer.deriveEncryptionKey(Buffer.from('foo')).toString('base64')).toBe(FOO_ENCRYPTION_KEY_B64);
    expect(layer.deriveFulfillmentKey(Buffer.from('foo')).toString('base64')).toBe(FOO_FULFILLMENT_KEY_B64);
  });

  it('I-5 / I-6: derives, opens, fulfills and conditions the cross-implementation vector', () => {
    expect(layer.deriveEncryptionKey(hex(I5_SECRET)).toString('hex')).toBe(I5_ENCRYPTION_KEY);
    const keys = layer.deriveKeys(hex(I5_SECRET));
    expect(keys.decrypt(hex(I5_DATA)).toString('hex')).toBe(I5_PLAINTEXT);
    expect(keys.fulfillment(hex(I5_DATA)).toString('hex')).toBe(I6_FULFILLMENT);
    expect(keys.condition(hex(I5_DATA)).toString('hex')).toBe(I6_CONDITION);
    expect(layer.fulfillmentMatches(hex(I6_FULFILLMENT), hex(I6_CONDITION))).toBe(true);
    expect(layer.fulfillmentMatches(hex(I6_CONDITION), hex(I6_CONDITION))).toBe(false);
  });

  it('29-5.1.1-a / I-5: the envelope with the vector IV is IV ‖ tag ‖ ciphertext, byte for byte', () => {
    const key = backend.importKey(hex(I5_ENCRYPTION_KEY));
    expect(layer.sealEnvelopeWithIv(key, hex(I5_IV), hex(I5_PLAINTEXT)).toString('hex')).toBe(I5_DATA);
  });

  it('reference-js §4.8: opens the ilp-protocol-stream envelope to "foo bar"; a tampered one fails typed', () => {
    const key = backend.importKey(Buffer.from(REF_KEY_B64, 'base64'));
    const data = Buffer.from(REF_DATA_B64, 'base64');
    expect(layer.openEnvelope(key, data).toString('utf8')).toBe('foo bar');
    data[data.length - 1] = (data[data.length - 1] as number) ^ 1;
    expect(errorCodeOf(() => layer.openEnvelope(key, data))).toBe('AUTHENTICATION_FAILED');
    expect(errorCodeOf(() => layer.openEnvelope(key, data.subarray(0, 27)))).toBe('TOO_SHORT');
  });

  it('conditionOf: the IL-DCP condition (SHA-256 of 32 zero bytes)', () => {
    expect(layer.conditionOf(Buffer.alloc(32)).toString('base64')).toBe(SHA256_ZEROS32_B64);
  });

  it('I-18: the fixture receipt verifies and is reproduced byte for byte', () => {
    const secret = Buffer.alloc(32);
    expect(layer.verifyReceipt(RECEIPT_FIXTURE, secret).totalReceived).toBe(500n);
    const made = layer.createReceipt({ nonce: Buffer.alloc(16), streamId: 1n, totalReceived: 500n, secret });
    expect(made.equals(RECEIPT_FIXTURE)).toBe(true);
    expect(errorCodeOf(() => layer.verifyReceipt(RECEIPT_FIXTURE, Buffer.alloc(32, 1)))).toBe('INVALID_HMAC');
  });

  it('every StreamPacketFixtures packet round-trips through deriveKeys encrypt/decrypt', () => {
    const keys = layer.deriveKeys(hex(I5_SECRET));
    for (const fixture of packetFixtures) {
      const plaintext = Buffer.from(fixture.buffer, 'base64');
      const sealed = keys.encrypt(plaintext);
      expect(sealed.length).toBe(plaintext.length + 28);
      expect(keys.decrypt(sealed).equals(plaintext)).toBe(true);
    }
  });
});

describe('node and noble agree (29-5.1.1-a, 29-6.2-a, tokens)', () => {
  const onNode = cryptoLayerOn(nodeBackend);
  const onNoble = cryptoLayerOn(nobleBackend);

  it('each opens what the other sealed, and both derive the same fulfillment, for random secrets and packets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 2000 }), (secret, plaintext) => {
        const nodeKeys = onNode.deriveKeys(secret);
        const nobleKeys = onNoble.deriveKeys(secret);
        const fromNode = nodeKeys.encrypt(plaintext);
        const fromNoble = nobleKeys.encrypt(plaintext);
        return (
          nobleKeys.decrypt(fromNode).equals(plaintext) &&
          nodeKeys.decrypt(fromNoble).equals(plaintext) &&
          nodeKeys.condition(fromNoble).equals(nobleKeys.condition(fromNoble))
        );
      }),
      { seed: 8_008, numRuns: 200 },
    );
  });

  it('a server address token minted on one opens on the other with the same shared secret', () => {
    const serverSecret = Buffer.alloc(32, 0x3c);
    const receiptNonce = Buffer.alloc(16, 0xa1);
    const receiptSecret = Buffer.alloc(32, 0xb2);
    const minted = onNoble.createConnectionToken(serverSecret, { connectionTag: 'order-42', receiptNonce, receiptSecret });
    const opened = onNode.openConnectionToken(serverSecret, minted.token);
    expect(opened?.connectionTag).toBe('order-42');
    expect(opened?.receiptSecret?.equals(receiptSecret)).toBe(true);
    expect(opened?.sharedSecret.equals(minted.sharedSecret)).toBe(true);
    const back = onNode.createConnectionToken(serverSecret);
    expect(onNoble.openConnectionToken(serverSecret, back.token)?.sharedSecret.equals(back.sharedSecret)).toBe(true);
    expect(onNoble.openConnectionToken(Buffer.alloc(32, 0x3d), back.token)).toBeUndefined();
  });
});
