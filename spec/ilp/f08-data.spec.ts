import fc from 'fast-check';
import { isIlpArgumentError, readF08Data, writeF08Data } from '../../lib/ilp';

const MAX_U64 = 2n ** 64n - 1n;

describe('F08 Amount Too Large data (27-F08-a, E30, I-7)', () => {
  it('writes receivedAmount then maximumAmount as two big-endian UInt64s, 16 bytes, no prefix', () => {
    expect(writeF08Data(1500n, 1000n).toString('hex')).toBe('00000000000005dc00000000000003e8');
  });

  it('reads what it writes for every honest pair, received > maximum (property)', () => {
    const pair = fc
      .tuple(fc.bigInt({ min: 0n, max: MAX_U64 }), fc.bigInt({ min: 0n, max: MAX_U64 }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => (a > b ? [a, b] : [b, a]));
    fc.assert(
      fc.property(pair, ([received, maximum]) => {
        expect(readF08Data(writeF08Data(received!, maximum!))).toEqual({ receivedAmount: received, maximumAmount: maximum });
      }),
    );
  });

  it('reads the amounts of a view that starts inside a larger buffer', () => {
    const backing = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), writeF08Data(7n, 3n)]);
    expect(readF08Data(backing.subarray(3))).toEqual({ receivedAmount: 7n, maximumAmount: 3n });
  });

  it.each<[string, unknown]>([
    ['missing data', undefined],
    ['empty data', Buffer.alloc(0)],
    ['15 bytes', Buffer.alloc(15, 1)],
    ['not bytes', '00000000000005dc00000000000003e8'],
    ['received = 0', writeF08Data(0n, 1000n)],
    ['received = maximum', writeF08Data(1000n, 1000n)],
    ['received < maximum', writeF08Data(999n, 1000n)],
    ['all zeros', Buffer.alloc(16)],
  ])('returns undefined for %s (E30: never trust F08 data blindly)', (_name, data) => {
    expect(readF08Data(data as Buffer)).toBeUndefined();
  });

  it('ignores bytes after the first 16, as the reference implementations do', () => {
    expect(readF08Data(Buffer.concat([writeF08Data(2n, 1n), Buffer.from([9, 9])]))).toEqual({ receivedAmount: 2n, maximumAmount: 1n });
  });

  it('names the amount that is not a u64', () => {
    for (const [args, name] of [
      [[-1n, 0n], 'receivedAmount'],
      [[1n, MAX_U64 + 1n], 'maximumAmount'],
      [[5, 1n], 'receivedAmount'],
    ] as const) {
      let caught: unknown;
      try {
        writeF08Data(args[0] as bigint, args[1]);
      } catch (error) {
        caught = error;
      }
      expect(isIlpArgumentError(caught) && caught.argument).toBe(name);
    }
  });
});
