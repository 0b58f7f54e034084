import { of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { IlpPacketType, type StreamPacket } from '../../lib/wire/types';
import { writeF08Data } from '../../lib/ilp';
import { probeRate } from '../../lib/connection/rate-probe';
import type { Outcome } from '../../lib/connection/transmit';

const packet: StreamPacket = { sequence: 1n, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: [] };

/** The receiver's authentic F99 to an unfulfillable probe that delivered `delivered`. */
const arrived = (delivered: bigint): Outcome => ({
  packet,
  reply: { type: IlpPacketType.Reject, code: 'F99', triggeredBy: 'test.server', message: '', data: Buffer.alloc(0) },
  replyPacket: { sequence: 1n, ilpPacketType: IlpPacketType.Reject, prepareAmount: delivered, frames: [] },
  fulfilled: false,
});
const rejected = (code: string, data: Buffer = Buffer.alloc(0)): Outcome => ({
  packet,
  reply: { type: IlpPacketType.Reject, code, triggeredBy: 'test.connector', message: '', data },
  replyPacket: undefined,
  fulfilled: false,
});

describe('probeRate (RFC 29 §3.4, 29-3.4-c)', () => {
  it('takes the rate from the largest probe that got through, and the max packet amount from F08 data', marbles((m) => {
    const send = (amount: bigint) =>
      m.cold('-- 8ms (a|)', { a: amount <= 1000n ? arrived(amount / 2n) : rejected('F08', writeF08Data(amount, 1000n)) });
    const result = probeRate(send, { amounts: [1000n, 1_000_000n], maxPacketAmount: 2n ** 64n - 1n, rounds: 4, scheduler: m.scheduler });
    m.expect(result).toBeObservable('10ms (r|)', { r: { rate: { numerator: 500n, denominator: 1000n }, maxPacketAmount: 1000n } });
  }));

  it('E31: a volley refused with T04 is retried after the backoff, adding 2/3 of the smallest refused amount', marbles((m) => {
    const calls: bigint[] = [];
    const send = (amount: bigint) => {
      calls.push(amount);
      return m.cold('-- 8ms (a|)', { a: calls.length === 1 ? rejected('T04') : arrived(amount) });
    };
    const result = probeRate(send, { amounts: [3000n], maxPacketAmount: 2n ** 64n - 1n, rounds: 4, retryDelayMs: 100, scheduler: m.scheduler });
    // The T04 comes back at 10; after 100 ms the second volley leaves at 110 and is answered at 120.
    m.expect(result).toBeObservable('120ms (r|)', { r: { rate: { numerator: 3000n, denominator: 3000n }, maxPacketAmount: 2n ** 64n - 1n } });
    m.flush();
    expect(calls).toEqual([3000n, 3000n, 2000n]);
  }));

  it('gives up at once with CONNECT_FAILED when a volley is refused with final codes only', marbles((m) => {
    const send = () => of(rejected('F02'));
    const result = probeRate(send, { amounts: [1000n], maxPacketAmount: 1000n, rounds: 3, scheduler: m.scheduler });
    m.expect(result).toBeObservable('#', undefined, expect.objectContaining({ name: 'ConnectionError', message: expect.stringContaining('CONNECT_FAILED') }) as never);
  }));

  it('E30: F08s without data halve the probe each round until one gets through', marbles((m) => {
    const tried: bigint[] = [];
    const send = (amount: bigint) => {
      tried.push(amount);
      return of(amount <= 300n ? arrived(amount) : rejected('F08'));
    };
    const result = probeRate(send, { amounts: [1000n], maxPacketAmount: 2n ** 64n - 1n, rounds: 5, scheduler: m.scheduler });
    m.expect(result).toBeObservable('(r|)', { r: { rate: { numerator: 250n, denominator: 250n }, maxPacketAmount: 250n } });
    m.flush();
    expect(tried).toEqual([1000n, 500n, 250n]);
  }));
});
