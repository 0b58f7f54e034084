import { clipMessage, describeError } from '../../lib/ilp/describe-error';

describe('describeError (reject messages are at most 8191 UTF-8 bytes, RFC 27 ASN.1)', () => {
  it('uses an Error message', () => {
    expect(describeError(new Error('socket closed'))).toBe('socket closed');
  });

  it('stringifies anything else, and survives values that cannot be stringified', () => {
    expect(describeError('plain')).toBe('plain');
    expect(describeError(Object.create(null))).toBe('an unprintable value');
    expect(describeError({ toString: () => { throw new Error('no'); } })).toBe('an unprintable value');
  });

  it('clips long text to 1000 characters, which is at most 3000 UTF-8 bytes', () => {
    const clipped = clipMessage('€'.repeat(5000));
    expect(clipped).toHaveLength(1000);
    expect(clipped.endsWith('...')).toBe(true);
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(8191);
    expect(clipMessage('short')).toBe('short');
  });
});
