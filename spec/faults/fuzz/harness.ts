/**
 * A real STREAM server on a fake plugin, driven synchronously: the fuzzer hands serialized ILP
 * Prepares straight to the server's registered data handler and gets the serialized reply back in
 * the same call (the server registers an Observable handler on an ObservablePlugin and answers
 * synchronously), so 100,000 Prepares cost only their crypto and codec work.
 *
 * The harness also plays the application and the network, and keeps score through the public API:
 * - every connection and stream is observed; streams whose id is 3 mod 4 get a receive max of
 *   {@link LIMITED_RECEIVE_MAX} (so the fuzzer can aim money above it, E19);
 * - `credited` sums every amount emitted on any stream's `money$`;
 * - every `data$` chunk is checked against {@link contentByte}, in order and exactly once;
 * - Prepares the server sends on its own (to an address a session announced) are answered as an
 *   honest client would: a Fulfill echoing the sequence.
 *
 * @example
 * ```ts
 * const harness = await startHarness();
 * const reply = harness.deliver(serializeIlpPrepare(prepare)); // serialized Fulfill or Reject
 * harness.credited; // bigint
 * await harness.stop();
 * ```
 */
import { NEVER, Observable, VirtualTimeScheduler, of } from 'rxjs';
import {
  createServer,
  decodePacket,
  deserializeIlpPrepare,
  encodePacket,
  ildcpResponse,
  isIldcpRequest,
  IlpPacketType,
  rejectF02,
  rejectF06,
  rejectF99,
  serializeIlpReply,
  type Connection,
  type DataAndMoneyStream,
  type ObservableDataHandler,
  type ObservablePlugin,
  type Server,
  type StreamKeys,
} from '../../../lib';

/** The receive max the harness application sets on streams whose id is 3 mod 4. */
export const LIMITED_RECEIVE_MAX = 5_000n;

/** The server's address and asset, as its fake parent tells it over IL-DCP. */
export const SERVER_ACCOUNT = 'test.fuzz.server';
export const SERVER_ASSET = { code: 'FZZ', scale: 6 } as const;

/** The connection tag of sessions that send random plaintext (their data is not checked). */
export const CHAOS_TAG = 'chaos';

/**
 * True for the stream ids the harness application limits.
 *
 * @example
 * ```ts
 * isLimitedStream(3n); // true
 * isLimitedStream(5n); // false
 * ```
 */
export function isLimitedStream(id: bigint): boolean {
  return id % 4n === 3n;
}

/**
 * The byte an honest fuzz client sends at `offset` of stream `id`: a fixed function, so any
 * re-send or overlap it makes is byte-identical and any delivery can be checked.
 *
 * @example
 * ```ts
 * contentByte(1n, 0n); // 13
 * contentByte(1n, 1n); // 20
 * ```
 */
export function contentByte(id: bigint, offset: bigint): number {
  return contentByteAt(Number(id & 0xffn), Number(offset & 0xffff_ffffn));
}

/**
 * {@link contentByte} on plain numbers (the low 8 bits of the id, the low 32 bits of the offset), for loops over bytes.
 *
 * @example
 * ```ts
 * contentByteAt(1, 1); // 20, as contentByte(1n, 1n)
 * ```
 */
export function contentByteAt(idLow: number, offsetLow: number): number {
  return (offsetLow * 7 + idLow * 13 + Math.floor(offsetLow / 256)) & 0xff;
}

/** What the harness sees of one live server connection. */
export interface ObservedConnection {
  readonly connection: Connection;
  /** Streams the client opened, by id. */
  readonly streams: Map<bigint, DataAndMoneyStream>;
  /** Bytes delivered on each stream's data$ so far. */
  readonly delivered: Map<bigint, bigint>;
}

/** Whether the server made a connection for a token, and whether it is still open. */
export type ConnectionStatus = 'live' | 'closed' | undefined;

/** How many closed tokens the harness remembers (the fuzzer only revisits its last few). */
const CLOSED_TOKENS_KEPT = 4096;

