import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalTokenSegment,
  createConnectionToken,
  deriveConnectionTokenKeys,
  openConnectionToken,
  sharedSecretFromToken,
} from '../../lib/crypto/connection-token';
import { MAX_CONNECTION_TAG_LENGTH } from '../../lib/crypto/connection-token-limits';
import { isCryptoInputError } from '../../lib/crypto/errors';

const SERVER_SECRET = Buffer.alloc(32, 0x11);
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RECEIPT_NONCE = Buffer.alloc(16, 0xa1);
const RECEIPT_SECRET = Buffer.alloc(32, 0xb2);

// Independent oracles, written from the format in research/reference-js.md §4.4.
function oracleSeal(serverSecret: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', serverSecret, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}
function oracleOpen(serverSecret: Buffer, token: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', serverSecret, token.subarray(0, 12));
  decipher.setAuthTag(token.subarray(12, 28));
  return Buffer.concat([decipher.update(token.subarray(28)), decipher.final()]);
}
function oracleSharedSecret(serverSecret: Buffer, token: Buffer): Buffer {
  const generator = createHmac('sha256', serverSecret).update('ilp_stream_shared_secret').digest();
  return createHmac('sha256', generator).update(token).digest();
}
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createConnectionToken (reference-js §4.4)', () => {
  it('token is base64url without padding: 66 characters bare, 130 with receipts', () => {
    const bare = createConnectionToken(SERVER_SECRET);
    const withReceipts = createConnectionToken(SERVER_SECRET, { receiptNonce: RECEIPT_NONCE, receiptSecret: RECEIPT_SECRET });
    expect(bare.token).toMatch(/^[A-Za-z0-9_-]{66}$/);
    expect(withReceipts.token).toMatch(/^[A-Za-z0-9_-]{130}$/);
  });

  it('plaintext is nonce(18) ‖ var(tag) ‖ var(receiptNonce) ‖ var(receiptSecret) under the raw server secret', () => {
    const { token } = createConnectionToken(SERVER_SECRET, {
      connectionTag: 'order-42',
      receiptNonce: RECEIPT_NONCE,
      receiptSecret: RECEIPT_SECRET,
    });
    const plaintext = oracleOpen(SERVER_SECRET, Buffer.from(token, 'base64url'));
    expect(plaintext.length).toBe(18 + 9 + 17 + 33);
    expect(plaintext.subarray(18).toString('hex')).toBe(
      '08' + Buffer.from('order-42').toString('hex') + '10' + RECEIPT_NONCE.toString('hex') + '20' + RECEIPT_SECRET.toString('hex'),
    );
  });

  it('an absent tag and absent receipts are empty VarOctetStrings (00 00 00)', () => {
    const { token } = createConnectionToken(SERVER_SECRET);
    const plaintext = oracleOpen(SERVER_SECRET, Buffer.from(token, 'base64url'));
    expect(plaintext.length).toBe(21);
    expect(plaintext.subarray(18).toString('hex')).toBe('000000');
  });

  it('the 18-byte nonce is random, so the same tag gives different tokens and secrets', () => {
    const first = createConnectionToken(SERVER_SECRET, { connectionTag: 'same' });
    const second = createConnectionToken(SERVER_SECRET, { connectionTag: 'same' });
    const nonce = (token: string) => oracleOpen(SERVER_SECRET, Buffer.from(token, 'base64url')).subarray(0, 18);
    expect(nonce(first.token).equals(nonce(second.token))).toBe(false);
    expect(first.sharedSecret.equals(second.sharedSecret)).toBe(false);
  });

  it('sharedSecret = HMAC(HMAC(serverSecret, "ilp_stream_shared_secret"), token bytes)', () => {
    const { token, sharedSecret } = createConnectionToken(SERVER_SECRET, { connectionTag: 't' });
    expect(sharedSecret.length).toBe(32);
    expect(sharedSecret.equals(oracleSharedSecret(SERVER_SECRET, Buffer.from(token, 'base64url')))).toBe(true);
    expect(sharedSecretFromToken(SERVER_SECRET, token).equals(sharedSecret)).toBe(true);
    expect(sharedSecretFromToken(SERVER_SECRET, Buffer.from(token, 'base64url')).equals(sharedSecret)).toBe(true);
  });

  it('a tag of the maximum length fits; one character more is refused', () => {
    const longest = 'x'.repeat(MAX_CONNECTION_TAG_LENGTH);
    const { token } = createConnectionToken(SERVER_SECRET, { connectionTag: longest, receiptNonce: RECEIPT_NONCE, receiptSecret: RECEIPT_SECRET });
    expect(token.length).toBeLessThanOrEqual(1019);
    expect(openConnectionToken(SERVER_SECRET, token)?.connectionTag).toBe(longest);
    const error = thrownBy(() => createConnectionToken(SERVER_SECRET, { connectionTag: longest + 'x' }));
    expect(isCryptoInputError(error, 'INVALID_LENGTH')).toBe(true);
  });

  it('refuses tags with characters that cannot go into an ILP address, an empty tag, and non-strings', () => {
    for (const connectionTag of ['a b', 'café', 'new\nline', '{"a":1}', '']) {
      const error = thrownBy(() => createConnectionToken(SERVER_SECRET, { connectionTag }));
      expect(isCryptoInputError(error)).toBe(true);
      expect((error as { argument: string }).argument).toBe('options.connectionTag');
    }
    const error = thrownBy(() => createConnectionToken(SERVER_SECRET, { connectionTag: 42 as unknown as string }));
    expect(isCryptoInputError(error, 'INVALID_TYPE')).toBe(true);
  });

  it('refuses a server secret that is not 32 bytes, naming it', () => {
    for (const serverSecret of [Buffer.alloc(31), Buffer.alloc(33), Buffer.alloc(0)]) {
      const error = thrownBy(() => createConnectionToken(serverSecret));
      expect(isCryptoInputError(error, 'INVALID_LENGTH')).toBe(true);
      expect((error as { argument: string }).argument).toBe('serverSecret');
    }
    expect(isCryptoInputError(thrownBy(() => createConnectionToken('s'.repeat(32) as unknown as Buffer)), 'INVALID_TYPE')).toBe(true);
  });

  it('receipt nonce and secret come together and with the right lengths, as in the reference', () => {
    const onlyNonce = thrownBy(() => createConnectionToken(SERVER_SECRET, { receiptNonce: RECEIPT_NONCE }));
    expect(isCryptoInputError(onlyNonce, 'INVALID_VALUE')).toBe(true);
    expect((onlyNonce as { argument: string }).argument).toBe('options.receiptSecret');
    const onlySecret = thrownBy(() => createConnectionToken(SERVER_SECRET, { receiptSecret: RECEIPT_SECRET }));
    expect((onlySecret as { argument: string }).argument).toBe('options.receiptNonce');
    const shortNonce = thrownBy(() => createConnectionToken(SERVER_SECRET, { receiptNonce: Buffer.alloc(15), receiptSecret: RECEIPT_SECRET }));
    expect(isCryptoInputError(shortNonce, 'INVALID_LENGTH')).toBe(true);
    const longSecret = thrownBy(() => createConnectionToken(SERVER_SECRET, { receiptNonce: RECEIPT_NONCE, receiptSecret: Buffer.alloc(33) }));
    expect((longSecret as { argument: string }).argument).toBe('options.receiptSecret');
  });

  it('refuses options that are not an object', () => {
    expect(isCryptoInputError(thrownBy(() => createConnectionToken(SERVER_SECRET, 'tag' as never)), 'INVALID_TYPE')).toBe(true);
  });
});

