/**
 * What an unfulfilled packet means for the connection (RFC 27 error classes; RFC 29 §5.2 F99 with a
 * STREAM reply; E28 the rate fell below the minimum).
 */
import { isTemporary, judgeUnfulfilled, signalsCongestion } from '../../../lib/connection/send/reject-verdict';
import { fulfilled, rejected } from './outcomes';

const packet = { amount: 1000n, minDestination: 495n, attempts: 10, stopped: false };

describe('reject classes', () => {
  it('T-family and R00 are temporary; F-family and other R codes, and fulfills, are not', () => {
    expect(['T00', 'T04', 'T99', 'R00'].map((code) => isTemporary(rejected(code)))).toEqual([true, true, true, true]);
    expect(['F02', 'F08', 'F99', 'R01'].map((code) => isTemporary(rejected(code)))).toEqual([false, false, false, false]);
    expect(isTemporary(fulfilled(0n, 0n))).toBe(false);
  });

  it('only T04 and R00 signal congestion', () => {
    expect(['T04', 'R00', 'T00', 'T01', 'F99'].map(signalsCongestion)).toEqual([true, true, false, false, false]);
  });
});

describe('judgeUnfulfilled', () => {
  it('ignores F08: the next packet is smaller', () => {
    expect(judgeUnfulfilled(rejected('F08'), packet)).toEqual({ kind: 'ignore' });
  });

  it('counts an F99 whose STREAM reply shows at least the minimum arrived, or one without a reply', () => {
    expect(judgeUnfulfilled(rejected('F99', 495n, 'full'), packet)).toEqual({ kind: 'count', code: 'F99', message: 'full' });
    expect(judgeUnfulfilled(rejected('F99', undefined, 'full'), packet)).toEqual({ kind: 'count', code: 'F99', message: 'full' });
  });

  it('fails with EXCHANGE_RATE when the STREAM reply shows less than the minimum arrived', () => {
    const verdict = judgeUnfulfilled(rejected('F99', 400n), packet);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind !== 'fail') return;
    expect(verdict.error.code).toBe('EXCHANGE_RATE');
    expect(verdict.error.message).toBe('EXCHANGE_RATE: the exchange rate fell below the minimum: 1000 arrived as 400, the least accepted is 495');
    // A packet without money has no minimum to fall below.
    expect(judgeUnfulfilled(rejected('F99', 0n), { ...packet, amount: 0n })).toMatchObject({ kind: 'count' });
  });

  it('fails with SEND_FAILED once a temporary reject outlived its retries, or on a final reject', () => {
    expect(judgeUnfulfilled(rejected('T04', undefined, 'busy'), packet)).toMatchObject({
      kind: 'fail',
      error: { code: 'SEND_FAILED', ilpCode: 'T04', message: 'SEND_FAILED: a packet failed 10 times; last T04 busy' },
    });
    expect(judgeUnfulfilled(rejected('F02', undefined, ''), packet)).toMatchObject({
      kind: 'fail',
      error: { code: 'SEND_FAILED', ilpCode: 'F02', message: 'SEND_FAILED: packet rejected with F02' },
    });
  });

  it('counts a Fulfill whose fulfillment does not match as F05, even after stop()', () => {
    const expected = { kind: 'count', code: 'F05', message: 'the fulfillment does not match the condition' };
    expect(judgeUnfulfilled(fulfilled(495n, 500n, false), packet)).toEqual(expected);
    expect(judgeUnfulfilled(fulfilled(495n, 500n, false), { ...packet, stopped: true })).toEqual(expected);
  });

  it('ignores every reject once the sender stopped', () => {
    for (const code of ['F02', 'T04', 'F99']) expect(judgeUnfulfilled(rejected(code, 0n), { ...packet, stopped: true })).toEqual({ kind: 'ignore' });
  });
});
