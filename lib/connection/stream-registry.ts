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

/** What a frame's stream id means on arrival. */
export type RemoteIdCheck = 'open' | 'open-new' | 'closed' | 'wrong-parity' | 'over-limit';

/** Tracks open streams, closed ids and both sides' stream-id limits. */
export class StreamRegistry {
  readonly streams = new Map<bigint, DataAndMoneyStream>();
  private nextLocalId: bigint;
  /** Peer-opened ids that closed; packets may arrive out of order, so a watermark would not do. */
  private readonly closedRemoteIds = new Set<bigint>();
  /** The largest id the peer may open; only grows. */
  localMaxStreamId = DEFAULT_MAX_STREAM_ID;
  /** True when `localMaxStreamId` grew and the peer has not been told. */
  maxStreamIdChanged = false;
  /** The largest id we may open, as the peer advertised; only grows (E23). */
  remoteMaxStreamId = DEFAULT_MAX_STREAM_ID;

  constructor(
    readonly isServer: boolean,
    private readonly host: StreamHost,
    private readonly raiseStep = 2n,
  ) {
    this.nextLocalId = isServer ? 2n : 1n;
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
    if (this.closedRemoteIds.has(id)) return 'closed';
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
      this.closedRemoteIds.add(stream.id);
      this.localMaxStreamId += this.raiseStep;
      this.maxStreamIdChanged = true;
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
