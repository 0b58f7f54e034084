/**
 * What the connector and its ports share: the port contract, who waits for a reply, and the
 * record of one Prepare in flight. Its own module, below the connector, so that the ports and the
 * connector's fault path can name these without importing the connector itself.
 *
 * @example
 * ```ts
 * class MyPort implements ConnectorPort {
 *   readonly inFlight = new Set<InFlightPrepare>();
 *   // ...
 * }
 * ```
 */
import type { IlpPacketType } from '../wire/types';
import type { Direction } from './direction';
import type { MemoryNetworkEnd } from './options';
import type { DirectionStats } from './stats';

/**
 * One side of the connector: where its Prepares come from and how to hand it the other side's.
 * The memory network's ports are its two plugins' ends; the BTP network's are its two listeners.
 *
 * @example
 * ```ts
 * const end: ConnectorPort = new MemoryEnd('client', 'clientToServer', DEFAULT_CLIENT_END);
 * ```
 */
export interface ConnectorPort {
  /** Which side this is. */
  readonly name: 'client' | 'server';
  /** The direction of the Prepares this side sends. */
  readonly direction: Direction;
  /** Address and asset, as IL-DCP reports them. */
  readonly config: MemoryNetworkEnd;
  /** Counters for the Prepares this side sends. */
  readonly stats: DirectionStats;
  /** The serialized IL-DCP Fulfill for this side. */
  readonly ildcpReply: Buffer;
  /** Prepares this side sent that are still waiting for their reply. */
  readonly inFlight: Set<InFlightPrepare>;
  /** Why a Prepare cannot be handed to this side now (answered T01), or undefined if it can. */
  unreachable(): string | undefined;
  /**
   * Hands a forwarded Prepare to this side and reports its serialized reply to `listener`: the
   * first `next` is the answer; `error`, a throw or `complete` without a value is answered T00,
   * naming this side. Callbacks rather than an Observable, so a Promise handler's reply costs no
   * Observable on the hot path; an Observable handler simply subscribes `listener`.
   */
  deliver(bytes: Buffer, listener: ReplyListener): void;
}

/**
 * Who waits for a reply: a `Subscriber`, or plain callbacks (the Promise API skips building an
 * Observable just to resolve a promise).
 *
 * @example
 * ```ts
 * const listener: ReplyListener = { next: resolve, error: reject, complete: () => undefined };
 * ```
 */
export interface ReplyListener {
  next(reply: Buffer): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * One Prepare on its way through the network, and later its reply. Internal to the connector.
 *
 * @example
 * ```ts
 * const packet = new InFlightPrepare(from, to, bytes, listener);
 * from.inFlight.add(packet);
 * ```
 */
export class InFlightPrepare {
  reply: Buffer | undefined;
  counted = false;
  sourceAmount = 0n;
  destinationAmount = 0n;
  expiresAtMs = 0;
  condition: Buffer | undefined;
  /** With faults: whether a copy reached the other end, the money trail's hook, and how to stop the run. */
  deliveredOnce = false;
  seen: ((type: IlpPacketType) => void) | undefined;
  cancel: (() => void) | undefined;
  constructor(
    readonly from: ConnectorPort,
    readonly to: ConnectorPort,
    readonly bytes: Buffer,
    /** Who waits for the reply; cleared when it stops waiting, while the packet travels on. */
    public listener: ReplyListener | undefined,
  ) {}
}
