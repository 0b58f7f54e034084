import { SendOrders, type SendOrder, type SendOrderListener } from '../../lib/stream/send-orders';

function recorder(): SendOrderListener & { progress: jest.Mock; done: jest.Mock } {
  return { progress: jest.fn(), done: jest.fn() };
}

describe('SendOrders', () => {
  it('serves orders first come, first served and splits a packet across them', () => {
    const orders = new SendOrders();
    const a = orders.add(300n, recorder());
    const b = orders.add(1000n, recorder());
    const taken = orders.take(500n);
    expect(taken?.amount).toBe(500n);
    expect(taken?.parts.map(([o, n]) => [o === a ? 'a' : 'b', n])).toEqual([
      ['a', 300n],
      ['b', 200n],
    ]);
    expect(a.remaining).toBe(0n);
    expect(b.remaining).toBe(800n);
    expect(orders.pending).toBe(800n);
  });

  it('a fulfilled packet shares what arrived among its orders exactly (sum preserved)', () => {
    const orders = new SendOrders();
    const la = recorder();
    const lb = recorder();
    const a = orders.add(1n, la);
    const b = orders.add(2n, lb);
    const taken = orders.take(3n)!;
    orders.settle(taken, true, 1n); // 1 unit arrived for 3 sent: floors must not lose it
    expect(a.delivered + b.delivered).toBe(1n);
    expect(a.sent).toBe(1n);
    expect(b.sent).toBe(2n);
    expect(la.done).toHaveBeenCalledTimes(1);
    expect(lb.done).toHaveBeenCalledTimes(1);
    expect(orders.idle).toBe(true);
  });

  it('a rejected packet returns its money to the orders', () => {
    const orders = new SendOrders();
    const listener = recorder();
    const order = orders.add(100n, listener);
    const taken = orders.take(60n)!;
    orders.settle(taken, false);
    expect(order.remaining).toBe(100n);
    expect(order.inFlight).toBe(0n);
    expect(listener.progress).not.toHaveBeenCalled();
    expect(orders.take(1000n)?.amount).toBe(100n);
  });

  it('withdrawing keeps in-flight money settling but takes nothing more and never reports done', () => {
    const orders = new SendOrders();
    const listener = recorder();
    const order: SendOrder = orders.add(100n, listener);
    const taken = orders.take(40n)!;
    orders.withdraw(order);
    expect(orders.take(1000n)).toBeUndefined();
    orders.settle(taken, false);
    expect(order.remaining).toBe(0n);
    expect(listener.done).not.toHaveBeenCalled();
    expect(orders.idle).toBe(true);
  });

  it('take(0) and an empty queue give nothing', () => {
    const orders = new SendOrders();
    expect(orders.take(10n)).toBeUndefined();
    orders.add(5n, recorder());
    expect(orders.take(0n)).toBeUndefined();
  });
});
