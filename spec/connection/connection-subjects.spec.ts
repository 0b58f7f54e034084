import type { Observable } from 'rxjs';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from '../../lib/connection/types';
import { ConnectionSubjects } from '../../lib/connection/connection-subjects';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };
const rate = { value: 0.5 } as ExchangeRate;

describe('ConnectionSubjects', () => {
  it('replays the initial state and zero totals', () => {
    const subjects = new ConnectionSubjects('connecting');
    const states: ConnectionState[] = [];
    const totals: ConnectionTotals[] = [];
    subjects.state$.subscribe((s) => states.push(s));
    subjects.totals$.subscribe((t) => totals.push(t));
    expect(states).toEqual(['connecting']);
    expect(totals).toEqual([{ sent: 0n, delivered: 0n, received: 0n, inFlight: 0n }]);
    expect(subjects.exchangeRate).toBeUndefined();
  });

  it('adds deltas to the totals as they are at the moment of the change', () => {
    const subjects = new ConnectionSubjects('open');
    subjects.addToTotals({ inFlight: 1000n });
    subjects.addToTotals({ sent: 1000n, delivered: 500n, inFlight: -1000n });
    subjects.addToTotals({ received: 7n });
    expect(subjects.totals).toEqual({ sent: 1000n, delivered: 500n, received: 7n, inFlight: 0n });
  });

  it('emits state changes, rates and announced streams', () => {
    const subjects = new ConnectionSubjects('connecting');
    const streams: bigint[] = [];
    subjects.streams$.subscribe((s) => streams.push(s.id));
    subjects.setState('open');
    subjects.setExchangeRate(rate);
    subjects.announce(new DataAndMoneyStream(2n, host));
    expect(subjects.state).toBe('open');
    expect(subjects.exchangeRate).toBe(rate);
    expect(streams).toEqual([2n]);
  });

  it('after a clean close, late subscribers get the last value, then completion', () => {
    const subjects = new ConnectionSubjects('open');
    subjects.setState('closed');
    subjects.close(undefined);
    const events: unknown[] = [];
    subjects.state$.subscribe({ next: (s) => events.push(s), complete: () => events.push('complete') });
    subjects.streams$.subscribe({ complete: () => events.push('streams complete') });
    expect(events).toEqual(['closed', 'complete', 'streams complete']);
  });

  it('after a close with an error, every Observable errors and the getters still answer', () => {
    const subjects = new ConnectionSubjects('open');
    subjects.addToTotals({ sent: 5n });
    const boom = new Error('boom');
    subjects.close(boom);
    const errors: unknown[] = [];
    for (const observable of [subjects.streams$, subjects.totals$, subjects.exchangeRate$, subjects.state$] as Array<Observable<unknown>>) {
      observable.subscribe({ error: (e) => errors.push(e) });
    }
    expect(errors).toEqual([boom, boom, boom, boom]);
    expect(subjects.totals.sent).toBe(5n);
    expect(subjects.state).toBe('open');
  });
});
