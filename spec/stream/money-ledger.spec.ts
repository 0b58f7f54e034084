import { MoneyLedger } from '../../lib/stream/money-ledger';
import type { StreamTotals } from '../../lib/stream/types';

const listener = { progress: () => undefined, done: () => undefined };

describe('MoneyLedger', () => {
  it('starts at zero and replays the totals to late subscribers', () => {
    const ledger = new MoneyLedger();
    const seen: StreamTotals[] = [];
    ledger.totals$.subscribe((t) => seen.push(t));
    expect(ledger.totals).toEqual({ sent: 0n, delivered: 0n, received: 0n, inFlight: 0n });
    expect(seen).toEqual([ledger.totals]);
  });

  it('counts money taken for a packet as in flight, then as sent and delivered once fulfilled', () => {
    const ledger = new MoneyLedger();
    ledger.orders.add(1000n, listener);
    const taken = ledger.take(400n);
    expect(taken?.amount).toBe(400n);
    expect(ledger.totals.inFlight).toBe(400n);
    ledger.settle(taken!, true, 200n);
    expect(ledger.totals).toEqual({ sent: 400n, delivered: 200n, received: 0n, inFlight: 0n });
    expect(ledger.orders.pending).toBe(600n);
  });

  it('gives rejected money back to its order and counts nothing as sent', () => {
    const ledger = new MoneyLedger();
    ledger.orders.add(1000n, listener);
    ledger.settle(ledger.take(1000n)!, false, 0n);
    expect(ledger.totals).toEqual({ sent: 0n, delivered: 0n, received: 0n, inFlight: 0n });
    expect(ledger.orders.pending).toBe(1000n);
  });

  it('moves the totals before the order reports progress', () => {
    const ledger = new MoneyLedger();
    const sentAtProgress: bigint[] = [];
    ledger.orders.add(100n, { progress: () => sentAtProgress.push(ledger.totals.sent), done: () => undefined });
    ledger.settle(ledger.take(100n)!, true, 100n);
    expect(sentAtProgress).toEqual([100n]);
  });

  it('takes nothing when no order waits', () => {
    const ledger = new MoneyLedger();
    expect(ledger.take(100n)).toBeUndefined();
    expect(ledger.totals.inFlight).toBe(0n);
  });

  it('credits received money to money$ and the totals; zero is ignored', () => {
    const ledger = new MoneyLedger();
    const amounts: bigint[] = [];
    ledger.money$.subscribe((a) => amounts.push(a));
    ledger.receive(0n);
    ledger.receive(50n);
    ledger.receive(25n);
    expect(amounts).toEqual([50n, 25n]);
    expect(ledger.totals.received).toBe(75n);
  });

  it('close() completes both Observables, or errors them; the totals still answer afterwards', () => {
    const clean = new MoneyLedger();
    const completed: string[] = [];
    clean.money$.subscribe({ complete: () => completed.push('money') });
    clean.totals$.subscribe({ complete: () => completed.push('totals') });
    clean.close(undefined);
    expect(completed).toEqual(['money', 'totals']);

    const failed = new MoneyLedger();
    failed.orders.add(10n, listener);
    const taken = failed.take(10n)!;
    const errors: unknown[] = [];
    failed.money$.subscribe({ error: (e) => errors.push(e) });
    failed.totals$.subscribe({ error: (e) => errors.push(e) });
    const boom = new Error('boom');
    failed.close(boom);
    expect(errors).toEqual([boom, boom]);
    // A packet in flight when the stream closed still settles.
    failed.settle(taken, true, 10n);
    expect(failed.totals.sent).toBe(10n);
  });
});
