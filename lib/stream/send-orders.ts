/**
 * The queue of money a stream has been asked to send: one order per `sendMoney()` subscription,
 * served first come, first served. Pure bookkeeping with no I/O, so the connection's packet
 * builder can take from it synchronously and settle packets in any order.
 *
 * @example
 * ```ts
 * const orders = new SendOrders();
 * const order = orders.add(1500n, listener);
 * const taken = orders.take(1000n);   // { amount: 1000n, parts: [[order, 1000n]] }
 * orders.settle(taken, true, 500n);   // fulfilled; 500 arrived at the receiver
 * ```
 */

/** Progress callbacks of one order; the stream turns them into a `MoneyProgress` Observable. */
export interface SendOrderListener {
  /** A packet carrying part of this order was fulfilled. */
  progress(order: SendOrder): void;
  /** Every unit of the order was delivered. */
  done(order: SendOrder): void;
}

/** One `sendMoney()` request: how much is left, in flight, sent and delivered. */
export class SendOrder {
  /** Source units not yet placed in a packet. */
  remaining: bigint;
  /** Source units in packets that have not settled yet. */
  inFlight = 0n;
  /** Source units in fulfilled packets. */
  sent = 0n;
  /** Destination units that arrived for this order (its share of fulfilled packets). */
  delivered = 0n;
  /** True once the subscriber left: nothing more is taken from it. */
  withdrawn = false;

  constructor(
    readonly amount: bigint,
    readonly listener: SendOrderListener,
  ) {
    this.remaining = amount;
  }

  /** True when everything asked for has been sent and settled. */
  get complete(): boolean {
    return this.remaining === 0n && this.inFlight === 0n;
  }
}

/** What one packet took from a stream's orders. */
export interface Allocation {
  readonly amount: bigint;
  readonly parts: ReadonlyArray<readonly [SendOrder, bigint]>;
}

/** FIFO queue of a stream's {@link SendOrder}s. */
export class SendOrders {
  private readonly queue: SendOrder[] = [];

  /** Source units waiting to be placed in packets, over all orders. */
  get pending(): bigint {
    let sum = 0n;
    for (const order of this.queue) sum += order.remaining;
    return sum;
  }

  /** True if no order is waiting or in flight. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  /**
   * Queues an order for `amount` source units.
   *
   * @example
   * ```ts
   * orders.add(100n, { progress() {}, done() {} });
   * ```
   */
  add(amount: bigint, listener: SendOrderListener): SendOrder {
    const order = new SendOrder(amount, listener);
    this.queue.push(order);
    return order;
  }

  /**
   * Withdraws what the order has not yet placed in a packet; its in-flight packets still settle.
   *
   * @example
   * ```ts
   * orders.withdraw(order);
   * ```
   */
  withdraw(order: SendOrder): void {
    order.withdrawn = true;
    order.remaining = 0n;
    this.dropIfComplete(order);
  }

  /**
   * Takes up to `max` source units from the oldest orders.
   *
   * @example
   * ```ts
   * orders.take(1000n)?.amount
   * ```
   */
  take(max: bigint): Allocation | undefined {
    if (max <= 0n) return undefined;
    const parts: Array<readonly [SendOrder, bigint]> = [];
    let amount = 0n;
    for (const order of this.queue) {
      if (amount === max) break;
      if (order.remaining === 0n) continue;
      const part = order.remaining < max - amount ? order.remaining : max - amount;
      order.remaining -= part;
      order.inFlight += part;
      amount += part;
      parts.push([order, part]);
    }
    return amount === 0n ? undefined : { amount, parts };
  }

  /**
   * Settles a packet: on fulfill the parts count as sent and `delivered` destination units are
   * shared among them; on reject the parts go back to their orders (unless withdrawn).
   *
   * @example
   * ```ts
   * orders.settle(allocation, false); // rejected: the money will be sent again
   * ```
   */
  settle(allocation: Allocation, fulfilled: boolean, delivered = 0n): void {
    let deliveredLeft = delivered;
    allocation.parts.forEach(([order, part], index) => {
      order.inFlight -= part;
      if (fulfilled) {
        order.sent += part;
        // Floor each share; the last part takes the rounding remainder so the sum is exact.
        const share =
          index === allocation.parts.length - 1 ? deliveredLeft : (delivered * part) / allocation.amount;
        deliveredLeft -= share;
        order.delivered += share;
      } else if (!order.withdrawn) {
        order.remaining += part;
      }
    });
    for (const [order] of allocation.parts) {
      if (fulfilled && !order.withdrawn) order.listener.progress(order);
      this.dropIfComplete(order);
    }
  }

  /** Withdraws every order (the stream closed). Returns the orders that were still open. */
  withdrawAll(): SendOrder[] {
    const open = this.queue.slice();
    for (const order of open) this.withdraw(order);
    return open;
  }

  private dropIfComplete(order: SendOrder): void {
    if (!order.complete) return;
    const index = this.queue.indexOf(order);
    if (index < 0) return;
    this.queue.splice(index, 1);
    if (!order.withdrawn) order.listener.done(order);
  }
}
