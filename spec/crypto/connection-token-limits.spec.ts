import {
  base64urlLength,
  CONNECTION_TAG_PATTERN,
  MAX_CONNECTION_TAG_LENGTH,
  MAX_TOKEN_SEGMENT_LENGTH,
  tokenSegmentLength,
} from '../../lib/crypto/connection-token-limits';

describe('connection token limits', () => {
  it('reference-js §4.4: a bare token is 49 bytes / 66 characters, one with receipts 97 / 130', () => {
    expect(base64urlLength(49)).toBe(66);
    expect(base64urlLength(97)).toBe(130);
    expect(tokenSegmentLength(0, false)).toBe(66);
    expect(tokenSegmentLength(0, true)).toBe(130);
  });

  it('RFC 15: the segment limit leaves room for the shortest server address "g.a."', () => {
    expect(MAX_TOKEN_SEGMENT_LENGTH + 'g.a.'.length).toBe(1023);
  });

  it('the longest tag fits with receipts and one more character would not', () => {
    expect(tokenSegmentLength(MAX_CONNECTION_TAG_LENGTH, true)).toBeLessThanOrEqual(MAX_TOKEN_SEGMENT_LENGTH);
    expect(tokenSegmentLength(MAX_CONNECTION_TAG_LENGTH + 1, true)).toBeGreaterThan(MAX_TOKEN_SEGMENT_LENGTH);
    expect(MAX_CONNECTION_TAG_LENGTH).toBeGreaterThan(600);
  });

  it('the tag length prefix grows at 128 and 256 bytes (I-1)', () => {
    expect(tokenSegmentLength(127, false)).toBe(base64urlLength(28 + 18 + 1 + 127 + 2));
    expect(tokenSegmentLength(128, false)).toBe(base64urlLength(28 + 18 + 2 + 128 + 2));
    expect(tokenSegmentLength(256, false)).toBe(base64urlLength(28 + 18 + 3 + 256 + 2));
  });

  it('tags may use exactly the characters of an ILP address (RFC 15)', () => {
    expect(CONNECTION_TAG_PATTERN.test('Order-42.user_7~x')).toBe(true);
    for (const bad of ['', 'a b', 'a/b', 'a+b', 'a=b', 'café', 'line\n', '{"json":1}']) {
      expect(CONNECTION_TAG_PATTERN.test(bad)).toBe(false);
    }
  });
});
