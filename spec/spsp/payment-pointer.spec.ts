/**
 * resolvePaymentPointer against IL-RFC 26: the RFC's four examples, the syntax it excludes, the
 * hosts this library refuses for the RFC's security reasons, raw endpoint URLs (IL-RFC 9
 * §Specification) and the loopback-only `allowHttp` switch.
 */
import { MAX_PAYMENT_POINTER_LENGTH, isSpspError, resolvePaymentPointer } from '../../lib';

function rejection(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('RFC 26 §Receiver Endpoint Resolution: the RFC examples', () => {
  it.each([
    ['$example.com', 'https://example.com/.well-known/pay'],
    ['$example.com/invoices/12345', 'https://example.com/invoices/12345'],
    ['$bob.example.com', 'https://bob.example.com/.well-known/pay'],
    ['$example.com/bob', 'https://example.com/bob'],
  ])('%s -> %s', (pointer, url) => {
    expect(resolvePaymentPointer(pointer).href).toBe(url);
  });
});

describe('RFC 26 §Receiver Endpoint Resolution: path-abempty', () => {
  it.each([
    ['$example.com/', 'https://example.com/.well-known/pay', 'a lone "/" is the well-known path'],
    ['$example.com/alice/', 'https://example.com/alice/', 'a trailing slash is kept'],
    ['$example.com//', 'https://example.com//', 'two empty segments are not "/"'],
    ["$example.com/a-b_c.d~e!$&'()*+,;=:@", "https://example.com/a-b_c.d~e!$&'()*+,;=:@", 'every pchar'],
    ['$example.com/%41%2f', 'https://example.com/%41%2f', 'escapes are kept verbatim'],
    ['$EXAMPLE.com/Bob', 'https://example.com/Bob', 'the host is case-insensitive, the path is not'],
    ['$192.0.2.7/pay', 'https://192.0.2.7/pay', 'an IPv4 host'],
    ['$[2001:db8::1]/pay', 'https://[2001:db8::1]/pay', 'an IPv6 host'],
    ['$localhost', 'https://localhost/.well-known/pay', 'without allowHttp, loopback is https too'],
  ])('%s -> %s (%s)', (pointer, url) => {
    expect(resolvePaymentPointer(pointer).href).toBe(url);
  });
});

describe('RFC 26 §Payment Pointer Syntax: invalid pointers are refused (INVALID_POINTER)', () => {
  it.each([
    ['$', 'an empty host'],
    ['$/alice', 'an empty host before the path'],
    ['$alice@example.com', 'userinfo'],
    ['$user:pw@example.com/bob', 'userinfo with a password'],
    ['$example.com:443', 'a port (RFC 26 excludes it)'],
    ['$example.com:8080/bob', 'a port before a path'],
    ['$example.com/bob?invoice=1', 'a query'],
    ['$example.com?x', 'a query without a path'],
    ['$example.com/bob#frag', 'a fragment'],
    ['$example.com#', 'an empty fragment'],
    ['$exa_mple.com', 'an underscore in the host'],
    ['$-example.com', 'a label starting with "-"'],
    ['$example-.com', 'a label ending with "-"'],
    ['$example..com', 'an empty label'],
    ['$example.com.', 'a trailing dot'],
    ['$ex%41mple.com', 'a percent-escape in the host'],
    ["$ex!mple.com", 'a sub-delimiter in the host (reg-name allows it; no DNS name has it)'],
    ['$0x7f.1', 'a host a URL parser reads as an IPv4 address in hex'],
    ['$127.1', 'a shortened IPv4 address'],
    ['$256.0.0.1', 'an IPv4 octet above 255'],
    ['$01.2.3.4', 'an IPv4 octet with a leading zero'],
    ['$[::1', 'an unclosed IPv6 bracket'],
    ['$[fe80::1%25eth0]', 'an IPv6 zone id'],
    ['$[v1.abc]', 'an IPvFuture literal'],
    [`$${'a'.repeat(64)}.com`, 'a label longer than 63'],
    [`$${'a.'.repeat(127)}com`, 'a host longer than 253'],
    ['$example.com/a b', 'a space in the path'],
    ['$example.com/a"b', 'a quote in the path'],
    ['$example.com/a\\b', 'a backslash in the path'],
    ['$example.com/a%2', 'a truncated escape'],
    ['$example.com/a%zz', 'an escape that is not hex'],
    ['$example.com/ali\u00e7e', 'non-ASCII in the path'],
    ['$b\u00fccher.example', 'non-ASCII in the host (RFC 26 §Payment Pointer Syntax: ASCII only)'],
    [' $example.com', 'leading whitespace (never trimmed)'],
    ['$example.com\n', 'a trailing newline'],
  ])('%j: %s', (pointer) => {
    expect(isSpspError(rejection(() => resolvePaymentPointer(pointer)), 'INVALID_POINTER')).toBe(true);
  });

  it.each([
    ['$example.com/../admin', '".." would leave the pointer\'s path'],
    ['$example.com/a/./b', '"." is collapsed by URL parsers'],
    ['$example.com/%2e%2E/x', 'percent-encoded ".." is collapsed too'],
  ])('RFC 26 §Security Considerations: %j is refused: %s', (pointer) => {
    expect(isSpspError(rejection(() => resolvePaymentPointer(pointer)), 'INVALID_POINTER')).toBe(true);
  });

  it('names the field and repeats the code in the message', () => {
    const error = rejection(() => resolvePaymentPointer('$example.com:8080'));
    expect(error).toMatchObject({ name: 'SpspError', code: 'INVALID_POINTER', field: 'paymentPointer' });
    expect((error as Error).message).toMatch(/^INVALID_POINTER: paymentPointer has a port/);
  });

  it(`refuses pointers longer than ${MAX_PAYMENT_POINTER_LENGTH} characters and the empty string`, () => {
    expect(isSpspError(rejection(() => resolvePaymentPointer(`$example.com/${'a'.repeat(MAX_PAYMENT_POINTER_LENGTH)}`)), 'INVALID_POINTER')).toBe(true);
    expect(isSpspError(rejection(() => resolvePaymentPointer('')), 'INVALID_POINTER')).toBe(true);
  });
});

describe('RFC 9 §Specification: raw endpoint URLs are supported', () => {
  it.each([
    ['https://example.com/spsp/alice', 'https://example.com/spsp/alice'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com:8443/spsp?account=7', 'https://example.com:8443/spsp?account=7'],
    ['HTTPS://Example.COM/x', 'https://example.com/x'],
  ])('%s -> %s (opaque: kept as is, no well-known path)', (input, url) => {
    expect(resolvePaymentPointer(input).href).toBe(url);
  });

  it.each([
    ['example.com/alice', 'INVALID_POINTER', 'neither a pointer nor an absolute URL'],
    ['ftp://example.com/alice', 'INVALID_POINTER', 'another scheme'],
    ['https://user:pw@example.com/alice', 'INVALID_POINTER', 'userinfo'],
    ['https://example.com/alice#x', 'INVALID_POINTER', 'a fragment'],
    ['https://b\u00fccher.example/', 'INVALID_POINTER', 'non-ASCII, which IDNA would rewrite'],
    ['http://example.com/alice', 'INSECURE_URL', 'plain http'],
    ['http://127.0.0.1:8080/alice', 'INSECURE_URL', 'plain http to loopback without allowHttp'],
  ] as const)('%s is refused with %s (%s)', (input, code, _why) => {
    expect(isSpspError(rejection(() => resolvePaymentPointer(input)), code)).toBe(true);
  });
});

describe('allowHttp: plain http for loopback test endpoints only (RFC 9 §Interfaces: production is HTTPS)', () => {
  it.each([
    ['http://127.0.0.1:8080/alice', 'http://127.0.0.1:8080/alice'],
    ['http://localhost:3000/', 'http://localhost:3000/'],
    ['http://[::1]:3000/bob', 'http://[::1]:3000/bob'],
    ['$127.0.0.1:8080/alice', 'http://127.0.0.1:8080/alice'],
    ['$localhost:3000', 'http://localhost:3000/.well-known/pay'],
    ['$localhost', 'http://localhost/.well-known/pay'],
    ['$[::1]:3000/bob', 'http://[::1]:3000/bob'],
    ['https://127.0.0.1:8443/alice', 'https://127.0.0.1:8443/alice'],
    ['$example.com/bob', 'https://example.com/bob'],
  ])('%s -> %s', (input, url) => {
    expect(resolvePaymentPointer(input, { allowHttp: true }).href).toBe(url);
  });

  it.each([
    ['http://example.com/alice', 'INSECURE_URL'],
    ['http://127.0.0.2/alice', 'INSECURE_URL'],
    ['http://[::2]/alice', 'INSECURE_URL'],
    ['$example.com:8080/alice', 'INVALID_POINTER'],
    ['$127.0.0.1:0/alice', 'INVALID_POINTER'],
    ['$127.0.0.1:65536/alice', 'INVALID_POINTER'],
    ['$127.0.0.1:80a/alice', 'INVALID_POINTER'],
    ['$127.0.0.1:/alice', 'INVALID_POINTER'],
  ] as const)('%s is still refused with %s', (input, code) => {
    expect(isSpspError(rejection(() => resolvePaymentPointer(input, { allowHttp: true })), code)).toBe(true);
  });
});

describe('argument checks (INVALID_ARGUMENT)', () => {
  it.each([
    ['paymentPointer', 'a number', () => resolvePaymentPointer(42 as unknown as string)],
    ['paymentPointer', 'undefined', () => resolvePaymentPointer(undefined as unknown as string)],
    ['options', 'null options', () => resolvePaymentPointer('$example.com', null as never)],
    ['options.allowHttp', 'a string allowHttp', () => resolvePaymentPointer('$example.com', { allowHttp: 'yes' as unknown as boolean })],
  ])('names %s for %s', (field, _label, run) => {
    const error = rejection(run);
    expect(isSpspError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error).toMatchObject({ field });
  });
});
