/**
 * The streams of one connection and the stream-id rules of RFC 29 §3.3 and §4.4.1: client streams
 * are odd, server streams even, id 0 is invalid, and each side may open streams only up to the
 * other side's ConnectionMaxStreamId (20 by default, raised as streams close).
 *
 * @example
 * ```ts
 * const registry = new StreamRegistry(false, host);     // a client: opens odd ids
 * const stream = registry.openLocal();                  // id 1
 * registry.checkRemoteId(2n);                           // 'open-new'
 * ```
 */
import { DataAndMoneyStream, type StreamHost } from '../stream/stream';

/** The max stream id each side allows before it has said otherwise (RFC 29 §3.3). */
export const DEFAULT_MAX_STREAM_ID = 20n;

/**
 * How many peer-stream ids closed out of order a registry remembers one by one before it gives up
 * the lowest ids the peer skipped (they then count as closed). Peers that open ids in order, as
 * every implementation does, never get near it; a peer that skips ids on purpose cannot make the
 * registry grow without bound.
 *
 * @example
 * ```ts
 * CLOSED_OUT_OF_ORDER_REMEMBERED; // 1024
 * ```
 */
export const CLOSED_OUT_OF_ORDER_REMEMBERED = 1024;

/** What a frame's stream id means on arrival. */
export type RemoteIdCheck = 'open' | 'open-new' | 'closed' | 'wrong-parity' | 'over-limit';

/** Tracks open streams, closed ids and both sides' stream-id limits. */
export class StreamRegistry {
  readonly streams = new Map<bigint, DataAndMoneyStream>();
  private nextLocalId: bigint;
  /**
   * Every peer-parity id below this that is not open counts as closed. It moves up over ids that
   * closed or are open, and stops at the first id the peer has not used, so for a peer that opens
   * ids in order `closedAbove` stays empty and a connection's memory does not grow with the
   * number of streams it has seen.
   */
  private closedBelow: bigint;
  /** Peer ids at or above `closedBelow` that closed: packets may open ids out of order. */
  private readonly closedAbove = new Set<bigint>();
  /** The largest id the peer may open; only grows. */
  localMaxStreamId: bigint;
  /** True when `localMaxStreamId` grew and the peer has not been told. */
  maxStreamIdChanged: boolean;
  /** The largest id we may open, as the peer advertised; only grows (E23). */
  remoteMaxStreamId = DEFAULT_MAX_STREAM_ID;

  /**
   * @param maxRemoteStreams - the most streams the peer may have open at once: our max stream id
   *   starts at twice it (20 for the default 10, RFC 29 §3.3) and grows by 2 as each peer stream
   *   closes, so a new one may open only when another has closed (E17).
   */
  constructor(
    readonly isServer: boolean,
    private readonly host: StreamHost,
    readonly maxRemoteStreams = 10,
  ) {
    this.nextLocalId = isServer ? 2n : 1n;
    this.closedBelow = isServer ? 1n : 2n;
    this.localMaxStreamId = 2n * BigInt(maxRemoteStreams);
    // The peer assumes 20 until told: a different limit rides on our next packet or reply.
    this.maxStreamIdChanged = this.localMaxStreamId !== DEFAULT_MAX_STREAM_ID;
  }

  /** Peer-stream ids remembered one by one as closed (for tests and memory checks). */
  get closedIdsRemembered(): number {
    return this.closedAbove.size;
  }

  /** Opens our next stream; beyond the peer's limit it waits in the sender until the limit grows. */
  openLocal(): DataAndMoneyStream {
    const stream = new DataAndMoneyStream(this.nextLocalId, this.host);
    this.streams.set(stream.id, stream);
    this.nextLocalId += 2n;
    return stream;
  }

  /** Classifies a stream id seen in a peer's frame. */
  checkRemoteId(id: bigint): RemoteIdCheck {
    if (this.streams.has(id)) return 'open';
    const isPeerParity = id !== 0n && (id % 2n === 0n) === !this.isServer;
    if (!isPeerParity) {
      // Our own parity: a stream we opened and closed, or one we never opened.
      return id !== 0n && id < this.nextLocalId ? 'closed' : 'wrong-parity';
    }
    if (id < this.closedBelow || this.closedAbove.has(id)) return 'closed';
    if (id > this.localMaxStreamId) return 'over-limit';
    return 'open-new';
  }

  /** Opens a stream the peer started; the caller got 'open-new' from `checkRemoteId`. */
  openRemote(id: bigint): DataAndMoneyStream {
    const stream = new DataAndMoneyStream(id, this.host);
    this.streams.set(id, stream);
    return stream;
  }

  /** True for ids of the peer's parity (even if we are the client, odd if we are the server). */
  isPeerStream(id: bigint): boolean {
    return (id % 2n === 0n) === !this.isServer;
  }

  /** Forgets a closed stream; a peer's stream closing makes room for another (RFC 29 §3.3). */
  remove(stream: DataAndMoneyStream): void {
    if (!this.streams.delete(stream.id)) return;
    if (this.isPeerStream(stream.id)) {
      if (stream.id >= this.closedBelow) this.closedAbove.add(stream.id);
      this.advanceClosedBelow();
      this.localMaxStreamId += 2n;
      this.maxStreamIdChanged = true;
    }
  }

  private advanceClosedBelow(): void {
    if (this.closedAbove.size > CLOSED_OUT_OF_ORDER_REMEMBERED) {
      // A peer skipping ids on purpose: the ids it skipped below the highest closed one are forfeit.
      let highest = this.closedBelow;
      for (const id of this.closedAbove) if (id > highest) highest = id;
      this.closedAbove.clear();
      this.closedBelow = highest + 2n;
    }
    // Open ids may be passed: `streams` is asked first, and once they close they are below the mark.
    for (;;) {
      const id = this.closedBelow;
      if (this.closedAbove.delete(id)) this.closedBelow = id + 2n;
      else if (this.streams.has(id)) this.closedBelow = id + 2n;
      else return;
    }
  }

  /** Applies a ConnectionMaxStreamId from the peer, ignoring smaller values (E23). */
  raiseRemoteMax(maxStreamId: bigint): void {
    if (maxStreamId > this.remoteMaxStreamId) this.remoteMaxStreamId = maxStreamId;
  }

  /** Open streams in ascending id order (money remainders go to the lowest id, RFC 29 §5.3.8). */
  sorted(): DataAndMoneyStream[] {
    return [...this.streams.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