/** The running harness. */
export interface Harness {
  readonly server: Server;
  readonly scheduler: VirtualTimeScheduler;
  /** Hands one serialized packet to the server's data handler; returns its serialized reply. */
  deliver(bytes: Buffer): Buffer;
  /** Whether the server made a connection for a token (by its address), and if it is open. */
  connectionStatus(token: string): ConnectionStatus;
  /** Connections not yet closed. */
  readonly liveConnections: number;
  /** Every amount emitted on any stream's money$. */
  readonly credited: bigint;
  /** The connections' own `totals.received`, summed over all of them (closed ones at their close). */
  totalsReceived(): bigint;
  /** Bytes held, not yet read, summed over all open streams (incoming reassembly buffers). */
  bufferedBytes(): number;
  /** Problems the harness found on its own (data$ corruption, a second handler, ...). */
  readonly problems: string[];
  /** Ids of the streams the client opened on the live connection of a token. */
  streamIds(token: string): bigint[];
  /** Calls `watcher` with each stream a client opens from now on, synchronously as it is announced. */
  watchStreams(watcher: (token: string, stream: DataAndMoneyStream) => void): void;
  /** Lets a session be answered when the server sends to `address`. */
  registerClientAddress(address: string, keys: StreamKeys): void;
  /** Advances virtual time, running whatever timers come due (idle timeouts, retries). */
  advance(ms: number): void;
  stop(): Promise<void>;
}

/**
 * Starts a server on a fake synchronous plugin, with a virtual clock that only moves when told.
 *
 * @example
 * ```ts
 * const harness = await startHarness();
 * ```
 */
export async function startHarness(): Promise<Harness> {
  const scheduler = new VirtualTimeScheduler();
  const clients = new Map<string, StreamKeys>();
  const observed = new Map<string, ObservedConnection>();
  const closedTokens = new Set<string>();
  const watchers: Array<(token: string, stream: DataAndMoneyStream) => void> = [];
  const problems: string[] = [];
  let handler: ObservableDataHandler | undefined;
  let credited = 0n;
  let receivedByClosed = 0n;

  const plugin: ObservablePlugin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    isConnected: () => true,
    sendData: () => Promise.reject(new Error('the fuzz plugin only speaks Observables')),
    registerDataHandler: () => {
      throw new Error('the fuzz plugin expects an Observable handler');
    },
    deregisterDataHandler: () => (handler = undefined),
    registerObservableDataHandler: (h) => {
      if (handler) problems.push('a second data handler was registered');
      handler = h;
    },
    sendDataObservable: (data) => answerServerPacket(data, clients),
  };

  const server = await createServer({ plugin, scheduler, serverSecret: Buffer.alloc(32, 7) });
  // Per-connection subscriptions end by themselves: every Observable of a connection completes or
  // errors when it closes. Only closed entries are dropped, so the harness itself stays bounded.
  const connections = server.connections$.subscribe((connection) => {
    const token = connection.sourceAccount.slice(SERVER_ACCOUNT.length + 1);
    const entry: ObservedConnection = { connection, streams: new Map(), delivered: new Map() };
    if (observed.has(token)) problems.push(`a second live connection for token ${token}`);
    observed.set(token, entry);
    const markClosed = (): void => {
      if (observed.get(token) !== entry) return;
      observed.delete(token);
      receivedByClosed += connection.totals.received;
      closedTokens.add(token);
      if (closedTokens.size > CLOSED_TOKENS_KEPT) closedTokens.delete(closedTokens.values().next().value as string);
    };
    connection.state$.subscribe({ next: (state) => state === 'closed' && markClosed(), error: markClosed, complete: markClosed });
    connection.streams$.subscribe({
      next: (stream) => {
        watchStream(entry, stream);
        for (const watcher of watchers) watcher(token, stream);
      },
      error: () => undefined,
    });
  });

  function watchStream(entry: ObservedConnection, stream: DataAndMoneyStream): void {
    if (isLimitedStream(stream.id)) stream.setReceiveMax(LIMITED_RECEIVE_MAX);
    entry.streams.set(stream.id, stream);
    entry.delivered.set(stream.id, 0n);
    stream.money$.subscribe({
      next: (amount) => {
        if (amount <= 0n) problems.push(`stream ${stream.id} emitted a non-positive amount ${amount}`);
        credited += amount;
      },
      error: () => undefined,
    });
    // Chaos sessions send random bytes; only honest sessions' data has a known content.
    if (entry.connection.connectionTag === CHAOS_TAG) return;
    stream.data$.subscribe({
      next: (chunk) => {
        const start = entry.delivered.get(stream.id) ?? 0n;
        const idLow = Number(stream.id & 0xffn);
        const startLow = Number(start & 0xffff_ffffn);
        for (let i = 0; i < chunk.length; i++) {
          if (chunk[i] !== contentByteAt(idLow, startLow + i)) {
            problems.push(`stream ${stream.id} of ${entry.connection.sourceAccount} delivered a wrong byte at offset ${start + BigInt(i)}`);
            break;
          }
        }
        entry.delivered.set(stream.id, start + BigInt(chunk.length));
      },
      error: () => undefined,
    });
  }

  return {
    server,
    scheduler,
    problems,
    deliver(bytes) {
      if (!handler) throw new Error('the server has no data handler');
      let reply: Buffer | undefined;
      let replies = 0;
      handler(bytes)
        .subscribe((answer) => {
          reply = answer;
          replies += 1;
        })
        .unsubscribe();
      if (replies !== 1 || !reply) throw new Error(`the server answered ${replies} times synchronously (expected exactly once)`);
      return reply;
    },
    connectionStatus: (token) => (observed.has(token) ? 'live' : closedTokens.has(token) ? 'closed' : undefined),
    get liveConnections() {
      return observed.size;
    },
    totalsReceived() {
      let total = receivedByClosed;
      for (const entry of observed.values()) total += entry.connection.totals.received;
      return total;
    },
    get credited() {
      return credited;
    },
    bufferedBytes() {
      let total = 0;
      for (const entry of observed.values()) {
        for (const stream of entry.streams.values()) total += stream.incoming.bufferedBytes;
      }
      return total;
    },
    streamIds: (token) => [...(observed.get(token)?.streams.keys() ?? [])],
    watchStreams: (watcher) => void watchers.push(watcher),
    registerClientAddress: (address, keys) => void clients.set(address, keys),
    advance(ms) {
      scheduler.maxFrames = scheduler.frame + ms;
      scheduler.flush();
      scheduler.frame = scheduler.maxFrames;
    },
    async stop() {
      await server.close();
      connections.unsubscribe();
      // Whatever the close left on the virtual clock (e.g. the IL-DCP timeout) is dropped, not run.
      for (const action of [...scheduler.actions]) action.unsubscribe();
    },
  };
}

