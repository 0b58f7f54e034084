/**
 * The AIMD congestion window of the send pipeline (checklist E31: back off on T04; 27-Err-T):
 * slow start, one halving per epoch (round trip of congestion), a floor of 1 and a cap of `max`.
 */
import fc from 'fast-check';
import { CongestionWindow } from '../../../lib/connection/controllers/congestion-window';

describe('CongestionWindow (AIMD; E31 T04 halves the window)', () => {
  it('starts at `initial`, capped at `max`', () => {
    expect(new CongestionWindow({ initial: 8, max: 64 }).packets).toBe(8);
    expect(new CongestionWindow({ initial: 100, max: 10 }).packets).toBe(10);
    expect(new CongestionWindow({ initial: 1, max: 1 }).packets).toBe(1);
  });

  it('slow start: +1 packet per fulfill, up to `max` and no further', () => {
    const window = new CongestionWindow({ initial: 8, max: 20 });
    const sizes: number[] = [];
    for (let i = 0; i < 15; i++) {
      window.onFulfill();
      sizes.push(window.packets);
    }
    expect(sizes).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 20, 20, 20]);
    expect(window.slowStart).toBe(true);
  });

  it('halves on congestion and opens a new epoch', () => {
    const window = new CongestionWindow({ initial: 8, max: 64 });
    for (let i = 0; i < 8; i++) window.onFulfill();
    expect(window.packets).toBe(16);
    const epoch = window.epoch;
    window.onCongestion(epoch);
    expect(window.packets).toBe(8);
    expect(window.epoch).toBe(epoch + 1);
    expect(window.slowStart).toBe(false);
  });

  it('halves at most once per epoch: a burst of T04s from packets that left together counts once', () => {
    const window = new CongestionWindow({ initial: 32, max: 64 });
    const epoch = window.epoch;
    // 32 packets were in flight in that epoch and all met T04.
    for (let i = 0; i < 32; i++) window.onCongestion(epoch);
    expect(window.packets).toBe(16);
  });

  it('ignores congestion reported by a packet from a stale epoch, but not from the current one', () => {
    const window = new CongestionWindow({ initial: 40, max: 64 });
    const first = window.epoch;
    window.onCongestion(first); // 20
    const second = window.epoch;
    window.onCongestion(first); // stale: ignored
    expect(window.packets).toBe(20);
    window.onCongestion(second); // current: 10
    expect(window.packets).toBe(10);
    window.onCongestion(first);
    window.onCongestion(second);
    expect(window.packets).toBe(10);
  });

  it('never drops below 1', () => {
    const window = new CongestionWindow({ initial: 3, max: 64 });
    for (let i = 0; i < 10; i++) window.onCongestion(window.epoch);
    expect(window.packets).toBe(1);
    expect(window.epoch).toBe(10);
    window.onFulfill();
    expect(window.packets).toBeGreaterThanOrEqual(1);
  });

  it('after the first decrease, grows additively: about one packet per window of fulfills, not one per fulfill', () => {
    const window = new CongestionWindow({ initial: 16, max: 64 });
    window.onCongestion(window.epoch); // 8, congestion avoidance from now on
    expect(window.packets).toBe(8);
    const sizes: number[] = [];
    for (let i = 0; i < 40; i++) {
      window.onFulfill();
      sizes.push(window.packets);
    }
    // +1/size per fulfill: the window grows by one packet per window's worth of fulfills
    // (8 fulfills at 8, then about 9 at 9, 11 at 10, …), where slow start would have reached 48.
    const firstAt = (size: number): number => sizes.indexOf(size) + 1;
    expect(sizes.slice(0, 8)).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
    expect(firstAt(9)).toBe(9);
    expect(firstAt(10) - firstAt(9)).toBeGreaterThanOrEqual(8);
    expect(firstAt(10) - firstAt(9)).toBeLessThanOrEqual(9);
    expect(firstAt(11) - firstAt(10)).toBeGreaterThanOrEqual(9);
    expect(firstAt(11) - firstAt(10)).toBeLessThanOrEqual(11);
    expect(sizes.at(-1)).toBeLessThanOrEqual(12);
    // Never more than +1 per fulfill.
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]! - sizes[i - 1]!).toBeLessThanOrEqual(1);
  });

  it('additive increase stays capped at `max`', () => {
    const window = new CongestionWindow({ initial: 4, max: 4 });
    window.onCongestion(window.epoch); // 2
    for (let i = 0; i < 1000; i++) window.onFulfill();
    expect(window.packets).toBe(4);
  });

  it('max 1 is strictly one packet at a time (concatMap) whatever happens', () => {
    const window = new CongestionWindow({ initial: 8, max: 1 });
    expect(window.packets).toBe(1);
    window.onFulfill();
    window.onCongestion(window.epoch);
    window.onFulfill();
    expect(window.packets).toBe(1);
  });

  it('property: under any sequence of fulfills and congestion (current or stale epochs) packets is an integer in 1..max', () => {
    const event = fc.oneof(
      fc.constant({ kind: 'fulfill' as const }),
      // staleness 0 reports the current epoch; k > 0 reports an epoch k decreases old (or from the future, if negative).
      fc.record({ kind: fc.constant('congestion' as const), staleness: fc.integer({ min: -2, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.array(event, { maxLength: 400 }), (initial, max, events) => {
        const window = new CongestionWindow({ initial, max });
        expect(window.packets).toBe(Math.min(initial, max));
        for (const e of events) {
          const before = window.packets;
          const epoch = window.epoch;
          if (e.kind === 'fulfill') {
            window.onFulfill();
            // A fulfill never shrinks the window, and grows it by at most one packet.
            expect(window.packets).toBeGreaterThanOrEqual(before);
            expect(window.packets).toBeLessThanOrEqual(before + 1);
          } else {
            window.onCongestion(epoch - e.staleness);
            if (e.staleness === 0) {
              expect(window.packets).toBe(Math.max(1, Math.floor(before / 2)));
              expect(window.epoch).toBe(epoch + 1);
            } else {
              expect(window.packets).toBe(before);
              expect(window.epoch).toBe(epoch);
            }
          }
          expect(Number.isInteger(window.packets)).toBe(true);
          expect(window.packets).toBeGreaterThanOrEqual(1);
          expect(window.packets).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 300 },
    );
  });
});
