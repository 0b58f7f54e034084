import { createCipheriv, createSecretKey } from 'node:crypto';
import {
  AUTH_TAG_LENGTH,
  ENCRYPTION_OVERHEAD,
  IV_LENGTH,
  openEnvelope,
  sealEnvelope,
  sealEnvelopeWithIv,
} from '../../lib/crypto/envelope';
import { isStreamDecryptError } from '../../lib/crypto/errors';

// I-5 (research/spec-checklist.md §4): interledger-rs crypto.rs and quilt's test, re-verified in Python.
const I5_ENCRYPTION_KEY = '3f8f12c9f2be99d32bd615fdf212e96f47911242556f4f32c75241ba1149cc57';
const I5_PLAINTEXT = '63000cff4d1f';
const I5_IV = '77f8d5ea3fc8e08cd4de699f';
const I5_DATA = '77f8d5ea3fc8e08cd4de699f' + 'f6cb429b97ac44184ce85a0aed92bd49' + 'f8c4b16c73df';

// research/reference-js.md §4.8: ilp-protocol-stream test/crypto.test.ts decrypt vector.
const REF_KEY_B64 = 'AOStyoBvoK9/OFhdmf2TzQRrJsCkxH/cj49Ya7RFOEc=';
const REF_DATA_B64 = 'Y1UiXpDA1GwAv+h95CEv67O49MOAJQrnYEQMrOFsbv6rrlE=';

const key = (hex: string) => createSecretKey(Buffer.from(hex, 'hex'));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isStreamDecryptError(error) ? error.code : `not a StreamDecryptError: ${String(error)}`;
  }
  return undefined;
}

describe('AES-256-GCM envelope (RFC 29 §5.1.1)', () => {
  it('29-5.1-a: sizes are IV 12, tag 16, overhead 28', () => {
    expect([IV_LENGTH, AUTH_TAG_LENGTH, ENCRYPTION_OVERHEAD]).toEqual([12, 16, 28]);
  });

  it('29-5.1.1-a / I-5: with the vector IV the envelope is exactly IV ‖ tag ‖ ciphertext', () => {
    const sealed = sealEnvelopeWithIv(key(I5_ENCRYPTION_KEY), Buffer.from(I5_IV, 'hex'), Buffer.from(I5_PLAINTEXT, 'hex'));
    expect(sealed.toString('hex')).toBe(I5_DATA);
  });

  it('I-5: opens the cross-implementation envelope', () => {
    expect(openEnvelope(key(I5_ENCRYPTION_KEY), Buffer.from(I5_DATA, 'hex')).toString('hex')).toBe(I5_PLAINTEXT);
  });

  it('reference-js §4.8: opens the ilp-protocol-stream vector to "foo bar"', () => {
    const opened = openEnvelope(createSecretKey(Buffer.from(REF_KEY_B64, 'base64')), Buffer.from(REF_DATA_B64, 'base64'));
    expect(opened.toString('utf8')).toBe('foo bar');
  });

  it('29-5.1.1-a: the tag sits before the ciphertext (Node order IV ‖ ct ‖ tag does not open)', () => {
    const iv = Buffer.from(I5_IV, 'hex');
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(I5_ENCRYPTION_KEY, 'hex'), iv);
    const ciphertext = cipher.update(Buffer.from(I5_PLAINTEXT, 'hex'));
    cipher.final();
    const nodeOrder = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    expect(codeOf(() => openEnvelope(key(I5_ENCRYPTION_KEY), nodeOrder))).toBe('AUTHENTICATION_FAILED');
  });

  it('seals with a fresh IV each time and round-trips, empty plaintext included', () => {
    const k = key(I5_ENCRYPTION_KEY);
    for (const size of [0, 1, 100, 32739]) {
      const plaintext = Buffer.alloc(size, 0x5a);
      const first = sealEnvelope(k, plaintext);
      const second = sealEnvelope(k, plaintext);
      expect(first.length).toBe(size + ENCRYPTION_OVERHEAD);
      expect(first.subarray(0, IV_LENGTH).equals(second.subarray(0, IV_LENGTH))).toBe(false);
      expect(openEnvelope(k, first).equals(plaintext)).toBe(true);
    }
  });

  it('E1: fewer than 28 bytes is TOO_SHORT; 28 bytes of junk fail authentication', () => {
    const k = key(I5_ENCRYPTION_KEY);
    for (let length = 0; length < ENCRYPTION_OVERHEAD; length++) {
      expect(codeOf(() => openEnvelope(k, Buffer.alloc(length)))).toBe('TOO_SHORT');
    }
    expect(codeOf(() => openEnvelope(k, Buffer.alloc(ENCRYPTION_OVERHEAD)))).toBe('AUTHENTICATION_FAILED');
  });

  it('E1: anything that is not bytes is NOT_BYTES', () => {
    const k = key(I5_ENCRYPTION_KEY);
    for (const value of [undefined, null, 'abc', 42, {}, [1, 2, 3], new Uint16Array(20)]) {
      expect(codeOf(() => openEnvelope(k, value))).toBe('NOT_BYTES');
    }
  });

  it('a failed authentication keeps the underlying error as its cause', () => {
    let thrown: unknown;
    try {
      openEnvelope(key(I5_ENCRYPTION_KEY), Buffer.alloc(40));
    } catch (error) {
      thrown = error;
    }
    // Node's own error comes from outside Jest's realm, so check its shape rather than instanceof.
    expect((thrown as Error).cause).toMatchObject({ message: expect.stringMatching(/authenticate/) });
  });
});
