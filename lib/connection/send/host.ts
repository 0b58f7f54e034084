/**
 * The sender's view of its connection: the narrow surface the send loop reads and calls, so the
 * loop and its helpers never import the connection class (which imports them).
 *
 * @example
 * ```ts
 * import type { SenderHost } from './send/host';
 * const sender = new ConnectionSender(connectionAsHost, link, settings, windows);
 * ```
 */
import type { Frame } from '../../wire/types';
import type { StreamRegistry } from '../stream-registry';
import type { ConnectionState, ConnectionTotals, ExchangeRate } from '../types';

/**
 * What the sender needs from the connection it sends for.
 *
 * @example
 * ```ts
 * // The connection passes itself as the host (in its constructor):
 * this.sender = new ConnectionSender(this, link, params, this.data);
 * // a fulfilled packet of 1,000 that delivered 500 then comes back as
 * host.addToTotals({ sent: 1000n, delivered: 500n, inFlight: -1000n });
 * ```
 */
export interface SenderHost {
  readonly registry: StreamRegistry;
  readonly state: ConnectionState;
  readonly sourceAccount: string;
  readonly sourceAssetCode: string;
  readonly sourceAssetScale: number;
  /** True once the peer's address is known (always for clients; after ConnectionNewAddress for servers). */
  readonly hasRemoteAddress: boolean;
  /** True once the next sequence would be 2^31 (29-5.1.3-a). */
  readonly packetLimitReached: boolean;
  setExchangeRate(rate: ExchangeRate): void;
  /** The probe succeeded: a client's connection is open. */
  markOpen(): void;
  applyReplyFrames(frames: readonly Frame[]): void;
  addToTotals(delta: Partial<ConnectionTotals>): void;
  /** Everything was sent and the close went out: the connection is closed. */
  finishEnd(): void;
  /** After `stop()`, the last packet in flight settled. */
  drained(): void;
  fail(error: Error): void;
}
