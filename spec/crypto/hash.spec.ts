import { isCryptoInputError } from '../../lib/crypto/errors';
import { hmacSha256, sha256 } from '../../lib/crypto/hash';

// Vectors: SHA-256("abc") from FIPS 180-2 appendix B.1; HMAC test case 2 from RFC 4231;
// the zero-key and zero-data vectors from research/reference-js.md §4.8 (ilp-protocol-stream's tests).
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA256_ZEROS32_B64 = 'Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU=';
const HMAC_JEFE = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
const HMAC_ZEROS32_FOO_B64 = 'DA2Y9+PZ1F5y6Id7wbEEMn77nAexjy/+ztdtgTB/H/8=';

describe('sha256', () => {
  it('FIPS 180-2 B.1: SHA-256("abc")', () => {
    expect(sha256(Buffer.from('abc')).toString('hex')).toBe(SHA256_ABC);
  });

  it('reference-js §4.8 / I-17: SHA-256 of 32 zero bytes', () => {
    expect(sha256(Buffer.alloc(32)).toString('base64')).toBe(SHA256_ZEROS32_B64);
  });

  it('returns a Buffer of 32 bytes for a plain Uint8Array', () => {
    const digest = sha256(new Uint8Array([0x61, 0x62, 0x63]));
    expect(Buffer.isBuffer(digest)).toBe(true);
    expect(digest.toString('hex')).toBe(SHA256_ABC);
  });

  it('falls back to createHash on a Node 20 without crypto.hash, with the same result', () => {
    const createHash = jest.fn();
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => {
        const real = jest.requireActual<typeof import('node:crypto')>('node:crypto');
        const { hash: _hash, ...withoutHash } = real;
        createHash.mockImplementation(real.createHash);
        return { ...withoutHash, createHash };
      });
      const isolated = require('../../lib/crypto/hash') as typeof import('../../lib/crypto/hash');
      expect(isolated.sha256(Buffer.from('abc')).toString('hex')).toBe(SHA256_ABC);
    });
    expect(createHash).toHaveBeenCalledWith('sha256');
    jest.dontMock('node:crypto');
  });

  it('rejects non-bytes, naming the argument', () => {
    expect(() => sha256('abc' as unknown as Uint8Array)).toThrow('INVALID_TYPE: data must be a Uint8Array or Buffer, got string');
  });
});

describe('hmacSha256', () => {
  it('RFC 4231 test case 2', () => {
    expect(hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(HMAC_JEFE);
  });

  it('reference-js §4.8: HMAC(32 zero bytes, "foo")', () => {
    expect(hmacSha256(Buffer.alloc(32), Buffer.from('foo')).toString('base64')).toBe(HMAC_ZEROS32_FOO_B64);
  });

  it('rejects a non-bytes key or data, naming which', () => {
    let thrown: unknown;
    try {
      hmacSha256(Buffer.alloc(32), 'foo' as unknown as Uint8Array);
    } catch (error) {
      thrown = error;
    }
    expect(isCryptoInputError(thrown, 'INVALID_TYPE')).toBe(true);
    expect((thrown as { argument: string }).argument).toBe('data');
    expect(() => hmacSha256(null as unknown as Uint8Array, Buffer.alloc(1))).toThrow('INVALID_TYPE: key');
  });
});