describe('openConnectionToken', () => {
  it('round-trips tag, receipt details and shared secret', () => {
    const minted = createConnectionToken(SERVER_SECRET, { connectionTag: 'user.7', receiptNonce: RECEIPT_NONCE, receiptSecret: RECEIPT_SECRET });
    const opened = openConnectionToken(SERVER_SECRET, minted.token);
    expect(opened).toEqual({
      connectionTag: 'user.7',
      receiptNonce: RECEIPT_NONCE,
      receiptSecret: RECEIPT_SECRET,
      sharedSecret: minted.sharedSecret,
    });
  });

  it('a token without tag or receipts opens to the shared secret alone', () => {
    const minted = createConnectionToken(SERVER_SECRET);
    expect(openConnectionToken(SERVER_SECRET, minted.token)).toEqual({ sharedSecret: minted.sharedSecret });
  });

  it('reference-js §4.4: accepts standard base64, padded or not, as Node\'s decoder does', () => {
    const minted = createConnectionToken(SERVER_SECRET, { connectionTag: 'b64' });
    const standard = Buffer.from(minted.token, 'base64url').toString('base64');
    expect(standard.endsWith('=')).toBe(true);
    expect(openConnectionToken(SERVER_SECRET, standard)?.sharedSecret.equals(minted.sharedSecret)).toBe(true);
    expect(openConnectionToken(SERVER_SECRET, standard.replace(/=+$/, ''))?.connectionTag).toBe('b64');
  });

  it('E39: a token with any bit changed opens to undefined', () => {
    const minted = createConnectionToken(SERVER_SECRET, { connectionTag: 'tamper' });
    const bytes = Buffer.from(minted.token, 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit += 3) {
      const tampered = Buffer.from(bytes);
      tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(openConnectionToken(SERVER_SECRET, tampered.toString('base64url'))).toBeUndefined();
    }
  });

  it('a token minted under another server secret opens to undefined', () => {
    const minted = createConnectionToken(Buffer.alloc(32, 0x22));
    expect(openConnectionToken(SERVER_SECRET, minted.token)).toBeUndefined();
  });

  it('never throws for a bad token: random strings, other types, oversized input', () => {
    const check = (token: unknown) => openConnectionToken(SERVER_SECRET, token as string) === undefined;
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { seed: 44, numRuns: 2000 });
    fc.assert(fc.property(fc.anything(), check), { seed: 45, numRuns: 500 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 150 }), (bytes) => check(Buffer.from(bytes).toString('base64url'))),
      { seed: 46, numRuns: 2000 },
    );
    expect(check('A'.repeat(5000))).toBe(true);
    expect(check('')).toBe(true);
  });

  it('refuses segments with characters outside base64 and base64url, and longer than any address allows', () => {
    const { token } = createConnectionToken(SERVER_SECRET);
    expect(openConnectionToken(SERVER_SECRET, token)).toBeDefined();
    expect(openConnectionToken(SERVER_SECRET, `${token}.next`)).toBeUndefined();
    expect(openConnectionToken(SERVER_SECRET, `${token.slice(0, 10)}~${token.slice(10)}`)).toBeUndefined();
    expect(openConnectionToken(SERVER_SECRET, token + 'A'.repeat(1019 - token.length + 4))).toBeUndefined();
  });

  it('throws CryptoInputError for a bad server secret (configuration, not network input)', () => {
    expect(isCryptoInputError(thrownBy(() => openConnectionToken(Buffer.alloc(16), 'AAAA')), 'INVALID_LENGTH')).toBe(true);
  });
});

