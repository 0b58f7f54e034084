import { emptyDirectionStats, resetDirectionStats } from '../../lib/network/stats';

describe('network stats', () => {
  it('start at zero', () => {
    expect(emptyDirectionStats()).toEqual({
      prepares: 0, delivered: 0, fulfilled: 0, rejected: 0, ildcp: 0, sourceAmountFulfilled: 0n, destinationAmountFulfilled: 0n,
    });
  });

  it('reset in place, so a reference a test holds stays live', () => {
    const stats = emptyDirectionStats();
    const held = stats;
    Object.assign(stats, { prepares: 3, fulfilled: 2, sourceAmountFulfilled: 10n });
    resetDirectionStats(stats);
    expect(held).toBe(stats);
    expect(held).toEqual(emptyDirectionStats());
  });
});
