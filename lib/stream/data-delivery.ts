/**
 * Hands a stream's received bytes to the subscribers of `data$`, in order and exactly once. A
 * byte counts as consumed only when it was emitted, so bytes with no subscriber, or while paused,
 * wait in the stream's `IncomingData` and the peer's window stops growing: a slow consumer slows
 * the sender instead of growing memory.
 *
 * @example
 * ```ts
 * const delivery = new DataDelivery(incoming, (bytes) => host.dataConsumed(stream, bytes));
 * delivery.data$.subscribe((chunk) => file.write(chunk));
 * incoming.accept(0n, Buffer.from('hello'));
 * delivery.deliver(); // emits <hello>, then reports 5 bytes consumed
 * ```
 */
import { Observable, type Subscriber } from 'rxjs';
import type { IncomingData } from './incoming-data';

/**
 * The subscribers of one stream's `data$` and what they have taken.
 *
 * @example
 * ```ts
 * delivery.pause();       // bytes wait from now on
 * delivery.resume();      // the waiting bytes are emitted
 * delivery.end(undefined); // data$ completes once the waiting bytes were taken
 * ```
 */
export class DataDelivery {
  private readonly subscribers = new Set<Subscriber<Buffer>>();
  private paused = false;
  private delivering = false;
  private ended: { error: Error | undefined } | undefined;

  /** The bytes, hot: each subscriber gets those emitted while it is subscribed. */
  readonly data$: Observable<Buffer> = new Observable<Buffer>((subscriber) => {
    this.subscribers.add(subscriber);
    this.deliver();
    return () => {
      this.subscribers.delete(subscriber);
    };
  });

  constructor(
    private readonly incoming: IncomingData,
    /** Called with the bytes emitted by one `deliver()`, so the receive windows can move. */
    private readonly consumed: (bytes: number) => void,
  ) {}

  /** Stops emitting: bytes wait until `resume()`. */
  pause(): void {
    this.paused = true;
  }

  /** Emits again, starting with the bytes that waited. */
  resume(): void {
    this.paused = false;
    this.deliver();
  }

  /** Emits the bytes that are next in order, if anyone is taking them. */
  deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    let bytes = 0;
    try {
      // One chunk at a time: a subscriber that pauses (a full Node reader) stops the very next one,
      // and only bytes actually emitted count as consumed.
      while (!this.paused && this.subscribers.size > 0) {
        const chunk = this.incoming.readOne();
        if (!chunk) break;
        bytes += chunk.length;
        for (const subscriber of [...this.subscribers]) subscriber.next(chunk);
      }
    } finally {
      this.delivering = false;
      if (bytes > 0) this.consumed(bytes);
    }
    this.endIfDrained();
  }

  /** The stream closed: `data$` ends now with `error`, or cleanly once the waiting bytes were taken. */
  end(error: Error | undefined): void {
    this.ended = { error };
    this.endIfDrained();
  }

  private endIfDrained(): void {
    const end = this.ended;
    // Bytes still waiting are kept for a subscriber to come; without an error they end the stream.
    if (!end || (end.error === undefined && this.incoming.readable)) return;
    for (const subscriber of [...this.subscribers]) {
      if (end.error) subscriber.error(end.error);
      else subscriber.complete();
    }
    this.subscribers.clear();
  }
}
