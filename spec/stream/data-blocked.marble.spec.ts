/**
 * Data flow control frame by frame (RFC 29 §4.4.4, 29-4.4.4-a, 29-4.4.4-e): when the peer's
 * StreamMaxData stops a sender, and how a reader that starts taking bytes starts it again.
 *
 * Whole connections in virtual time, as in spec/network/virtual-time-connection.spec.ts: the
 * in-memory network moves every packet with `timer(10, scheduler)`, and the cold `listen()` /
 * `connect()` stand in for the Promise forms. The common opening at latency 10: 0-20 the server's
 * IL-DCP, 20-40 the client's, 40-60 the handshake and rate probe; the client is open at 60.
 *
 * How packets are watched: the network's `onPrepare` hook sees every Prepare when it reaches the
 * connector, which is when it reaches the other end: one latency (10 frames) after it left. The
 * hook decrypts it with the connection's shared secret and, if it carries data frames
 * (StreamData, StreamMaxData, StreamDataBlocked, ConnectionMaxData, ConnectionDataBlocked),
 * records a label of them per direction. Probes and other packets carry none and are not recorded.
 *
 * The server's stream window is 32,739 bytes (the least allowed: one full packet); its connection
 * window 1,000,000. The client assumes a StreamMaxData of 16,384 until the server says.
 */
import { type Observable, Subject, concat, map, mergeMap, scan, share, shareReplay, switchMap, take } from 'rxjs';
import { type Context, marbles } from 'rxjs-marbles/jest';
import { type DataProgress, type Frame, FrameType, type StreamKeys, connect, createMemoryNetwork, decodePacket, deriveKeys, isIldcpRequest, listen } from '../../lib';
import { BLOCKED_PROBE_FIRST_MS, BLOCKED_PROBE_MAX_MS } from '../../lib/connection/send/blocked-probe';

const LATENCY = 10;
const STREAM_WINDOW = 32_739;
const CONNECTION_WINDOW = 1_000_000;

/**
 * When the blocked probes reach the server, per the sender's documented rule (lib/connection/sender.ts):
 * while bytes wait on the peer's limit and nothing is in flight, a packet of its own carrying
 * StreamDataBlocked leaves BLOCKED_PROBE_FIRST_MS after the last reply, then after each probe's
 * reply twice as long as the time before (at most BLOCKED_PROBE_MAX_MS). `lastReply` is the frame
 * the last reply before the first probe came back; probes that would leave at or after `until`
 * are not listed.
 */
function probeArrivals(lastReply: number, until: number): number[] {
  const arrivals: number[] = [];
  let delay = BLOCKED_PROBE_FIRST_MS;
  for (let leaves = lastReply + delay; leaves < until; leaves += 2 * LATENCY + delay) {
    arrivals.push(leaves + LATENCY);
    delay = Math.min(2 * delay, BLOCKED_PROBE_MAX_MS);
  }
  return arrivals;
}

/**
 * A marble diagram with `events` at their frames: one character each, a group where several share
 * a frame. Built from frame numbers so the diagrams below read as "what, when".
 */
function diagram(events: ReadonlyArray<readonly [number, string]>): string {
  const byFrame = new Map<number, string>();
  for (const [frame, char] of [...events].sort((a, b) => a[0] - b[0])) byFrame.set(frame, (byFrame.get(frame) ?? '') + char);
  let marble = '';
  let now = 0;
  for (const [frame, chars] of byFrame) {
    if (frame > now) marble += `${marble === '' ? '' : ' '}${frame - now}ms `;
    marble += chars.length > 1 ? `(${chars})` : chars;
    now = frame + (chars.length > 1 ? chars.length + 2 : 1);
  }
  return marble;
}

/** How a label treats StreamDataBlocked: listed, or left out of packets that carry bytes anyway. */
type Labelling = 'all' | 'bytes-first';

