import { copyRandomBytes, pooledRandomBytes } from '../../lib/crypto/random-pool';

describe('random pool (29-5.1.1-b: fresh CSPRNG IVs)', () => {
  it('never hands out the same 12 bytes twice across many pool refills', () => {
    const seen = new Set<string>();
    // 5,000 x 12 bytes spans about ten refills of the 6 KiB pool.
    for (let i = 0; i < 5000; i++) seen.add(pooledRandomBytes(12).toString('hex'));
    expect(seen.size).toBe(5000);
  });

  it('writes exactly the requested range and nothing around it', () => {
    const target = Buffer.alloc(64, 0xaa);
    copyRandomBytes(target, 10, 32);
    expect(target.subarray(0, 10).equals(Buffer.alloc(10, 0xaa))).toBe(true);
    expect(target.subarray(42).equals(Buffer.alloc(22, 0xaa))).toBe(true);
    expect(target.subarray(10, 42).equals(Buffer.alloc(32, 0xaa))).toBe(false);
  });

  it('serves requests larger than the pool straight from the CSPRNG', () => {
    const first = pooledRandomBytes(10_000);
    const second = pooledRandomBytes(10_000);
    expect(first.length).toBe(10_000);
    expect(first.equals(second)).toBe(false);
    expect(first.equals(Buffer.alloc(10_000))).toBe(false);
  });

  it('returns independent buffers (later draws do not change earlier ones)', () => {
    const first = pooledRandomBytes(12);
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(12);
    expect(first.equals(copy)).toBe(true);
  });
});