describe('openConnectionToken on hand-made plaintexts (rules of the reference pool.js)', () => {
  const open = (plaintext: Buffer) => openConnectionToken(SERVER_SECRET, oracleSeal(SERVER_SECRET, plaintext).toString('base64url'));
  const nonce = Buffer.alloc(18, 0x33);
  const hexPlain = (hex: string) => Buffer.concat([nonce, Buffer.from(hex, 'hex')]);

  it('accepts a receipt nonce without a secret and the reverse (the reference reads them independently)', () => {
    expect(open(hexPlain('00' + '10' + 'a1'.repeat(16) + '00'))).toMatchObject({ receiptNonce: Buffer.alloc(16, 0xa1) });
    const secretOnly = open(hexPlain('00' + '00' + '20' + 'b2'.repeat(32)));
    expect(secretOnly?.receiptSecret?.equals(Buffer.alloc(32, 0xb2))).toBe(true);
    expect(secretOnly?.receiptNonce).toBeUndefined();
  });

  it('refuses a receipt nonce other than 0 or 16 bytes and a secret other than 0 or 32 bytes', () => {
    expect(open(hexPlain('00' + '0f' + 'a1'.repeat(15) + '00'))).toBeUndefined();
    expect(open(hexPlain('00' + '00' + '1f' + 'b2'.repeat(31)))).toBeUndefined();
  });

  it('refuses a plaintext that stops early or has a non-canonical prefix', () => {
    expect(open(nonce)).toBeUndefined();
    expect(open(nonce.subarray(0, 10))).toBeUndefined();
    expect(open(hexPlain('0000'))).toBeUndefined();
    expect(open(hexPlain('8103616263' + '0000'))).toBeUndefined();
  });

  it('ignores bytes after the receipt secret, as the reference does', () => {
    expect(open(hexPlain('03616263' + '00' + '00' + 'ffff'))?.connectionTag).toBe('abc');
  });

  it('reads the tag as ASCII like the reference, whatever bytes a 2.7.1 server put there', () => {
    // Buffer 'ascii' decoding clears the high bit: 0xe9 reads as 0x69 'i'.
    expect(open(hexPlain('0461e92062' + '0000'))?.connectionTag).toBe('ai b');
  });

  it('the shared secret is derived from the token bytes as sent', () => {
    const token = oracleSeal(SERVER_SECRET, hexPlain('000000'));
    const opened = openConnectionToken(SERVER_SECRET, token.toString('base64url'));
    expect(opened?.sharedSecret.equals(oracleSharedSecret(SERVER_SECRET, token))).toBe(true);
  });
});

