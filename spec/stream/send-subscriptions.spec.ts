import type { Subscription } from 'rxjs';
import { StreamError } from '../../lib/errors';
import { OutgoingData } from '../../lib/stream/outgoing-data';
import { SendOrders } from '../../lib/stream/send-orders';
import { SendSubscriptions } from '../../lib/stream/send-subscriptions';
import type { StreamState } from '../../lib/stream/types';

function setup(state: StreamState = 'open') {
  const orders = new SendOrders();
  const outgoing = new OutgoingData();
  const calls: string[] = [];
  const sends = new SendSubscriptions(orders, outgoing, {
    id: 7n,
    state: () => state,
    wake: () => calls.push('wake'),
    released: () => calls.push('released'),
  });
  return { orders, outgoing, sends, calls };
}

describe('SendSubscriptions', () => {
  it('money: each subscription queues an order and wakes the connection; progress and completion follow settles', () => {
    const { orders, sends, calls } = setup();
    const events: unknown[] = [];
    sends.money(100n).subscribe({ next: (p) => events.push(p), complete: () => events.push('complete') });
    expect(orders.pending).toBe(100n);
    expect(calls).toEqual(['wake']);
    orders.settle(orders.take(100n)!, true, 50n);
    expect(events).toEqual([{ sent: 100n, delivered: 50n, amount: 100n }, 'complete']);
    expect(calls).toEqual(['wake', 'released']);
  });

  it('money: zero completes at once without queueing', () => {
    const { orders, sends, calls } = setup();
    let completed = false;
    sends.money(0n).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
    expect(orders.idle).toBe(true);
    expect(calls).toEqual([]);
  });

  it('money: unsubscribing withdraws what has not left', () => {
    const { orders, sends, calls } = setup();
    const subscription: Subscription = sends.money(100n).subscribe();
    orders.take(40n);
    subscription.unsubscribe();
    expect(orders.pending).toBe(0n);
    expect(calls).toEqual(['wake', 'released']);
  });

  it('data: each subscription queues a write; it completes once every byte was acknowledged', () => {
    const { outgoing, sends } = setup();
    const events: unknown[] = [];
    sends.data(Buffer.from('hello')).subscribe({ next: (p) => events.push(p), complete: () => events.push('complete') });
    const segment = outgoing.take(1000, 1000n)!;
    outgoing.settle(segment, true);
    expect(events.at(-1)).toBe('complete');
    expect(events).toContainEqual({ sent: 5, acknowledged: 5, length: 5 });
  });

  it('data: unsubscribing withdraws the bytes not yet sent', () => {
    const { outgoing, sends } = setup();
    sends.data(Buffer.from('hello')).subscribe().unsubscribe();
    expect(outgoing.pendingBytes).toBe(0);
    expect(outgoing.idle).toBe(true);
  });

  it('a stream that is not open refuses new sends with STREAM_CLOSED', () => {
    const { sends, orders } = setup('closing');
    const errors: unknown[] = [];
    sends.money(10n).subscribe({ error: (e) => errors.push(e) });
    sends.data(Buffer.from('x')).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(StreamError);
      expect((error as StreamError).message).toBe('STREAM_CLOSED: stream 7 is closing');
    }
    expect(orders.idle).toBe(true);
  });

  it('close() withdraws everything and fails the open subscriptions, with the error given or STREAM_CLOSED', () => {
    const { orders, outgoing, sends } = setup();
    const errors: Error[] = [];
    sends.money(100n).subscribe({ error: (e: Error) => errors.push(e) });
    sends.data(Buffer.from('hi')).subscribe({ error: (e: Error) => errors.push(e) });
    sends.close(undefined);
    expect(errors.map((e) => e.message)).toEqual(['STREAM_CLOSED: stream 7 closed before the money was sent', 'STREAM_CLOSED: stream 7 closed before the data was acknowledged']);
    expect(orders.pending).toBe(0n);
    expect(outgoing.pendingBytes).toBe(0);

    const other = setup();
    const boom = new Error('boom');
    const seen: unknown[] = [];
    other.sends.money(1n).subscribe({ error: (e) => seen.push(e) });
    other.sends.close(boom);
    expect(seen).toEqual([boom]);
  });
});
