/**
 * The connection's last packet: ConnectionClose with whatever control frames are still owed.
 * It goes out once per connection, either as `end()`'s orderly close (whose reply the sender
 * waits for, briefly) or as a final close on destroy or a violation (sent and forgotten).
 *
 * @example
 * ```ts
 * const closer = new CloseSender(link, settings.expiryMs, control, connection);
 * closer.sendFinal(ErrorCode.ProtocolViolation, 'asset details changed');
 * closer.sent; // true: no second close follows
 * ```
 */
import { type Observable, of, timeout } from 'rxjs';
import { ErrorCode, FrameType, type Frame } from '../../wire/types';
import { type Link, transmit } from '../transmit';
import type { ControlQueue } from './control-queue';
import type { SenderHost } from './host';

/**
 * How long `end()` waits for the reply to its ConnectionClose before closing anyway.
 *
 * @example
 * ```ts
 * // A peer may drop the close; the wait ends after 1 s, or at packet expiry if that is sooner:
 * transmit(link, close).pipe(
 *   timeout({ first: Math.min(CLOSE_REPLY_WAIT_MS, settings.expiryMs), with: () => of(undefined), scheduler: link.scheduler }),
 * );
 * ```
 */
export const CLOSE_REPLY_WAIT_MS = 1_000;

/**
 * Sends one connection's ConnectionClose, at most once.
 *
 * @example
 * ```ts
 * const closer = new CloseSender(link, 30_000, control, connection);
 * closer.sendEnd(() => connection.finishEnd()); // answered, or 1 s passed
 * closer.sendFinal(ErrorCode.InternalError, 'boom'); // ignored: the close already went out
 * ```
 */
export class CloseSender {
  private closeSent = false;

  constructor(
    private readonly link: Link,
    private readonly expiryMs: number,
    private readonly control: Pick<ControlQueue, 'take'>,
    private readonly connection: Pick<SenderHost, 'hasRemoteAddress'>,
  ) {}

  /** True once a close went out (or was decided on). */
  get sent(): boolean {
    return this.closeSent;
  }

  /** Sends ConnectionClose without waiting for the outcome (destroy, or a violation we detected). */
  sendFinal(code: ErrorCode, message: string): void {
    if (this.closeSent || !this.connection.hasRemoteAddress) return;
    this.closeSent = true;
    // The outcome does not matter: we are closing either way. Errors are swallowed, never unhandled,
    // and the wait is capped like end()'s, so a peer that never answers keeps no timer alive.
    this.transmitClose(code, message, false).subscribe({ error: () => undefined });
  }

  /**
   * `end()`'s close: calls `settled` once, when the reply came or the wait ran out. The caller
   * checks `sent` and that the peer's address is known first.
   */
  sendEnd(settled: () => void): void {
    this.closeSent = true;
    // The close carries no money, so its reply only confirms. Some peers drop it (ilp-protocol-stream's
    // client disconnects its plugin before answering), so the wait is capped, not left to expiry.
    this.transmitClose(ErrorCode.NoError, '', true).subscribe({ next: settled, error: settled });
  }

  /** What a close packet carries: the control frames still owed, then ConnectionClose. */
  private transmitClose(code: ErrorCode, message: string, fulfillable: boolean): Observable<unknown> {
    const frames: Frame[] = [...this.control.take(), { type: FrameType.ConnectionClose, errorCode: code, errorMessage: message }];
    return transmit(this.link, { amount: 0n, frames, fulfillable, minDestination: 0n }).pipe(
      timeout({ first: Math.min(CLOSE_REPLY_WAIT_MS, this.expiryMs), with: () => of(undefined), scheduler: this.link.scheduler }),
    );
  }
}
