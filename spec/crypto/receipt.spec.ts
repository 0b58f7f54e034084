import { createHmac } from 'node:crypto';
import fixtures from '../fixtures/StreamPacketFixtures.json';
import { isCryptoInputError, isReceiptError } from '../../lib/crypto/errors';
import { createReceipt, decodeReceipt, RECEIPT_LENGTH, verifyReceipt } from '../../lib/crypto/receipt';

// The official vector `frame:stream_receipt` (RFC 29 test vectors = ilp-protocol-stream packets.json).
// I-18: it verifies with a 32-zero-byte secret: nonce zeros, stream 1, total 500.
const vector = (fixtures as Array<{ name: string; packet: { frames: Array<{ receipt?: string }> } }>).find(
  (fixture) => fixture.name === 'frame:stream_receipt',
);
const FIXTURE_RECEIPT = Buffer.from(vector?.packet.frames[0]?.receipt ?? '', 'base64');
const ZERO_SECRET = Buffer.alloc(32);

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('STREAM receipts (RFC 39, I-18)', () => {
  it('I-18: the fixture receipt is 58 bytes and verifies with 32 zero bytes', () => {
    expect(FIXTURE_RECEIPT.length).toBe(RECEIPT_LENGTH);
    const receipt = verifyReceipt(FIXTURE_RECEIPT, ZERO_SECRET);
    expect(receipt.version).toBe(1);
    expect(receipt.nonce.equals(Buffer.alloc(16))).toBe(true);
    expect(receipt.streamId).toBe(1n);
    expect(receipt.totalReceived).toBe(500n);
  });

  it('I-18: createReceipt reproduces the fixture byte for byte', () => {
    const receipt = createReceipt({ nonce: Buffer.alloc(16), streamId: 1n, totalReceived: 500n, secret: ZERO_SECRET });
    expect(receipt.toString('base64')).toBe(FIXTURE_RECEIPT.toString('base64'));
  });

  it('layout: version ‖ nonce(16) ‖ streamId u8 ‖ total u64 BE ‖ HMAC(secret, first 26 bytes)', () => {
    const nonce = Buffer.alloc(16, 0x5c);
    const secret = Buffer.alloc(32, 0x7d);
    const receipt = createReceipt({ nonce, streamId: 255, totalReceived: '18446744073709551615', secret });
    expect(receipt.subarray(0, 26).toString('hex')).toBe('01' + '5c'.repeat(16) + 'ff' + 'ff'.repeat(8));
    const mac = createHmac('sha256', secret).update(receipt.subarray(0, 26)).digest();
    expect(receipt.subarray(26).equals(mac)).toBe(true);
  });

  it('reference bug B5: stream ids above 255 are a clear error, not a crash in packet handling', () => {
    const error = thrownBy(() => createReceipt({ nonce: Buffer.alloc(16), streamId: 256n, totalReceived: 1n, secret: ZERO_SECRET }));
    expect(isCryptoInputError(error, 'OUT_OF_RANGE')).toBe(true);
    expect((error as Error).message).toBe(
      'OUT_OF_RANGE: options.streamId must be between 0 and 255, got 256: receipts store the stream id in one byte (RFC 39)',
    );
  });

  it('validates every option, naming it', () => {
    const base = { nonce: Buffer.alloc(16), streamId: 1n, totalReceived: 1n, secret: ZERO_SECRET };
    const cases: Array<[Partial<Record<keyof typeof base, unknown>>, string, string]> = [
      [{ nonce: Buffer.alloc(15) }, 'options.nonce', 'INVALID_LENGTH'],
      [{ secret: Buffer.alloc(31) }, 'options.secret', 'INVALID_LENGTH'],
      [{ secret: 'secret' }, 'options.secret', 'INVALID_TYPE'],
      [{ streamId: -1n }, 'options.streamId', 'OUT_OF_RANGE'],
      [{ streamId: 1.5 }, 'options.streamId', 'INVALID_TYPE'],
      [{ streamId: '1' }, 'options.streamId', 'INVALID_TYPE'],
      [{ totalReceived: 2n ** 64n }, 'options.totalReceived', 'OUT_OF_RANGE'],
      [{ totalReceived: '-1' }, 'options.totalReceived', 'INVALID_TYPE'],
      [{ totalReceived: 'a lot' }, 'options.totalReceived', 'INVALID_TYPE'],
    ];
    for (const [override, argument, code] of cases) {
      const error = thrownBy(() => createReceipt({ ...base, ...override } as never));
      expect(isCryptoInputError(error)).toBe(true);
      expect([(error as { argument: string }).argument, (error as { code: string }).code]).toEqual([argument, code]);
    }
    expect(isCryptoInputError(thrownBy(() => createReceipt(null as never)), 'INVALID_TYPE')).toBe(true);
  });

  it('accepts numbers and decimal strings for the total, and the u64 maximum', () => {
    const options = { nonce: Buffer.alloc(16), streamId: 3, secret: ZERO_SECRET };
    expect(decodeReceipt(createReceipt({ ...options, totalReceived: 42 })).totalReceived).toBe(42n);
    expect(decodeReceipt(createReceipt({ ...options, totalReceived: '42' })).totalReceived).toBe(42n);
    expect(decodeReceipt(createReceipt({ ...options, totalReceived: 2n ** 64n - 1n })).totalReceived).toBe(2n ** 64n - 1n);
  });

  it('decodeReceipt splits fields without checking version or HMAC, and copies its input', () => {
    const bytes = Buffer.from(FIXTURE_RECEIPT);
    bytes[0] = 7;
    const decoded = decodeReceipt(bytes);
    expect(decoded.version).toBe(7);
    bytes.fill(0xff);
    expect(decoded.totalReceived).toBe(500n);
    expect(decoded.hmac.equals(FIXTURE_RECEIPT.subarray(26))).toBe(true);
  });

  it('refuses a receipt that is not 58 bytes', () => {
    for (const length of [0, 57, 59]) {
      expect(isReceiptError(thrownBy(() => decodeReceipt(Buffer.alloc(length))), 'WRONG_LENGTH')).toBe(true);
      expect(isReceiptError(thrownBy(() => verifyReceipt(Buffer.alloc(length), ZERO_SECRET)), 'WRONG_LENGTH')).toBe(true);
    }
    expect(isCryptoInputError(thrownBy(() => decodeReceipt('receipt' as never)), 'INVALID_TYPE')).toBe(true);
  });

  it('verifyReceipt refuses another version, another secret, and any changed field', () => {
    const version2 = Buffer.from(FIXTURE_RECEIPT);
    version2[0] = 2;
    expect(isReceiptError(thrownBy(() => verifyReceipt(version2, ZERO_SECRET)), 'UNSUPPORTED_VERSION')).toBe(true);
    expect(isReceiptError(thrownBy(() => verifyReceipt(FIXTURE_RECEIPT, Buffer.alloc(32, 1))), 'INVALID_HMAC')).toBe(true);
    for (let i = 1; i < RECEIPT_LENGTH; i++) {
      const tampered = Buffer.from(FIXTURE_RECEIPT);
      tampered[i] = (tampered[i] as number) ^ 0x01;
      expect(isReceiptError(thrownBy(() => verifyReceipt(tampered, ZERO_SECRET)), 'INVALID_HMAC')).toBe(true);
    }
  });

  it('RFC 39 stateless verifier: the secret can be looked up from the decoded receipt', () => {
    const seed = Buffer.alloc(32, 0x99);
    const nonce = Buffer.alloc(16, 0x01);
    const secret = createHmac('sha256', seed).update(nonce).digest();
    const receipt = createReceipt({ nonce, streamId: 5n, totalReceived: 77n, secret });
    const lookup = jest.fn((decoded: { nonce: Buffer }) => createHmac('sha256', seed).update(decoded.nonce).digest());
    expect(verifyReceipt(receipt, lookup).totalReceived).toBe(77n);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('verifyReceipt refuses a secret that is not 32 bytes, naming it', () => {
    const error = thrownBy(() => verifyReceipt(FIXTURE_RECEIPT, Buffer.alloc(16)));
    expect(isCryptoInputError(error, 'INVALID_LENGTH')).toBe(true);
    expect((error as { argument: string }).argument).toBe('secret');
  });
});
