import { TestScheduler } from 'rxjs/testing';
import { faultWhen, FaultLedger, isMemoryNetworkError, seededRandom, type FaultContext } from '../../../lib';
import { prepareOf } from './harness';

describe('seededRandom (fault schedules replay from a seed)', () => {
  it('draws the same sequence from the same seed, and another from another seed', () => {
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return [r.next(), r.int(0, 1000), r.chance(0.5), r.bytes(4).toString('hex'), r.pick(['a', 'b', 'c'])];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(seededRandom(7 + 2 ** 32).next()).toBe(seededRandom(7).next());
  });

  it('stays in range and is roughly uniform (10,000 draws of int(0, 9))', () => {
    const r = seededRandom(1);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const v = r.int(0, 9);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(counts.every((c) => c > 850 && c < 1150)).toBe(true);
    for (let i = 0; i < 1000; i += 1) expect(r.next()).toBeGreaterThanOrEqual(0);
  });

  it('refuses a non-finite seed and an empty pick', () => {
    expect(() => seededRandom(Number.NaN)).toThrow(TypeError);
    expect(() => seededRandom(1).pick([])).toThrow(RangeError);
    expect(() => seededRandom(1).int(3, 2)).toThrow(RangeError);
  });
});

describe('faultWhen (placing a fault exactly)', () => {
  const scheduler = new TestScheduler(() => undefined);
  const ctx = (elapsed: number, direction: FaultContext['direction'] = 'clientToServer'): FaultContext => ({
    direction,
    scheduler,
    random: seededRandom(3),
    ledger: new FaultLedger(),
    triggeredBy: '',
    packet: { id: 1, corrupted: false },
    elapsed: () => elapsed,
  });
  const run = (when: Parameters<typeof faultWhen>[0], n: number, at = (_i: number) => 0) => {
    const applies = faultWhen(when, 'test')();
    return Array.from({ length: n }, (_, i) => applies(prepareOf(1n), ctx(at(i))));
  };

  it('applies every n-th candidate, up to a limit', () => {
    expect(run({ every: 3 }, 7)).toEqual([false, false, true, false, false, true, false]);
    expect(run({ every: 2, limit: 2 }, 8)).toEqual([false, true, false, true, false, false, false, false]);
  });

  it('applies in a window [from, until) of elapsed time', () => {
    expect(run({ from: 20, until: 40 }, 6, (i) => i * 10)).toEqual([false, false, true, true, false, false]);
  });

  it('filters on direction and on a predicate', () => {
    const applies = faultWhen({ direction: 'serverToClient', match: (p) => p.amount > 5n }, 'test')();
    expect(applies(prepareOf(10n), ctx(0, 'clientToServer'))).toBe(false);
    expect(applies(prepareOf(1n), ctx(0, 'serverToClient'))).toBe(false);
    expect(applies(prepareOf(10n), ctx(0, 'serverToClient'))).toBe(true);
  });

  it('draws the probability from the seeded source: about p of the packets, the same ones for the same seed', () => {
    const pattern = (seed: number) => {
      const applies = faultWhen({ probability: 0.25 }, 'test')();
      const c = { ...ctx(0), random: seededRandom(seed) };
      return Array.from({ length: 2000 }, () => applies(prepareOf(1n), c));
    };
    const hits = pattern(5).filter(Boolean).length;
    expect(hits).toBeGreaterThan(400);
    expect(hits).toBeLessThan(600);
    expect(pattern(5)).toEqual(pattern(5));
  });

  it('rejects unusable options with INVALID_OPTION naming the fault', () => {
    for (const bad of [{ probability: 2 }, { every: 0 }, { from: 10, until: 5 }, { limit: -1 }, { match: 1 }]) {
      expect(() => faultWhen(bad as never, 'jitter')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('jitter') }));
      try {
        faultWhen(bad as never, 'jitter');
      } catch (error) {
        expect(isMemoryNetworkError(error, 'INVALID_OPTION')).toBe(true);
      }
    }
  });
});

describe('FaultLedger', () => {
  it('tallies per kind and per direction, keeps the first maxEvents events, and derives the money trail', () => {
    const ledger = new FaultLedger({ maxEvents: 2 });
    const event = (kind: 'fulfilledAtReceiver' | 'fulfillSeen' | 'droppedPrepare', amount: bigint, direction: 'clientToServer' | 'serverToClient' = 'clientToServer') =>
      ledger.record({ kind, amount, direction, packet: 1, atMs: 0 });
    event('fulfilledAtReceiver', 100n);
    event('fulfilledAtReceiver', 50n);
    event('fulfillSeen', 100n);
    event('droppedPrepare', 7n, 'serverToClient');
    expect(ledger.events).toHaveLength(2);
    expect(ledger.tally('fulfilledAtReceiver')).toEqual({ count: 2, amount: 150n });
    expect(ledger.count('droppedPrepare', 'clientToServer')).toBe(0);
    expect(ledger.amount('droppedPrepare', 'serverToClient')).toBe(7n);
    expect(ledger.money('clientToServer')).toEqual({ arrived: 150n, seen: 100n, seenCorrupted: 0n, unseen: 50n, twice: 0n });
    expect(ledger.summary()).toContain('droppedPrepare 1 (amount 7)');
    ledger.reset();
    expect(ledger.money()).toEqual({ arrived: 0n, seen: 0n, seenCorrupted: 0n, unseen: 0n, twice: 0n });
  });
});
