import { createHash } from 'node:crypto';
import { CONDITION_LENGTH, conditionOf, fulfillmentMatches, randomCondition } from '../../lib/crypto/conditions';
import { isCryptoInputError } from '../../lib/crypto/errors';

// I-17: the IL-DCP condition is SHA-256 of 32 zero bytes (research/spec-checklist.md §4).
const ILDCP_CONDITION_B64 = 'Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU=';

describe('randomCondition (29-6.1-a, I-11)', () => {
  it('is 32 bytes and different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const condition = randomCondition();
      expect(condition.length).toBe(CONDITION_LENGTH);
      seen.add(condition.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('returns buffers the caller owns: changing one does not change the next', () => {
    const first = randomCondition();
    first.fill(0);
    expect(randomCondition().equals(Buffer.alloc(32))).toBe(false);
  });
});

describe('conditionOf', () => {
  it('I-17: SHA-256 of the all-zero fulfillment is the IL-DCP condition', () => {
    expect(conditionOf(Buffer.alloc(32)).toString('base64')).toBe(ILDCP_CONDITION_B64);
  });

  it('only takes 32-byte fulfillments, naming the argument', () => {
    let thrown: unknown;
    try {
      conditionOf(Buffer.alloc(31));
    } catch (error) {
      thrown = error;
    }
    expect(isCryptoInputError(thrown, 'INVALID_LENGTH')).toBe(true);
    expect((thrown as Error).message).toBe('INVALID_LENGTH: fulfillment must be 32 bytes, got 31');
  });
});

describe('fulfillmentMatches (29-6.3-a, E38)', () => {
  const fulfillment = Buffer.alloc(32, 0x42);
  const condition = createHash('sha256').update(fulfillment).digest();

  it('is true when SHA-256(fulfillment) equals the condition', () => {
    expect(fulfillmentMatches(fulfillment, condition)).toBe(true);
  });

  it('E38: is false for any other fulfillment or condition', () => {
    for (let i = 0; i < 32; i++) {
      const wrongFulfillment = Buffer.from(fulfillment);
      wrongFulfillment[i] = (wrongFulfillment[i] as number) ^ 1;
      expect(fulfillmentMatches(wrongFulfillment, condition)).toBe(false);
      const wrongCondition = Buffer.from(condition);
      wrongCondition[i] = (wrongCondition[i] as number) ^ 0x80;
      expect(fulfillmentMatches(fulfillment, wrongCondition)).toBe(false);
    }
  });

  it('is false (never a throw) for lengths a peer could send', () => {
    expect(fulfillmentMatches(Buffer.alloc(0), condition)).toBe(false);
    expect(fulfillmentMatches(Buffer.alloc(33, 0x42), condition)).toBe(false);
    expect(fulfillmentMatches(fulfillment, condition.subarray(0, 31))).toBe(false);
  });

  it('throws CryptoInputError when an argument is not bytes at all', () => {
    expect(() => fulfillmentMatches(undefined as unknown as Uint8Array, condition)).toThrow('INVALID_TYPE: fulfillment');
    expect(() => fulfillmentMatches(fulfillment, 'c' as unknown as Uint8Array)).toThrow('INVALID_TYPE: condition');
  });
});