/**
 * The network beyond the server: IL-DCP gets its answer; a Prepare to an address a session
 * announced is answered by that session as an honest client would (fulfilled if its condition is
 * the STREAM one, an authentic F99 if not), echoing the sequence (RFC 29 §5.2); anything else is F02.
 */
function answerServerPacket(data: Buffer, clients: ReadonlyMap<string, StreamKeys>): Observable<Buffer> {
  let prepare;
  try {
    prepare = deserializeIlpPrepare(data);
  } catch {
    return NEVER;
  }
  if (isIldcpRequest(prepare)) {
    return of(serializeIlpReply(ildcpResponse({ clientAddress: SERVER_ACCOUNT, assetCode: SERVER_ASSET.code, assetScale: SERVER_ASSET.scale })));
  }
  const keys = clients.get(prepare.destination);
  if (!keys) return of(serializeIlpReply(rejectF02('', 'test.fuzz')));
  let sequence: bigint;
  try {
    sequence = decodePacket(keys.decrypt(prepare.data)).sequence;
  } catch {
    return of(serializeIlpReply(rejectF06('', 'test.fuzz')));
  }
  const fulfillment = keys.fulfillment(prepare.data);
  const fulfill = keys.condition(prepare.data).equals(prepare.executionCondition);
  const ilpPacketType = fulfill ? IlpPacketType.Fulfill : IlpPacketType.Reject;
  const reply = keys.encrypt(encodePacket({ sequence, ilpPacketType, prepareAmount: prepare.amount, frames: [] }));
  return of(serializeIlpReply(fulfill ? { type: IlpPacketType.Fulfill, fulfillment, data: reply } : rejectF99(reply, '', 'test.fuzz')));
}
