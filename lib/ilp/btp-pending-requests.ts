/**
 * The BTP requests this end has sent and awaits answers for (RFC 23 §Flow): unique request ids
 * among those in flight, a timeout per request on the caller's scheduler, and settling by id.
 *
 * @example
 * ```ts
 * const requests = new PendingRequests(asyncScheduler, 30_000);
 * const { requestId, answer } = requests.open();
 * socket.send(ilpMessage(requestId, prepare));
 * const reply = await answer;
 * ```
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { BtpPluginError } from './btp-errors';

/**
 * How a request was answered: a Response with its ILP data, or a BTP Error.
 *
 * @example
 * ```ts
 * const answer: BtpAnswer = { kind: 'response', ilp: fulfill };
 * ```
 */
export type BtpAnswer =
  | { readonly kind: 'response'; readonly ilp: Buffer | undefined }
  | { readonly kind: 'error'; readonly code: string; readonly errorName: string; readonly data: string };

interface Pending {
  resolve(answer: BtpAnswer): void;
  reject(error: Error): void;
  timer: Subscription;
}

/** Request ids are u32 (RFC 23). */
const REQUEST_ID_LIMIT = 2 ** 32;

/**
 * The table of requests in flight on one socket.
 *
 * @example
 * ```ts
 * requests.settle(packet.requestId, { kind: 'response', ilp: packet.ilp }); // false if unknown
 * ```
 */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /**
   * @param scheduler - times the timeouts
   * @param timeoutMs - how long to wait for each answer
   */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly timeoutMs: number,
  ) {}

  /** Reserves an unused request id; `answer` settles with the peer's answer or a typed error. */
  open(): { requestId: number; answer: Promise<BtpAnswer> } {
    const requestId = this.unusedId();
    const answer = new Promise<BtpAnswer>((resolve, reject) => {
      const timer = this.scheduler.schedule(() => {
        this.pending.delete(requestId);
        reject(new BtpPluginError('TIMEOUT', `no answer to BTP request ${requestId} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
    });
    return { requestId, answer };
  }

  /** Settles the request `requestId`; false (and nothing happens) for an id not in flight. */
  settle(requestId: number, answer: BtpAnswer): boolean {
    const entry = this.take(requestId);
    entry?.resolve(answer);
    return entry !== undefined;
  }

  /** Fails one request (its send failed, say). */
  fail(requestId: number, error: Error): void {
    this.take(requestId)?.reject(error);
  }

  /** Fails every request in flight, as when the socket closes. */
  failAll(error: Error): void {
    for (const requestId of [...this.pending.keys()]) this.fail(requestId, error);
  }

  /** Requests in flight. */
  get size(): number {
    return this.pending.size;
  }

  private take(requestId: number): Pending | undefined {
    const entry = this.pending.get(requestId);
    if (entry === undefined) return undefined;
    this.pending.delete(requestId);
    entry.timer.unsubscribe();
    return entry;
  }

  private unusedId(): number {
    // A counter: ids repeat only after 2^32 requests, and never while the old one is in flight.
    while (this.pending.has(this.nextId)) this.nextId = (this.nextId + 1) % REQUEST_ID_LIMIT;
    const requestId = this.nextId;
    this.nextId = (this.nextId + 1) % REQUEST_ID_LIMIT;
    return requestId;
  }
}
