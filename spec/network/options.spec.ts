import { asyncScheduler } from 'rxjs';
import { type Fault, isMemoryNetworkError, type MemoryNetworkOptions } from '../../lib/network';
import { resolveOptions } from '../../lib/network/options';

const MAX_U64 = 2n ** 64n - 1n;

describe('memory network options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveOptions()).toEqual({
      rate: { numerator: 1n, denominator: 1n },
      maxPacketAmount: MAX_U64,
      latency: 0,
      scheduler: asyncScheduler,
      client: { address: 'test.memory.client', assetCode: 'XRP', assetScale: 9 },
      server: { address: 'test.memory.server', assetCode: 'XRP', assetScale: 9 },
      connectorAddress: 'test.memory',
      onPrepare: undefined,
      verifyFulfillments: false,
      faults: [],
      seed: 0,
    });
  });

  it('validates faults (an array of functions) and seed (a safe integer)', () => {
    const fault: Fault = (next) => next;
    expect(resolveOptions({ faults: [fault], seed: 7 })).toMatchObject({ faults: [fault], seed: 7 });
    for (const bad of [{ faults: 'drop' }, { faults: [1] }, { seed: 1.5 }, { seed: '1' }] as unknown as MemoryNetworkOptions[]) {
      expect(() => resolveOptions(bad)).toThrow(expect.objectContaining({ name: 'MemoryNetworkError', code: 'INVALID_OPTION' }));
    }
  });

  it('merges a partial end config over the defaults', () => {
    expect(resolveOptions({ client: { assetCode: 'USD' } }).client).toEqual({ address: 'test.memory.client', assetCode: 'USD', assetScale: 9 });
  });

  it('accepts max packet amounts as bigint, safe integer or decimal string', () => {
    expect([1000n, 1000, '1000'].map((value) => resolveOptions({ maxPacketAmount: value }).maxPacketAmount)).toEqual([1000n, 1000n, 1000n]);
    expect(resolveOptions({ maxPacketAmount: 0 }).maxPacketAmount).toBe(0n);
  });

  it.each<[string, MemoryNetworkOptions]>([
    ['latency', { latency: -1 }],
    ['latency', { latency: NaN }],
    ['latency', { latency: Infinity }],
    ['latency', { latency: '5' as never }],
    ['scheduler', { scheduler: {} as never }],
    ['exchangeRate', { exchangeRate: 0 }],
    ['exchangeRate', { exchangeRate: 'fast' }],
    ['maxPacketAmount', { maxPacketAmount: -1 }],
    ['maxPacketAmount', { maxPacketAmount: 1.5 }],
    ['maxPacketAmount', { maxPacketAmount: '1e3' }],
    ['maxPacketAmount', { maxPacketAmount: MAX_U64 + 1n }],
    ['client.address', { client: { address: 'client' } }],
    ['client.assetScale', { client: { assetScale: 256 } }],
    ['server.assetScale', { server: { assetScale: -1 } }],
    ['server.assetCode', { server: { assetCode: 5 as never } }],
    ['server', { server: 'test.x' as never }],
    ['connectorAddress', { connectorAddress: 'connie' }],
    ['onPrepare', { onPrepare: 'reject' as never }],
    ['verifyFulfillments', { verifyFulfillments: 'yes' as never }],
  ])('names %s when it is invalid (INVALID_OPTION)', (name, options) => {
    let caught: unknown;
    try {
      resolveOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(isMemoryNetworkError(caught, 'INVALID_OPTION')).toBe(true);
    expect((caught as Error).message).toContain(name);
  });
});
