/**
 * `sendTotal()` and `receiveTotal()` (as in ilp-protocol-stream): Promises that a stream's totals
 * reach a target, built only on the stream's public surface.
 *
 * @example
 * ```ts
 * await sendUntilTotal(stream, 1_000_000);    // what stream.sendTotal(1_000_000) does
 * await receiveUntilTotal(stream, 1_000_000); // what stream.receiveTotal(1_000_000) does
 * ```
 */
import { type Observable, filter, firstValueFrom, map, takeWhile } from 'rxjs';
import type { Amount } from './amount';
import { amountArgument } from './arguments';
import type { StreamTotals } from './types';

/**
 * The part of a stream the targets use.
 *
 * @example
 * ```ts
 * const target: TotalsTarget = connection.createStream(); // a DataAndMoneyStream is one
 * ```
 */
export interface TotalsTarget {
  readonly totals: StreamTotals;
  readonly totals$: Observable<StreamTotals>;
  /** Source units queued and not yet in a packet. */
  readonly pendingMoney: bigint;
  readonly receiveMax: bigint;
  sendMoney(amount: Amount): Observable<unknown>;
  setReceiveMax(amount: Amount): void;
}

/**
 * Sends until the stream's total sent reaches `total` source units, counting what is already
 * sent, in flight or queued. Resolves when it has; rejects if the stream closes first.
 *
 * @example
 * ```ts
 * await sendUntilTotal(stream, 1000); // sends 1000, or only what is missing from it
 * ```
 */
export async function sendUntilTotal(stream: TotalsTarget, total: Amount): Promise<void> {
  const target = amountArgument(total, 'total');
  const alreadyQueued = stream.totals.sent + stream.totals.inFlight + stream.pendingMoney;
  if (target > alreadyQueued) {
    await new Promise<void>((resolve, reject) => {
      stream.sendMoney(target - alreadyQueued).subscribe({ complete: resolve, error: reject });
    });
  }
  if (stream.totals.sent < target) {
    await firstValueFrom(stream.totals$.pipe(filter((t) => t.sent >= target)));
  }
}

/**
 * Raises the stream's receive limit to at least `total` and resolves once it has received
 * `total` units in all; rejects if the stream closes first.
 *
 * @example
 * ```ts
 * await receiveUntilTotal(stream, 1000);
 * ```
 */
export async function receiveUntilTotal(stream: TotalsTarget, total: Amount): Promise<void> {
  const target = amountArgument(total, 'total');
  if (stream.receiveMax < target) stream.setReceiveMax(target);
  await firstValueFrom(
    stream.totals$.pipe(
      takeWhile((t) => t.received < target, true),
      filter((t) => t.received >= target),
      map(() => undefined),
    ),
  );
}
