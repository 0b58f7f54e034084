import * as crypto from '../../lib/crypto';

describe('lib/crypto public surface', () => {
  it('exports the contract of DESIGN.md §2 and the token and receipt helpers', () => {
    const functions = [
      'deriveKeys',
      'hmacSha256',
      'sha256',
      'conditionOf',
      'fulfillmentMatches',
      'randomCondition',
      'createConnectionToken',
      'deriveConnectionTokenKeys',
      'openConnectionToken',
      'sharedSecretFromToken',
      'createReceipt',
      'decodeReceipt',
      'verifyReceipt',
      'isStreamDecryptError',
      'isCryptoInputError',
      'isReceiptError',
    ] as const;
    for (const name of functions) expect(typeof crypto[name]).toBe('function');
    expect(crypto.ENCRYPTION_OVERHEAD).toBe(28);
    expect(crypto.CONDITION_LENGTH).toBe(32);
    expect(crypto.RECEIPT_LENGTH).toBe(58);
    expect(crypto.SERVER_SECRET_LENGTH).toBe(32);
  });

  it('does not export internals (raw key derivation, fixed-IV sealing, the random pool)', () => {
    for (const name of ['deriveEncryptionKey', 'sealEnvelopeWithIv', 'copyRandomBytes', 'openEnvelope']) {
      expect(name in crypto).toBe(false);
    }
  });
});