describe('deriveConnectionTokenKeys', () => {
  it('keeps working across many calls and agrees with the free functions', () => {
    const tokens = deriveConnectionTokenKeys(SERVER_SECRET);
    for (let i = 0; i < 50; i++) {
      const minted = tokens.create({ connectionTag: `c${i}` });
      expect(tokens.open(minted.token)?.connectionTag).toBe(`c${i}`);
      expect(openConnectionToken(SERVER_SECRET, minted.token)?.sharedSecret.equals(minted.sharedSecret)).toBe(true);
      expect(tokens.sharedSecret(minted.token).equals(minted.sharedSecret)).toBe(true);
    }
  });

  it('sharedSecret refuses a token that is neither text nor bytes, or is not base64 text', () => {
    const tokens = deriveConnectionTokenKeys(SERVER_SECRET);
    expect(isCryptoInputError(thrownBy(() => tokens.sharedSecret(5 as never)), 'INVALID_TYPE')).toBe(true);
    expect(isCryptoInputError(thrownBy(() => tokens.sharedSecret('not base64!')), 'INVALID_VALUE')).toBe(true);
  });
});

describe('canonicalTokenSegment', () => {
  it('gives every spelling of one token the same key: base64url unpadded, base64 padded or not, other unused low bits', () => {
    const { token } = createConnectionToken(SERVER_SECRET);
    const bytes = Buffer.from(token, 'base64url');
    const standard = bytes.toString('base64');
    const lastIndex = URL_ALPHABET.indexOf(token.slice(-1));
    // 49 token bytes leave 4 unused bits in the last of 66 characters.
    const respelled = token.slice(0, -1) + URL_ALPHABET[lastIndex ^ 0b1111];
    expect(Buffer.from(respelled, 'base64url').equals(bytes)).toBe(true);

    for (const spelling of [token, standard, standard.replace(/=+$/, ''), respelled]) expect(canonicalTokenSegment(spelling)).toBe(token);
  });

  it('keeps different tokens apart and refuses what is not base64', () => {
    const a = createConnectionToken(SERVER_SECRET).token;
    const b = createConnectionToken(SERVER_SECRET).token;
    expect(canonicalTokenSegment(a)).not.toBe(canonicalTokenSegment(b));
    for (const bad of ['', 'A', 'A==', 'a.b', 'ab cd', 'é', 'A'.repeat(100_000)]) expect(canonicalTokenSegment(bad)).toBeUndefined();
  });
});
