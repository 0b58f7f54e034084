/**
 * "Your" code, the thing under test in the marble-testing example: an app's invoice payment on
 * top of ilp-stream-rx. It pays an invoice on a stream of its own, reports progress, and gives
 * up (withdrawing what has not left yet) when the network makes no progress for a while. It takes
 * a `SchedulerLike` like everything that waits should, which is what lets
 * spec/examples/marble-testing.spec.ts pin its timing on the TestScheduler.
 *
 * @example
 * ```ts
 * payInvoice(connection, { id: 'inv-42', amount: 3000n }, { stallTimeoutMs: 2_000 })
 *   .subscribe((update) => console.log(update.kind, update.delivered));
 * // progress 500n, progress 1000n, progress 1500n, paid 1500n
 * ```
 */
import { type Observable, type SchedulerLike, asyncScheduler, concat, defer, finalize, map, of, timeout } from 'rxjs';
import { type Amount, type Connection, toU64 } from '../../lib';

/** What to pay. */
export interface Invoice {
  /** The app's reference, echoed in every update. */
  readonly id: string;
  /** Source units to send. */
  readonly amount: Amount;
}

/** Where an invoice payment stands; `delivered` is in the receiver's units. */
export type InvoiceUpdate =
  | { readonly kind: 'progress'; readonly id: string; readonly delivered: bigint; readonly percent: number }
  | { readonly kind: 'paid'; readonly id: string; readonly delivered: bigint }
  | { readonly kind: 'abandoned'; readonly id: string; readonly delivered: bigint };

/** How patient the payment is. */
export interface PayInvoiceOptions {
  /** Give up after this many ms without a fulfilled packet (counted from the start, then from each packet). */
  readonly stallTimeoutMs: number;
  /** Times the stall timeout. Default `asyncScheduler`; tests pass their TestScheduler. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Pays `invoice` on a new stream of `connection`. Cold: each subscription is one payment.
 * Emits `progress` after each fulfilled packet, then `paid` and completes; or, when no packet is
 * fulfilled for `stallTimeoutMs`, `abandoned` and completes (the unsent rest is withdrawn: money
 * already on the wire still settles). The stream is closed either way.
 *
 * @param connection - an open connection
 * @param invoice - what to pay
 * @param options - the stall timeout and the scheduler
 * @returns the payment's updates
 *
 * @example
 * ```ts
 * connection$.pipe(switchMap((c) => payInvoice(c, invoice, { stallTimeoutMs: 2_000 }))).subscribe(render);
 * ```
 */
export function payInvoice(connection: Connection, invoice: Invoice, options: PayInvoiceOptions): Observable<InvoiceUpdate> {
  const amount = toU64(invoice.amount, 'invoice.amount');
  const { stallTimeoutMs } = options;
  if (!Number.isInteger(stallTimeoutMs) || stallTimeoutMs <= 0) throw new RangeError(`stallTimeoutMs must be a positive integer, got ${String(stallTimeoutMs)}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  const { id } = invoice;
  return defer(() => {
    const stream = connection.createStream();
    let delivered = 0n;
    const progress$ = stream.sendMoney(amount).pipe(
      map((progress): InvoiceUpdate => {
        delivered = progress.delivered;
        const percent = amount === 0n ? 100 : Number((progress.sent * 100n) / amount);
        return { kind: 'progress', id, delivered, percent };
      }),
    );
    return concat(progress$, defer(() => of<InvoiceUpdate>({ kind: 'paid', id, delivered }))).pipe(
      // Unsubscribing sendMoney (which timeout does on a stall) withdraws what has not left yet.
      timeout({ each: stallTimeoutMs, scheduler, with: () => of<InvoiceUpdate>({ kind: 'abandoned', id, delivered }) }),
      finalize(() => void stream.end()),
    );
  });
}
