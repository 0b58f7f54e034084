import { DataDelivery } from '../../lib/stream/data-delivery';
import { IncomingData } from '../../lib/stream/incoming-data';

function setup(): { incoming: IncomingData; delivery: DataDelivery; consumed: number[] } {
  const incoming = new IncomingData(1000);
  const consumed: number[] = [];
  const delivery = new DataDelivery(incoming, (bytes) => consumed.push(bytes));
  return { incoming, delivery, consumed };
}

describe('DataDelivery', () => {
  it('keeps bytes until a subscriber comes, then emits them in order and reports them consumed', () => {
    const { incoming, delivery, consumed } = setup();
    incoming.accept(5n, Buffer.from('world'));
    incoming.accept(0n, Buffer.from('hello'));
    delivery.deliver();
    expect(consumed).toEqual([]);
    const chunks: string[] = [];
    delivery.data$.subscribe((chunk) => chunks.push(chunk.toString()));
    expect(chunks.join('')).toBe('helloworld');
    expect(consumed).toEqual([10]);
  });

  it('emits each chunk to every subscriber present', () => {
    const { incoming, delivery } = setup();
    const a: string[] = [];
    const b: string[] = [];
    delivery.data$.subscribe((chunk) => a.push(chunk.toString()));
    delivery.data$.subscribe((chunk) => b.push(chunk.toString()));
    incoming.accept(0n, Buffer.from('hi'));
    delivery.deliver();
    expect(a).toEqual(['hi']);
    expect(b).toEqual(['hi']);
  });

  it('holds bytes while paused and emits them on resume', () => {
    const { incoming, delivery, consumed } = setup();
    const chunks: string[] = [];
    delivery.data$.subscribe((chunk) => chunks.push(chunk.toString()));
    delivery.pause();
    incoming.accept(0n, Buffer.from('wait'));
    delivery.deliver();
    expect(chunks).toEqual([]);
    delivery.resume();
    expect(chunks).toEqual(['wait']);
    expect(consumed).toEqual([4]);
  });

  it('a subscriber that pauses inside next() gets nothing more until it resumes', () => {
    const { incoming, delivery, consumed } = setup();
    const chunks: string[] = [];
    delivery.data$.subscribe((chunk) => {
      chunks.push(chunk.toString());
      delivery.pause();
    });
    incoming.accept(0n, Buffer.from('one'));
    delivery.deliver();
    incoming.accept(3n, Buffer.from('two'));
    delivery.deliver();
    expect(chunks).toEqual(['one']);
    expect(consumed).toEqual([3]);
    delivery.resume();
    expect(chunks).toEqual(['one', 'two']);
  });

  it('a clean end completes data$ only after the waiting bytes were taken', () => {
    const { incoming, delivery } = setup();
    incoming.accept(0n, Buffer.from('last'));
    delivery.end(undefined);
    const events: string[] = [];
    delivery.data$.subscribe({ next: (chunk) => events.push(chunk.toString()), complete: () => events.push('complete') });
    expect(events).toEqual(['last', 'complete']);
  });

  it('an end with an error errors data$ at once, even with bytes waiting', () => {
    const { incoming, delivery } = setup();
    const errors: unknown[] = [];
    delivery.data$.subscribe({ error: (e) => errors.push(e) });
    delivery.pause();
    incoming.accept(0n, Buffer.from('lost'));
    const boom = new Error('boom');
    delivery.end(boom);
    expect(errors).toEqual([boom]);
  });
});
