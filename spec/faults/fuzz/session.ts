/**
 * The fuzzer's own model of one client connection to the server under test: the credentials, the
 * streams it opened and closed, the money its limited streams received, how far it sent data, its
 * asset details. The model is written from RFC 29 and the project's recorded decisions, never read
 * back from the server, so predictions made from it are an independent oracle.
 *
 * @example
 * ```ts
 * const session = new Session(harness.server.generateAddressAndSecret(), 'live');
 * session.maxStreamId; // 20n until the client closes some of its streams
 * ```
 */
import { deriveKeys, type AddressAndSecret, type StreamKeys } from '../../../lib';
import { SERVER_ACCOUNT } from './harness';

/** What the model knows about one client stream. */
export interface StreamModel {
  readonly id: bigint;
  closed: boolean;
  /** Money credited to it. */
  received: bigint;
  /** The highest offset + length of data sent in a fulfilled packet. */
  dataEnd: bigint;
  /** Bytes from 0 sent in fulfilled packets without a gap (a lower bound: later bytes may fill more). */
  contiguous: bigint;
  /** Segments sent ahead of a gap since the gap opened; kept small so the server holds few segments. */
  ahead: number;
}

/** A packet the model predicted, kept so it can be replayed byte for byte (E7). */
export interface SentPacket {
  readonly bytes: Buffer;
  readonly spec: import('./packet-spec').PacketSpec;
}

/** `live`: frames are predicted exactly; `chaos`: random plaintext, only consistency is checked. */
export type SessionKind = 'live' | 'chaos';

/**
 * One client of the server, as the fuzzer models it.
 *
 * @example
 * ```ts
 * const session = new Session(server.generateAddressAndSecret(), 'live', 1);
 * session.newStreamIds(); // [1n, 3n, ..., 19n]
 * ```
 */
export class Session {
  readonly keys: StreamKeys;
  readonly destination: string;
  readonly token: string;
  readonly sharedSecret: Buffer;
  nextSequence = 1n;
  readonly streams = new Map<bigint, StreamModel>();
  /** Client streams closed by a StreamClose the server applied. */
  closedStreams = 0n;
  /** The server connection ended (our violation, our ConnectionClose). */
  closed = false;
  asset: { readonly code: string; readonly scale: number } | undefined;
  /** Recent packets with a prediction, for replays. */
  readonly sent: SentPacket[] = [];

  constructor(
    credentials: AddressAndSecret,
    readonly kind: SessionKind,
    /** A distinct number for the session's own address (for ConnectionNewAddress). */
    readonly number: number,
  ) {
    this.destination = credentials.destinationAccount;
    this.sharedSecret = credentials.sharedSecret;
    this.token = credentials.destinationAccount.slice(SERVER_ACCOUNT.length + 1);
    this.keys = deriveKeys(credentials.sharedSecret);
  }

  /** The client's ILP address, if it announces one. */
  get address(): string {
    return `test.fuzz.client.s${this.number}`;
  }

  /** The largest client stream id the server allows: 20 by default, +2 per closed client stream (29-3.3-b/c). */
  get maxStreamId(): bigint {
    return 20n + 2n * this.closedStreams;
  }

  /** Ids of open streams. */
  openStreamIds(): bigint[] {
    return [...this.streams.values()].filter((s) => !s.closed).map((s) => s.id);
  }

  /** Ids the server would accept as new client streams (odd, unused, within the limit). */
  newStreamIds(): bigint[] {
    const ids: bigint[] = [];
    for (let id = 1n; id <= this.maxStreamId; id += 2n) if (!this.streams.has(id)) ids.push(id);
    return ids;
  }

  /** Ids of streams the client closed. */
  closedStreamIds(): bigint[] {
    return [...this.streams.values()].filter((s) => s.closed).map((s) => s.id);
  }

  /** Remembers a sent packet for later replays, keeping only the last few. */
  remember(packet: SentPacket): void {
    this.sent.push(packet);
    if (this.sent.length > 6) this.sent.shift();
  }
}
