import { isIlpAddress, MAX_ILP_ADDRESS_LENGTH } from '../../lib/wire/address';

describe('isIlpAddress (RFC 15)', () => {
  it.each(['g.us.bank.alice', 'example.alice', 'private.x', 'peer.config', 'self.a', 'test.a', 'test1.a', 'test3.a', 'local.a_b~c-d', 'g.A9'])(
    'accepts %s',
    (address) => {
      expect(isIlpAddress(address)).toBe(true);
    },
  );

  it.each([
    ['', 'empty'],
    ['g', 'a scheme alone'],
    ['g.', 'an empty segment'],
    ['g..a', 'an empty middle segment'],
    ['h.alice', 'an unknown scheme'],
    ['test4.a', 'test4'],
    ['G.alice', 'an upper-case scheme'],
    ['g.al ice', 'a space'],
    ['g.alice!', 'a punctuation character'],
    ['g.ali\u00e9', 'a non-ASCII character'],
    [' g.alice', 'leading whitespace'],
    ['g.alice\n', 'a trailing newline'],
  ])('rejects %p (%s)', (address) => {
    expect(isIlpAddress(address)).toBe(false);
  });

  it('allows exactly 1023 characters and no more', () => {
    const longest = `g.${'a'.repeat(MAX_ILP_ADDRESS_LENGTH - 2)}`;
    expect(longest).toHaveLength(1023);
    expect(isIlpAddress(longest)).toBe(true);
    expect(isIlpAddress(`${longest}a`)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isIlpAddress(undefined)).toBe(false);
    expect(isIlpAddress(42)).toBe(false);
  });
});
