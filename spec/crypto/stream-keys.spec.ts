import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { fulfillmentMatches } from '../../lib/crypto/conditions';
import { isCryptoInputError, isStreamDecryptError } from '../../lib/crypto/errors';
import { deriveEncryptionKey, deriveFulfillmentKey, deriveKeys } from '../../lib/crypto/stream-keys';

// I-5 and I-6 (research/spec-checklist.md §4): interledger-rs crypto.rs / quilt, re-verified in Python.
const I5_SECRET = '7edb755d76f8f9d314d3416eed50fdb35192e543e7315c7ffee6906667a69624';
const I5_ENCRYPTION_KEY = '3f8f12c9f2be99d32bd615fdf212e96f47911242556f4f32c75241ba1149cc57';
const I5_PLAINTEXT = '63000cff4d1f';
const I5_DATA = '77f8d5ea3fc8e08cd4de699ff6cb429b97ac44184ce85a0aed92bd49f8c4b16c73df';
const I6_FULFILLMENT = '18063849e5ec58e3527098319849b6b7c607e97c77410d44366c78c13be26b27';
const I6_CONDITION = '8c1e5999a50fbe1afb92f0a39485cac876f45b5499c8fb8268aa14e5b50b90bb';
// research/reference-js.md §4.8: ilp-protocol-stream test/crypto.test.ts, shared secret "foo".
const FOO_ENCRYPTION_KEY_B64 = 'zfOGMU/uY+EOUCE6tN3WhE77bF/N6pS0wSOmMgEAMEA=';
const FOO_FULFILLMENT_KEY_B64 = 'lh8nGJCJosvfUePaU0uxxXK3jNvV2Y+5ivt1GH1Muhs=';

const hex = (value: string) => Buffer.from(value, 'hex');
const keys = deriveKeys(hex(I5_SECRET));

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('key derivation (29-5.1.2-a, 29-6.2-a)', () => {
  it('29-5.1.2-a / reference-js §4.8: encryption key for secret "foo"', () => {
    expect(deriveEncryptionKey(Buffer.from('foo')).toString('base64')).toBe(FOO_ENCRYPTION_KEY_B64);
  });

  it('29-6.2-a / reference-js §4.8: fulfillment key for secret "foo"', () => {
    expect(deriveFulfillmentKey(Buffer.from('foo')).toString('base64')).toBe(FOO_FULFILLMENT_KEY_B64);
  });

  it('I-5: encryption key for the cross-implementation secret', () => {
    expect(deriveEncryptionKey(hex(I5_SECRET)).toString('hex')).toBe(I5_ENCRYPTION_KEY);
  });

  it('rejects a missing, empty or non-bytes secret, naming sharedSecret', () => {
    for (const value of [undefined, 'secret', Buffer.alloc(0)]) {
      const error = thrownBy(() => deriveKeys(value as unknown as Uint8Array));
      expect(isCryptoInputError(error)).toBe(true);
      expect((error as { argument: string }).argument).toBe('sharedSecret');
    }
  });

  it('accepts secrets of any non-empty length, as ilp-protocol-stream does', () => {
    for (const length of [1, 16, 32, 64]) {
      const k = deriveKeys(Buffer.alloc(length, 1));
      expect(k.decrypt(k.encrypt(Buffer.from('x'))).toString()).toBe('x');
    }
  });

  it('accepts a Uint8Array from another realm', () => {
    const foreign = runInNewContext('new Uint8Array(32).fill(7)') as Uint8Array;
    const k = deriveKeys(foreign);
    expect(k.decrypt(k.encrypt(foreign)).equals(Buffer.alloc(32, 7))).toBe(true);
  });
});

