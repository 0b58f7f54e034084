/**
 * What crosses to the page: snapshots and session facts as JSON, every bigint as a decimal string
 * (JSON has no bigint, and a number would round above 2^53), framed as server-sent events.
 *
 * @example
 * ```ts
 * response.write(sseMessage('snapshot', snapshotToWire(snapshot)));
 * ```
 */
import { type DashboardSnapshot, formatRate } from './dashboard-state';
import type { PaymentInfo } from './payment';

/**
 * A snapshot as the page receives it.
 *
 * @example
 * ```ts
 * const wire: WireSnapshot = snapshotToWire(snapshot); // { sent: '200000', rate: '1.37', ... }
 * ```
 */
export interface WireSnapshot {
  /** Source base units fulfilled, as a decimal string. */
  readonly sent: string;
  /** Destination base units delivered (sender's count), as a decimal string. */
  readonly delivered: string;
  /** Destination base units received (receiver's count), as a decimal string. */
  readonly received: string;
  /** Source base units in flight, as a decimal string. */
  readonly inFlight: string;
  /** The probed exchange rate as the page shows it (see `formatRate`). */
  readonly rate: string;
  /** Packets fulfilled so far. */
  readonly packets: number;
  /** Fulfilled packets per second over the sliding window, rounded to one decimal. */
  readonly packetsPerSecond: number;
  /** The sender's state, or 'failed'. */
  readonly state: string;
  /** Why it failed, if it did. */
  readonly error?: string;
  /** Milliseconds since the dashboard started watching this payment. */
  readonly elapsedMs: number;
  /** True on the last snapshot of a payment. */
  readonly final: boolean;
}

/**
 * Session facts as the page receives them.
 *
 * @example
 * ```ts
 * infoToWire(session.info).amount; // '500000'
 * ```
 */
export interface WireInfo {
  /** Source units to send, as a decimal string. */
  readonly amount: string;
  /** The sender's asset. */
  readonly sourceAsset: { readonly code: string; readonly scale: number };
  /** The receiver's asset. */
  readonly destinationAsset: { readonly code: string; readonly scale: number };
  /** The network's configured rate. */
  readonly networkRate: string;
  /** Largest packet in source units, as a decimal string. */
  readonly maxPacketAmount: string;
}

/**
 * Converts a snapshot for the page.
 *
 * @example
 * ```ts
 * snapshotToWire({ ...snapshot, sent: 12n }).sent; // '12'
 * ```
 */
export function snapshotToWire(snapshot: DashboardSnapshot): WireSnapshot {
  return {
    sent: snapshot.sent.toString(),
    delivered: snapshot.delivered.toString(),
    received: snapshot.received.toString(),
    inFlight: snapshot.inFlight.toString(),
    rate: formatRate(snapshot.rate),
    packets: snapshot.packets,
    packetsPerSecond: Math.round(snapshot.packetsPerSecond * 10) / 10,
    state: snapshot.state,
    ...(snapshot.error === undefined ? {} : { error: snapshot.error }),
    elapsedMs: Math.round(snapshot.elapsedMs),
    final: snapshot.final,
  };
}

/**
 * Converts session facts for the page.
 *
 * @example
 * ```ts
 * infoToWire(session.info).sourceAsset.code; // 'USD'
 * ```
 */
export function infoToWire(info: PaymentInfo): WireInfo {
  return {
    amount: info.amount.toString(),
    sourceAsset: { ...info.sourceAsset },
    destinationAsset: { ...info.destinationAsset },
    networkRate: info.networkRate,
    maxPacketAmount: info.maxPacketAmount.toString(),
  };
}

/**
 * Frames one server-sent event. JSON never contains a raw newline, so one `data:` line suffices.
 *
 * @example
 * ```ts
 * sseMessage('info', { a: 1 }); // 'event: info\ndata: {"a":1}\n\n'
 * ```
 */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
