/**
 * The close and teardown path of a connection. Sending stops at once, but packets already on the
 * wire settle first (a reply or R00 at expiry always comes), so the final totals are exact when
 * the Observables complete; until then the state is 'closing'. Then every stream closes, the
 * Observables end, `end()` resolves and the owner's `onClose` runs, once.
 *
 * @example
 * ```ts
 * const closing = new ConnectionClosing({ subjects, registry, idle, sender, onClose });
 * const closed = closing.whenClosed();
 * closing.finish(undefined); // 'closing' while packets are in flight...
 * closing.drained();         // ...'closed' once the last one settled; `closed` resolves
 * ```
 */
import { ErrorCode } from '../wire/types';
import { ConnectionError, StreamError } from '../errors';
import type { DataAndMoneyStream } from '../stream/stream';
import type { ConnectionSubjects } from './connection-subjects';
import type { CloseDecision } from './receiver';
import type { StreamRegistry } from './stream-registry';

/**
 * What closing a connection stops and tells.
 *
 * @example
 * ```ts
 * const parts: ClosingParts = { subjects, registry, idle, sender, onClose: () => plugin.disconnect() };
 * ```
 */
export interface ClosingParts {
  readonly subjects: Pick<ConnectionSubjects, 'state' | 'setState' | 'close'>;
  readonly registry: Pick<StreamRegistry, 'sorted' | 'remove'>;
  readonly idle: { stop(): void };
  readonly sender: { stop(): void; readonly packetsInFlight: number };
  /** Called once when the connection has closed. */
  readonly onClose?: () => void;
}

/**
 * Closes one connection, once, whichever way the close comes.
 *
 * @example
 * ```ts
 * closing.closeFor({ code: ErrorCode.NoError, message: '', byRemote: true }); // the peer closed cleanly
 * closing.started; // true: nothing more is fulfilled
 * ```
 */
export class ConnectionClosing {
  private waiters: Array<() => void> = [];
  private finishing: { error: Error | undefined } | undefined;

  constructor(private readonly parts: ClosingParts) {}

  /** True once the close began: no Prepare is fulfilled any more. */
  get started(): boolean {
    return this.finishing !== undefined;
  }

  /** The error the connection closes with; undefined for a clean close (or none yet). */
  get error(): Error | undefined {
    return this.finishing?.error;
  }

  /** Resolves once the connection is closed. */
  whenClosed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Closes the connection: with `error`, every Observable errors; without, they complete. */
  finish(error: Error | undefined): void {
    if (this.parts.subjects.state === 'closed') return;
    if (this.finishing) {
      // Closing already (e.g. both ends called end()); the last settle brings us here again.
      if (this.parts.sender.packetsInFlight === 0) this.complete();
      return;
    }
    this.finishing = { error };
    this.parts.idle.stop();
    this.parts.sender.stop();
    if (this.parts.sender.packetsInFlight === 0) this.complete();
    else if (this.parts.subjects.state !== 'closing') this.parts.subjects.setState('closing');
  }

  /** The sender stopped and its last packet settled. */
  drained(): void {
    if (this.finishing) this.complete();
  }

  /** Closes as a packet's handling decided: the peer closed, or broke the protocol. */
  closeFor(close: CloseDecision): void {
    if (!close.byRemote) {
      this.finish(new ConnectionError('PROTOCOL_VIOLATION', close.message, close.code));
    } else if (close.code === ErrorCode.NoError) {
      this.finish(undefined);
    } else {
      this.finish(new ConnectionError('REMOTE_CLOSED', `peer closed the connection: ${close.message}`, close.code));
    }
  }

  /** The peer closed one stream (StreamClose): it errors unless the peer closed it with NoError. */
  closeStreamFromRemote(stream: DataAndMoneyStream, code: ErrorCode | number, message: string): void {
    this.parts.registry.remove(stream);
    stream.closeFromRemote(code === ErrorCode.NoError ? undefined : new StreamError('REMOTE_CLOSED', `peer closed stream ${stream.id}: ${message}`, code));
  }

  private complete(): void {
    if (this.parts.subjects.state === 'closed' || !this.finishing) return;
    const { error } = this.finishing;
    const streamError = error ? new StreamError('CONNECTION_CLOSED', error.message, undefined, { cause: error }) : undefined;
    for (const stream of this.parts.registry.sorted()) {
      this.parts.registry.remove(stream);
      stream.closeFromRemote(streamError);
    }
    this.parts.subjects.setState('closed');
    this.parts.subjects.close(error);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    this.parts.onClose?.();
  }
}
