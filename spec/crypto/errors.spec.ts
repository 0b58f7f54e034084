import {
  CryptoInputError,
  isCryptoInputError,
  isReceiptError,
  isStreamDecryptError,
  ReceiptError,
  StreamDecryptError,
} from '../../lib/crypto/errors';

describe('crypto errors', () => {
  it('StreamDecryptError carries name, code, the code in the message, and an optional cause', () => {
    const cause = new Error('bad tag');
    const error = new StreamDecryptError('AUTHENTICATION_FAILED', 'wrong key', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StreamDecryptError');
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toBe('AUTHENTICATION_FAILED: wrong key');
    expect(error.cause).toBe(cause);
  });

  it('CryptoInputError names the argument in a field and in the message', () => {
    const error = new CryptoInputError('INVALID_LENGTH', 'serverSecret', 'must be 32 bytes, got 3');
    expect(error.name).toBe('CryptoInputError');
    expect(error.code).toBe('INVALID_LENGTH');
    expect(error.argument).toBe('serverSecret');
    expect(error.message).toBe('INVALID_LENGTH: serverSecret must be 32 bytes, got 3');
  });

  it('ReceiptError carries name, code and message', () => {
    const error = new ReceiptError('INVALID_HMAC', 'mismatch');
    expect(error.name).toBe('ReceiptError');
    expect(error.code).toBe('INVALID_HMAC');
    expect(error.message).toBe('INVALID_HMAC: mismatch');
  });

  it('guards accept their own errors, with or without a matching code', () => {
    expect(isStreamDecryptError(new StreamDecryptError('TOO_SHORT', 'x'))).toBe(true);
    expect(isStreamDecryptError(new StreamDecryptError('TOO_SHORT', 'x'), 'TOO_SHORT')).toBe(true);
    expect(isStreamDecryptError(new StreamDecryptError('TOO_SHORT', 'x'), 'NOT_BYTES')).toBe(false);
    expect(isCryptoInputError(new CryptoInputError('OUT_OF_RANGE', 'a', 'b'), 'OUT_OF_RANGE')).toBe(true);
    expect(isCryptoInputError(new CryptoInputError('OUT_OF_RANGE', 'a', 'b'), 'INVALID_TYPE')).toBe(false);
    expect(isReceiptError(new ReceiptError('WRONG_LENGTH', 'x'), 'WRONG_LENGTH')).toBe(true);
    expect(isReceiptError(new ReceiptError('WRONG_LENGTH', 'x'), 'INVALID_HMAC')).toBe(false);
  });

  it('guards check name and code, not instanceof (a copy from another package instance passes)', () => {
    const lookalike = Object.assign(new Error('TOO_SHORT: x'), { name: 'StreamDecryptError', code: 'TOO_SHORT' });
    expect(isStreamDecryptError(lookalike)).toBe(true);
  });

  it('guards reject other errors, unknown codes and non-objects', () => {
    expect(isStreamDecryptError(new Error('TOO_SHORT'))).toBe(false);
    expect(isStreamDecryptError(new ReceiptError('WRONG_LENGTH', 'x'))).toBe(false);
    expect(isStreamDecryptError(Object.assign(new Error(), { name: 'StreamDecryptError', code: 'MADE_UP' }))).toBe(false);
    expect(isStreamDecryptError(Object.assign(new Error(), { name: 'StreamDecryptError' }))).toBe(false);
    expect(isCryptoInputError(new StreamDecryptError('TOO_SHORT', 'x'))).toBe(false);
    expect(isReceiptError(new CryptoInputError('INVALID_TYPE', 'a', 'b'))).toBe(false);
    for (const value of [undefined, null, 'StreamDecryptError', 42]) {
      expect(isStreamDecryptError(value)).toBe(false);
      expect(isCryptoInputError(value)).toBe(false);
      expect(isReceiptError(value)).toBe(false);
    }
  });
});
