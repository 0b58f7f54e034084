/**
 * Connection-wide data flow control (RFC 29 §4.5), both directions: how many bytes the peer may
 * still send us on all streams together (our ConnectionMaxData) and how many we may still send it
 * (its ConnectionMaxData). Offsets count once: a byte re-sent after a reject does not count again.
 *
 * @example
 * ```ts
 * const windows = new DataWindows(1_048_576);
 * windows.applyRemoteLimit(65_534n);
 * windows.sendRoom;        // 65,534n bytes we may still send
 * windows.advertiseLimit(); // 1,048,576n: our ConnectionMaxData, now heard by the peer
 * ```
 */
import type { ConnectionDataContext } from './receiver';

/**
 * What the peer's ConnectionMaxData is assumed to be until it says: ilp-protocol-stream's default window.
 *
 * @example
 * ```ts
 * new DataWindows(1_048_576).sendRoom; // 65_534n until the peer's ConnectionMaxData says more
 * ```
 */
export const DEFAULT_REMOTE_CONNECTION_WINDOW = 65_534n;

/**
 * A connection's data windows.
 *
 * @example
 * ```ts
 * const windows = new DataWindows(1000);
 * windows.limit;            // 1000n: our ConnectionMaxData
 * windows.addConsumed(400); // consumers took 400 bytes
 * windows.limit;            // 1400n
 * windows.addSent(65_534n); // the peer's assumed limit is used up
 * windows.blockedAt(true);  // 65_534n: send ConnectionDataBlocked
 * windows.blockedAt(true);  // undefined: already reported at this limit
 * ```
 */
export class DataWindows implements ConnectionDataContext {
  private receivedBytes = 0n;
  private consumedBytes = 0n;
  private advertised: bigint;
  private remoteLimit = DEFAULT_REMOTE_CONNECTION_WINDOW;
  private sentBytes = 0n;
  private reportedBlockedAt: bigint | undefined;

  /** `window`: bytes the peer may send beyond what our consumers took. */
  constructor(private readonly window: number) {
    this.advertised = BigInt(window);
  }

  /** Σ over streams of the highest offset the peer reached. */
  get received(): bigint {
    return this.receivedBytes;
  }

  /** Our ConnectionMaxData: Σ consumed + the window. */
  get limit(): bigint {
    return this.consumedBytes + BigInt(this.window);
  }

  /** The limit, as it goes into a frame to the peer: from now on it is what the peer has heard. */
  advertiseLimit(): bigint {
    this.advertised = this.limit;
    return this.advertised;
  }

  /** True if the peer has less than one packet's worth of room under the limit it last heard. */
  nearlyBlocked(packetRoom: bigint): boolean {
    return this.advertised - this.receivedBytes < packetRoom;
  }

  addReceived(bytes: bigint): void {
    this.receivedBytes += bytes;
  }

  /** Our consumers took bytes: the limit moves. */
  addConsumed(bytes: number): void {
    this.consumedBytes += BigInt(bytes);
  }

  /** The peer's ConnectionMaxData; limits only grow, since frames may be reordered (29-4.4.4-c). */
  applyRemoteLimit(maxOffset: bigint): void {
    if (maxOffset > this.remoteLimit) this.remoteLimit = maxOffset;
  }

  /** The peer's ConnectionMaxData as we know it. */
  get remoteLimitValue(): bigint {
    return this.remoteLimit;
  }

  /** New bytes we may still send (29-5.3.3-a). */
  get sendRoom(): bigint {
    return this.remoteLimit > this.sentBytes ? this.remoteLimit - this.sentBytes : 0n;
  }

  /** New bytes went out (not re-sends). */
  addSent(bytes: bigint): void {
    this.sentBytes += bytes;
  }

  /** The ConnectionDataBlocked to send, once per limit, when bytes wait on the peer's limit. */
  blockedAt(waiting: boolean): bigint | undefined {
    if (!waiting || this.sendRoom > 0n || this.reportedBlockedAt === this.remoteLimit) return undefined;
    this.reportedBlockedAt = this.remoteLimit;
    return this.remoteLimit;
  }
}