describe('StreamKeys envelope (29-5.1, 29-5.1.1)', () => {
  it('I-5: decrypts the cross-implementation vector under the derived key', () => {
    expect(keys.decrypt(hex(I5_DATA)).toString('hex')).toBe(I5_PLAINTEXT);
  });

  it('29-5.1.1-a: output is IV(12) ‖ tag(16) ‖ ciphertext under HMAC(secret, "ilp_stream_encryption")', () => {
    const plaintext = Buffer.from('a STREAM packet');
    const data = keys.encrypt(plaintext);
    expect(data.length).toBe(plaintext.length + 28);
    // Independent oracle: node:crypto with the published key and the documented layout.
    const decipher = createDecipheriv('aes-256-gcm', hex(I5_ENCRYPTION_KEY), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    const opened = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
    expect(opened.equals(plaintext)).toBe(true);
  });

  it('29-5.1.1-b: 10,000 encryptions use 10,000 different IVs', () => {
    const ivs = new Set<string>();
    const plaintext = Buffer.alloc(16);
    for (let i = 0; i < 10_000; i++) ivs.add(keys.encrypt(plaintext).subarray(0, 12).toString('hex'));
    expect(ivs.size).toBe(10_000);
  });

  it('29-5.1.1-b / 29-5.3.11-c: a retransmission of the same plaintext is re-encrypted under a new IV', () => {
    const packet = Buffer.from('010c0101010001001401', 'hex');
    const first = keys.encrypt(packet);
    const resent = keys.encrypt(packet);
    expect(first.equals(resent)).toBe(false);
    expect(keys.decrypt(resent).equals(packet)).toBe(true);
  });

  it('round-trips payloads from 0 to 32,739 bytes (the largest STREAM plaintext)', () => {
    for (const size of [0, 1, 27, 28, 1000, 32_739]) {
      const plaintext = Buffer.alloc(size, size % 251);
      expect(keys.decrypt(keys.encrypt(plaintext)).equals(plaintext)).toBe(true);
    }
  });

  it('E1: data sealed under another connection fails authentication', () => {
    const other = deriveKeys(Buffer.alloc(32, 9));
    const error = thrownBy(() => keys.decrypt(other.encrypt(Buffer.from('hello'))));
    expect(isStreamDecryptError(error, 'AUTHENTICATION_FAILED')).toBe(true);
  });

  it('encrypt rejects non-bytes plaintext, naming it', () => {
    const error = thrownBy(() => keys.encrypt('plain' as unknown as Uint8Array));
    expect(isCryptoInputError(error, 'INVALID_TYPE')).toBe(true);
    expect((error as { argument: string }).argument).toBe('plaintext');
  });

  it('methods work detached from the object', () => {
    const { encrypt, decrypt } = keys;
    expect(decrypt(encrypt(Buffer.from('detached'))).toString()).toBe('detached');
  });
});

describe('StreamKeys.decrypt throws only StreamDecryptError (E1, 29-4.2-b)', () => {
  const onlyDecryptErrors = (input: unknown): boolean => {
    const error = thrownBy(() => keys.decrypt(input as Uint8Array));
    return isStreamDecryptError(error);
  };

  it('random byte strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), onlyDecryptErrors), { seed: 29_0511, numRuns: 3000 });
  });

  it('arbitrary non-bytes values', () => {
    fc.assert(fc.property(fc.anything(), onlyDecryptErrors), { seed: 29_0512, numRuns: 1000 });
  });

  it('valid envelopes with one bit flipped, truncated or extended fail authentication or are too short', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), bit: fc.constant(0) }),
      fc.record({ kind: fc.constant('extend' as const), at: fc.integer({ min: 1, max: 16 }), bit: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), mutation, (plaintext, change) => {
        const data = keys.encrypt(plaintext);
        let mutated: Buffer;
        if (change.kind === 'flip') {
          mutated = Buffer.from(data);
          const at = change.at % data.length;
          mutated[at] = (mutated[at] as number) ^ (1 << change.bit);
        } else if (change.kind === 'truncate') {
          mutated = data.subarray(0, change.at % data.length);
        } else {
          mutated = Buffer.concat([data, Buffer.alloc(change.at, change.bit)]);
        }
        const error = thrownBy(() => keys.decrypt(mutated));
        const expected = mutated.length < 28 ? 'TOO_SHORT' : 'AUTHENTICATION_FAILED';
        return isStreamDecryptError(error, expected);
      }),
      { seed: 29_0513, numRuns: 3000 },
    );
  });
});

describe('fulfillment and condition (29-6.2-a, 29-6.3-a)', () => {
  it('I-6: fulfillment and condition of the cross-implementation envelope', () => {
    expect(keys.fulfillment(hex(I5_DATA)).toString('hex')).toBe(I6_FULFILLMENT);
    expect(keys.condition(hex(I5_DATA)).toString('hex')).toBe(I6_CONDITION);
  });

  it('29-6.2-a: fulfillment = HMAC(HMAC(secret, "ilp_stream_fulfillment"), data), condition = SHA-256(fulfillment)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 500 }), (secret, data) => {
        const k = deriveKeys(secret);
        const fulfillmentKey = createHmac('sha256', secret).update('ilp_stream_fulfillment').digest();
        const expected = createHmac('sha256', fulfillmentKey).update(data).digest();
        const fulfillment = k.fulfillment(data);
        return (
          fulfillment.equals(expected) &&
          k.condition(data).equals(createHash('sha256').update(expected).digest()) &&
          fulfillmentMatches(fulfillment, k.condition(data))
        );
      }),
      { seed: 29_0620, numRuns: 300 },
    );
  });

  it('29-6.3-a: the condition of one packet is not met by the fulfillment of another', () => {
    const a = keys.encrypt(Buffer.from('a'));
    const b = keys.encrypt(Buffer.from('a'));
    expect(fulfillmentMatches(keys.fulfillment(a), keys.condition(b))).toBe(false);
  });

  it('fulfillment and condition reject non-bytes data, naming it', () => {
    for (const call of [() => keys.fulfillment(7 as unknown as Uint8Array), () => keys.condition(7 as unknown as Uint8Array)]) {
      const error = thrownBy(call);
      expect(isCryptoInputError(error, 'INVALID_TYPE')).toBe(true);
      expect((error as { argument: string }).argument).toBe('data');
    }
  });
});