function label(frames: readonly Frame[], labelling: Labelling): string {
  const parts: string[] = [];
  const hasBytes = frames.some((f) => f.type === FrameType.StreamData);
  for (const f of frames) {
    if (f.type === FrameType.StreamData) parts.push(`data ${f.offset}..${f.offset + BigInt(f.data.length)}`);
    else if (f.type === FrameType.StreamDataBlocked && (labelling === 'all' || !hasBytes)) parts.push(`blocked ${f.maxOffset}`);
    else if (f.type === FrameType.StreamMaxData) parts.push(`max ${f.maxOffset}`);
    else if (f.type === FrameType.ConnectionMaxData) parts.push(`connection max ${f.maxOffset}`);
    else if (f.type === FrameType.ConnectionDataBlocked) parts.push(`connection blocked ${f.maxOffset}`);
  }
  return parts.join(', ');
}

function scenario(m: Context, labelling: Labelling) {
  const scheduler = m.scheduler;
  const network = createMemoryNetwork({ latency: LATENCY, scheduler });
  let keys: StreamKeys | undefined;
  const upstream = new Subject<string>();
  const downstream = new Subject<string>();
  network.setOnPrepare((prepare, direction) => {
    if (isIldcpRequest(prepare) || !keys) return undefined;
    const text = label(decodePacket(keys.decrypt(prepare.data)).frames, labelling);
    if (text !== '') (direction === 'clientToServer' ? upstream : downstream).next(text);
    return undefined;
  });
  const start = m.cold('a');
  const server$ = start.pipe(
    switchMap(() => listen({ plugin: network.server, scheduler, streamReceiveWindow: STREAM_WINDOW, connectionReceiveWindow: CONNECTION_WINDOW })),
    share(),
  );
  const connection$ = server$.pipe(
    take(1),
    switchMap((server) => {
      const credentials = server.generateAddressAndSecret();
      keys = deriveKeys(credentials.sharedSecret);
      return connect({ plugin: network.client, ...credentials, scheduler });
    }),
    share(),
  );
  /** Keeps the client connection open (see send-pipeline.marble.spec.ts) and pins when it opened. */
  const state$ = connection$.pipe(switchMap((connection) => connection.state$));
  /** The server's side of the client's stream, replayed to late subscribers. */
  const serverStream$ = server$.pipe(
    switchMap((server) => server.connections$),
    mergeMap((connection) => connection.streams$),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  return { start, connection$, state$, serverStream$, upstream: upstream.asObservable(), downstream: downstream.asObservable() };
}

const progress = (sent: number, acknowledged: number, length: number): DataProgress => ({ sent, acknowledged, length });

describe('StreamDataBlocked and StreamMaxData in virtual time (latency 10, server stream window 32,739)', () => {
  it(
    '29-4.4.4-e: the sender fills the window, one StreamDataBlocked rides along with the bytes that reach the limit, then no bytes leave, only blocked probes',
    marbles((m) => {
      const { start, connection$, state$, serverStream$, upstream, downstream } = scenario(m, 'all');
      // 60: 100 bytes (the client still assumes 16,384); 70: at the server, whose reply (at the
      // client at 80) says StreamMaxData 32,739. 80: the next 50,000 bytes: 32,639 fit, which
      // reaches the limit: that packet says StreamDataBlocked 32,739 (at the server at 90).
      // No subscriber ever takes the bytes, so the limit never moves and no more bytes leave; from
      // the reply at 100 on, only the blocked probes (StreamDataBlocked alone, in packets of their
      // own) ask again: at the server at 115, 145, 185, 245 and 345.
      const progress$: Observable<DataProgress> = connection$.pipe(
        take(1),
        switchMap((connection) => {
          const stream = connection.createStream();
          return concat(stream.sendData(Buffer.alloc(100, 1)), stream.sendData(Buffer.alloc(50_000, 2)));
        }),
      );
      m.expect(serverStream$.pipe(map((s) => s.id)), '^ 499ms !').toBeObservable('70ms a', { a: 1n });
      const probes = probeArrivals(100, 500).map((frame) => [frame, 'p'] as const);
      expect(probes.map(([frame]) => frame)).toEqual([115, 145, 185, 245, 345]);
      m.expect(upstream, '^ 499ms !').toBeObservable(diagram([[70, 'a'], [90, 'b'], ...probes]), {
        a: 'data 0..100',
        b: 'data 100..32739, blocked 32739',
        p: 'blocked 32739',
      });
      m.expect(downstream, '^ 499ms !').toBeObservable('');
      m.expect(progress$, '^ 499ms !').toBeObservable('60ms a 19ms (bc) 16ms d', {
        a: progress(100, 0, 100),
        b: progress(100, 100, 100),
        c: progress(32_639, 0, 50_000),
        d: progress(32_639, 32_639, 50_000),
      });
      m.expect(state$, '^ 499ms !').toBeObservable('60ms o', { o: 'open' });
      m.expect(start).toHaveSubscriptions('^ 499ms !');
    }),
  );

  it(
    '29-4.4.4-a: a reader subscribing at frame 300 sends StreamMaxData in a packet of its own at 300; it reaches the sender at 310 and the bytes resume',
    marbles((m) => {
      const { start, connection$, state$, serverStream$, upstream, downstream } = scenario(m, 'bytes-first');
      const reader = m.cold('300ms r');
      const progress$ = connection$.pipe(
        take(1),
        switchMap((connection) => connection.createStream().sendData(Buffer.alloc(50_000, 3))),
      );
      /** What the server's reader has taken, in total, per emission. */
      const read$ = reader.pipe(
        switchMap(() => serverStream$),
        switchMap((stream) => stream.data$),
        scan((total, chunk) => total + chunk.length, 0),
      );

      // Before the reader: 60: 16,384 bytes (the assumed limit), at the server at 70; its reply
      // (80) says 32,739: the next 16,355 leave at 80, at the server at 90; then the window is full.
      // 300: the reader takes the 32,739 bytes held (two segments). The sender is blocked, so the
      // new limits (32,739 + 32,739 = 65,478; the connection's 32,739 + 1,000,000) go out in a
      // packet of their own at 300 (at the client at 310). 310: the last 17,261 bytes leave (at
      // the server at 320), are read at once, and the sender still looks nearly blocked, so the
      // next limits (50,000 + 32,739) again go in a packet of their own at 320 (at the client at
      // 330). 330: the reply to the last bytes completes sendData. Meanwhile, from the reply at
      // 100 on, the blocked sender probes (at the server at 115, 145, 185 and 245; the next would
      // leave at 335, when nothing waits any more).
      const probes = probeArrivals(100, 300).map((frame) => [frame, 'p'] as const);
      expect(probes.map(([frame]) => frame)).toEqual([115, 145, 185, 245]);
      m.expect(serverStream$.pipe(map((s) => s.id)), '^ 499ms !').toBeObservable('70ms a', { a: 1n });
      m.expect(upstream, '^ 499ms !').toBeObservable(diagram([[70, 'a'], [90, 'b'], ...probes, [320, 'c']]), {
        a: 'data 0..16384',
        b: 'data 16384..32739',
        p: 'blocked 32739',
        c: 'data 32739..50000',
      });
      m.expect(downstream, '^ 499ms !').toBeObservable('310ms m 19ms n', {
        m: 'max 65478, connection max 1032739',
        n: 'max 82739, connection max 1050000',
      });
      m.expect(read$, '^ 499ms !').toBeObservable('300ms (ab) 16ms c', { a: 16_384, b: 32_739, c: 50_000 });
      m.expect(progress$, '^ 499ms !').toBeObservable('60ms a 19ms (bc) 16ms d 209ms e 19ms (f|)', {
        a: progress(16_384, 0, 50_000),
        b: progress(16_384, 16_384, 50_000),
        c: progress(32_739, 16_384, 50_000),
        d: progress(32_739, 32_739, 50_000),
        e: progress(50_000, 32_739, 50_000),
        f: progress(50_000, 50_000, 50_000),
      });
      m.expect(reader).toHaveSubscriptions('^ 499ms !');
      m.expect(state$, '^ 499ms !').toBeObservable('60ms o', { o: 'open' });
      m.expect(start).toHaveSubscriptions('^ 499ms !');
    }),
  );
});
