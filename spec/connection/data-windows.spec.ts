/**
 * DataWindows (lib/connection/data-windows.ts): connection-wide data flow control, RFC 29 §4.5,
 * in both directions.
 */
import fc from 'fast-check';
import { DataWindows, DEFAULT_REMOTE_CONNECTION_WINDOW } from '../../lib/connection/data-windows';

describe('DataWindows', () => {
  describe('what we may send (the peer ConnectionMaxData)', () => {
    it('assumes the peer allows 65,534 bytes until it says', () => {
      const windows = new DataWindows(1_048_576);
      expect(DEFAULT_REMOTE_CONNECTION_WINDOW).toBe(65_534n);
      expect(windows.sendRoom).toBe(65_534n);
    });

    it('29-5.3.3-a: the room shrinks with every new byte sent and never goes below zero', () => {
      const windows = new DataWindows(1_048_576);
      windows.applyRemoteLimit(100_000n);
      windows.addSent(60_000n);
      expect(windows.sendRoom).toBe(40_000n);
      windows.addSent(40_000n);
      expect(windows.sendRoom).toBe(0n);
      windows.addSent(5n); // should never happen; still no negative room
      expect(windows.sendRoom).toBe(0n);
    });

    it('29-4.5-a, E23, 29-4.4.4-c: a larger ConnectionMaxData raises the limit; a smaller (reordered) one is ignored', () => {
      const windows = new DataWindows(1_048_576);
      windows.applyRemoteLimit(200_000n);
      windows.applyRemoteLimit(100_000n);
      windows.applyRemoteLimit(0n);
      expect(windows.sendRoom).toBe(200_000n);
      windows.addSent(150_000n);
      windows.applyRemoteLimit(160_000n); // smaller than 200,000: ignored
      expect(windows.sendRoom).toBe(50_000n);
      windows.applyRemoteLimit(250_000n);
      expect(windows.sendRoom).toBe(100_000n);
    });

    it('E23: whatever order the limits arrive in, the room is the largest limit minus what was sent (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: 0n, max: 1n << 40n })), fc.bigInt({ min: 0n, max: 1n << 40n }), (limits, sent) => {
          const windows = new DataWindows(1_048_576);
          for (const limit of limits) windows.applyRemoteLimit(limit);
          windows.addSent(sent);
          const largest = limits.reduce((a, b) => (b > a ? b : a), DEFAULT_REMOTE_CONNECTION_WINDOW);
          expect(windows.sendRoom).toBe(largest > sent ? largest - sent : 0n);
        }),
      );
    });

    it('29-4.4.4-e: ConnectionDataBlocked once per limit, only while bytes wait and the room is used up', () => {
      const windows = new DataWindows(1_048_576);
      expect(windows.blockedAt(true)).toBeUndefined(); // room left
      windows.addSent(65_534n);
      expect(windows.blockedAt(false)).toBeUndefined(); // nothing waits
      expect(windows.blockedAt(true)).toBe(65_534n);
      expect(windows.blockedAt(true)).toBeUndefined(); // once per limit
      windows.applyRemoteLimit(70_000n);
      expect(windows.blockedAt(true)).toBeUndefined();
      windows.addSent(4_466n);
      expect(windows.blockedAt(true)).toBe(70_000n);
    });
  });

  describe('what the peer may send us (our ConnectionMaxData)', () => {
    it('29-4.5-a: the limit is what our consumers took plus the window, and only grows', () => {
      const windows = new DataWindows(100_000);
      expect(windows.limit).toBe(100_000n);
      windows.addReceived(80_000n);
      expect(windows.limit).toBe(100_000n); // received but not consumed: no growth
      windows.addConsumed(30_000);
      expect(windows.limit).toBe(130_000n);
      windows.addConsumed(50_000);
      expect(windows.limit).toBe(180_000n);
      expect(windows.received).toBe(80_000n);
    });

    it('nearlyBlocked compares the room under the limit last advertised with one packet', () => {
      const windows = new DataWindows(100_000);
      expect(windows.advertiseLimit()).toBe(100_000n); // advertised
      windows.addReceived(60_000n);
      expect(windows.nearlyBlocked(32_739n)).toBe(false); // 40,000 left
      windows.addReceived(10_000n);
      expect(windows.nearlyBlocked(32_739n)).toBe(true); // 30,000 left: less than a packet
      windows.addConsumed(50_000);
      // The limit moved, but the peer has not heard it yet: still nearly blocked as far as it knows.
      expect(windows.nearlyBlocked(32_739n)).toBe(true);
      expect(windows.limit).toBe(150_000n); // reading it does not advertise it
      expect(windows.nearlyBlocked(32_739n)).toBe(true);
      expect(windows.advertiseLimit()).toBe(150_000n);
      expect(windows.nearlyBlocked(32_739n)).toBe(false);
    });
  });
});
