/**
 * Issue 6, "limits": every resource bound a server or connection keeps, one test each, citing
 * RFC sections and checklist ids (shared/research/spec-checklist.md). Idle cleanup runs in virtual
 * time on the TestScheduler (no real waiting); the rest drives a server with raw STREAM packets
 * (spec/faults/flood/raw-peer.ts) or a real client over the in-memory network.
 */
import { catchError, concatMap, firstValueFrom, lastValueFrom, map, of, pairwise, share, switchMap, take, tap, timer } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  CONNECTION_DEFAULTS,
  ErrorCode,
  FrameType,
  IlpPacketType,
  connect,
  createConnection,
  createMemoryNetwork,
  createServer,
  isConnectionError,
  listen,
  type Connection,
  type Frame,
  type StreamPacket,
} from '../../lib';
import { MAX_PACKET_SEQUENCE } from '../../lib/connection/receiver';
import { CLOSED_OUT_OF_ORDER_REMEMBERED, StreamRegistry } from '../../lib/connection/stream-registry';
import { DEFAULT_MAX_CONNECTIONS } from '../../lib/server';
import { IncomingData, MERGED_SEGMENT_BYTES, heldSegmentLimit } from '../../lib/stream/incoming-data';
import type { StreamHost } from '../../lib/stream/stream';
import { closeFrame, helloFrames, moneyFrame, rawCredentials, sendRawPacket, type RawCredentials } from './flood/raw-peer';

jest.setTimeout(20_000);

async function rawServer(options: Parameters<typeof createServer>[0] extends infer O ? Omit<O, 'plugin'> : never = {}) {
  const network = createMemoryNetwork();
  const server = await createServer({ plugin: network.server, ...options });
  await network.client.connect();
  const opened: Connection[] = [];
  server.connections$.subscribe((c) => opened.push(c));
  const open = async (): Promise<RawCredentials> => {
    const credentials = rawCredentials(server.generateAddressAndSecret());
    const { reply } = await sendRawPacket(network.client, credentials, { sequence: 1n, frames: helloFrames('test.memory.client') });
    expect(reply.type).toBe(IlpPacketType.Fulfill);
    return credentials;
  };
  return { network, server, opened, open };
}

const connectionClose = (packet: StreamPacket | undefined) => packet?.frames.find((f): f is Extract<Frame, { type: FrameType.ConnectionClose }> => f.type === FrameType.ConnectionClose);

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 1_048_576, dataConsumed: () => undefined };

describe('limits: max open connections per server (RFC 27 §3.3 T03)', () => {
  it('beyond maxConnections a new connection gets T03 and leaves no state; existing ones work; a close frees the slot', async () => {
    const { network, server, opened, open } = await rawServer({ maxConnections: 2 });
    const first = await open();
    await open();
    const third = rawCredentials(server.generateAddressAndSecret());
    const refused = await sendRawPacket(network.client, third, { sequence: 1n, frames: helloFrames('test.memory.client') });
    expect(refused.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'T03', triggeredBy: server.serverAccount });
    expect(refused.packet).toBeUndefined(); // no STREAM reply: nothing was set up to make one
    expect(opened).toHaveLength(2);
    expect(server.stats).toMatchObject({ open: 2, opened: 2, refused: 1, closed: 0 });

    // The admitted keep working while the server is full.
    const paid = await sendRawPacket(network.client, first, { sequence: 2n, amount: 100n, frames: [moneyFrame(1n)] });
    expect(paid.reply.type).toBe(IlpPacketType.Fulfill);
    expect(opened[0]?.totals.received).toBe(100n);

    // One closes: its slot is free at once, and the refused client gets in on its retry.
    await sendRawPacket(network.client, first, { sequence: 3n, frames: [closeFrame()] });
    expect(server.connectionCount).toBe(1);
    const retried = await sendRawPacket(network.client, third, { sequence: 2n, frames: helloFrames('test.memory.client') });
    expect(retried.reply.type).toBe(IlpPacketType.Fulfill);
    expect(server.stats).toMatchObject({ open: 2, opened: 3, refused: 1, closed: 1 });
    await server.close();
  });

  it('the default is 10,000 and the option is validated', async () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(10_000);
    const network = createMemoryNetwork();
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '10' as unknown as number]) {
      await expect(createServer({ plugin: network.server, maxConnections: bad })).rejects.toThrow(/maxConnections/);
    }
  });
});

describe('limits: max concurrent peer streams (RFC 29 §3.3, 29-3.3-c, E17)', () => {
  it('maxRemoteStreams sets the advertised max stream id; a stream past it closes the connection with StreamIdError; a closed stream makes room', async () => {
    const { network, server, opened } = await rawServer({ maxRemoteStreams: 2 });
    const client = rawCredentials(server.generateAddressAndSecret());
    const hello = await sendRawPacket(network.client, client, { sequence: 1n, frames: helloFrames('test.memory.client') });
    expect(hello.packet?.frames).toContainEqual({ type: FrameType.ConnectionMaxStreamId, maxStreamId: 4n });
    const two = await sendRawPacket(network.client, client, { sequence: 2n, amount: 10n, frames: [moneyFrame(1n), moneyFrame(3n)] });
    expect(two.reply.type).toBe(IlpPacketType.Fulfill);
    // Stream 1 closes: the limit rises by 2 (the server advertises it on its next packet or reply).
    await sendRawPacket(network.client, client, { sequence: 3n, frames: [{ type: FrameType.StreamClose, streamId: 1n, errorCode: ErrorCode.NoError, errorMessage: '' }] });
    expect(opened[0]?.registry.localMaxStreamId).toBe(6n);
    expect((await sendRawPacket(network.client, client, { sequence: 4n, amount: 10n, frames: [moneyFrame(5n)] })).reply.type).toBe(IlpPacketType.Fulfill);
    // 3 and 5 are open: a third concurrent stream is over the limit.
    const over = await sendRawPacket(network.client, client, { sequence: 5n, amount: 10n, frames: [moneyFrame(7n)] });
    expect(over.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(connectionClose(over.packet)?.errorCode).toBe(ErrorCode.StreamIdError);
    expect(opened[0]?.state).toBe('closed');
    expect(server.connectionCount).toBe(0);
    await server.close();
  });

  it('defaults to 10 (max stream id 20), validated', async () => {
    expect(CONNECTION_DEFAULTS.maxRemoteStreams).toBe(10);
    expect(new StreamRegistry(true, host).localMaxStreamId).toBe(20n);
    const network = createMemoryNetwork();
    for (const bad of [0, 2.5, -3]) {
      await expect(createServer({ plugin: network.server, maxRemoteStreams: bad })).rejects.toThrow(/maxRemoteStreams/);
    }
  });

  it('E18: closed peer-stream ids cost no memory for a peer that opens them in order, and bounded memory for one that skips ids', () => {
    const inOrder = new StreamRegistry(true, host);
    for (let id = 1n; id < 20_000n; id += 2n) inOrder.remove(inOrder.openRemote(id));
    expect(inOrder.closedIdsRemembered).toBe(0);
    expect(inOrder.checkRemoteId(1n)).toBe('closed');
    expect(inOrder.checkRemoteId(19_999n)).toBe('closed');
    expect(inOrder.checkRemoteId(20_001n)).toBe('open-new');

    // A peer that never opens id 1 and closes everything else out of the watermark's reach.
    const skipping = new StreamRegistry(true, host);
    for (let id = 3n; id < 20_000n; id += 2n) {
      skipping.remove(skipping.openRemote(id));
      expect(skipping.closedIdsRemembered).toBeLessThanOrEqual(CLOSED_OUT_OF_ORDER_REMEMBERED);
    }
    expect(skipping.checkRemoteId(19_999n)).toBe('closed');
    expect(skipping.checkRemoteId(1n)).toBe('closed'); // forfeited once the list overflowed

    // Open streams below the mark stay open, and count as closed once they close.
    const mixed = new StreamRegistry(true, host);
    const long = mixed.openRemote(1n);
    for (let id = 3n; id < 200n; id += 2n) mixed.remove(mixed.openRemote(id));
    expect(mixed.closedIdsRemembered).toBe(0);
    expect(mixed.checkRemoteId(1n)).toBe('open');
    mixed.remove(long);
    expect(mixed.checkRemoteId(1n)).toBe('closed');
  });
});

describe('limits: buffered data per stream and per connection (29-4.4.4-d, 29-4.5-b, E20, E21)', () => {
  it('held out-of-order and unread bytes together never exceed the stream window', () => {
    const window = 40_000;
    const incoming = new IncomingData(window);
    // Out of order first, then in order, nobody reading.
    expect(incoming.check(20_000n, Buffer.alloc(20_000, 1))).toBeUndefined();
    incoming.accept(20_000n, Buffer.alloc(20_000, 1));
    expect(incoming.check(0n, Buffer.alloc(20_000, 2))).toBeUndefined();
    incoming.accept(0n, Buffer.alloc(20_000, 2));
    expect(incoming.bufferedBytes).toBe(window);
    expect(incoming.check(40_000n, Buffer.alloc(1))).toBe('flow-control');
    // Reading moves the window by exactly what was read.
    expect(incoming.readOne()?.length).toBe(20_000);
    expect(incoming.check(40_000n, Buffer.alloc(20_000))).toBeUndefined();
    expect(incoming.check(40_000n, Buffer.alloc(20_001))).toBe('flow-control');
  });

  it('E21: gaps are bounded: past heldSegmentLimit a fragmenting segment is refused as too-fragmented', () => {
    expect(heldSegmentLimit(1_048_576)).toBe(640);
    const incoming = new IncomingData(1_048_576);
    let offset = 1n;
    for (let i = 0; i < 640; i++, offset += 2n) {
      expect(incoming.check(offset, Buffer.from('x'))).toBeUndefined();
      incoming.accept(offset, Buffer.from('x'));
    }
    expect(incoming.heldSegments).toBe(640);
    expect(incoming.check(offset, Buffer.from('x'))).toBe('too-fragmented');
    // Bytes that add no segment are still fine: a repeat, and an append to a held segment.
    expect(incoming.check(1n, Buffer.from('x'))).toBeUndefined();
    expect(incoming.check(2n, Buffer.from('y'))).toBeUndefined();
  });

  it('in-order bytes for a paused reader are merged: 40,000 one-byte frames are a handful of segments, read back intact', () => {
    const incoming = new IncomingData(1_048_576);
    const count = 40_000;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const byte = Buffer.from([i & 0xff]);
      if (incoming.check(BigInt(i), byte) !== undefined) refused += 1;
      else incoming.accept(BigInt(i), byte);
    }
    expect(refused).toBe(0);
    expect(incoming.heldSegments).toBe(Math.ceil(count / MERGED_SEGMENT_BYTES));
    const all = Buffer.concat(incoming.read());
    expect(all.length).toBe(count);
    expect(all.every((b, i) => b === (i & 0xff))).toBe(true);
  });

  it('E21 through a server: a peer leaving more gaps than allowed is closed with FlowControlError and leaves the pool', async () => {
    const { network, server, opened, open } = await rawServer();
    const client = await open();
    const gaps = (from: number): Frame[] =>
      Array.from({ length: 600 }, (_, i) => ({ type: FrameType.StreamData, streamId: 1n, offset: BigInt(from + 2 * i + 1), data: Buffer.from('x') }));
    // Each frame is checked against what was held before its packet, so the bound (640 at the
    // default window) can be passed by one packet's frames: 600 + 600 held, the third packet is refused.
    expect((await sendRawPacket(network.client, client, { sequence: 2n, frames: gaps(0) })).reply.type).toBe(IlpPacketType.Fulfill);
    expect((await sendRawPacket(network.client, client, { sequence: 3n, frames: gaps(1200) })).reply.type).toBe(IlpPacketType.Fulfill);
    expect(opened[0]?.registry.streams.get(1n)?.incoming.heldSegments).toBe(1200);
    const third = await sendRawPacket(network.client, client, { sequence: 4n, frames: gaps(2400) });
    expect(third.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(connectionClose(third.packet)?.errorCode).toBe(ErrorCode.FlowControlError);
    expect(opened[0]?.state).toBe('closed');
    expect(server.connectionCount).toBe(0);
    await server.close();
  });

  it('29-4.5-b / E20: bytes on several streams together are bounded by connectionReceiveWindow', async () => {
    const { network, server, open } = await rawServer({ streamReceiveWindow: 40_000, connectionReceiveWindow: 40_000 });
    const client = await open();
    const data = (streamId: bigint, length: number): Frame => ({ type: FrameType.StreamData, streamId, offset: 0n, data: Buffer.alloc(length, 7) });
    expect((await sendRawPacket(network.client, client, { sequence: 2n, frames: [data(1n, 30_000)] })).reply.type).toBe(IlpPacketType.Fulfill);
    const over = await sendRawPacket(network.client, client, { sequence: 3n, frames: [data(3n, 20_000)] });
    expect(connectionClose(over.packet)?.errorCode).toBe(ErrorCode.FlowControlError);
    expect(server.connectionCount).toBe(0);
    await server.close();
  });
});

describe('limits: idle cleanup of server connections (virtual time)', () => {
  /** A server and a client on one TestScheduler, latency 10; `sample` reads the pool every 500 ms from frame 20. */
  function scenario(m: Parameters<Parameters<typeof marbles>[0]>[0], server: { idleTimeoutMs: number; streamReceiveWindow?: number; connectionReceiveWindow?: number }) {
    const scheduler = m.scheduler;
    const network = createMemoryNetwork({ latency: 10, scheduler });
    const server$ = listen({ plugin: network.server, scheduler, ...server }).pipe(share());
    // The client never times out itself: what is tested is the server's cleanup.
    const connection$ = server$.pipe(
      take(1),
      switchMap((s) => connect({ plugin: network.client, ...s.generateAddressAndSecret(), scheduler, idleTimeoutMs: 0 })),
      share(),
    );
    // Not completed: server$ stays subscribed (a take() on it could release the shared server).
    const pool$ = (samples: number) => server$.pipe(switchMap((s) => timer(0, 500, scheduler).pipe(take(samples), map(() => s.connectionCount))));
    const serverState$ = server$.pipe(
      switchMap((s) => s.connections$),
      switchMap((c) => c.state$),
      catchError((e: { code: string }) => of(e.code)),
    );
    return { network, server$, connection$, pool$, serverState$ };
  }

  it(
    'a connection where nothing moves is closed idleTimeoutMs after it opened (IDLE_TIMEOUT) and leaves the pool',
    marbles((m) => {
      const { connection$, pool$, serverState$ } = scenario(m, { idleTimeoutMs: 1000 });
      const clientState$ = connection$.pipe(switchMap((c) => c.state$), catchError((e: { code: string }) => of(e.code)));
      // The server connection exists from the first probe at 50; the probes move no money, so
      // it closes at 1050, and its ConnectionClose reaches the client at 1060.
      m.expect(serverState$).toBeObservable('50ms o 999ms (ci|)', { o: 'open', c: 'closed', i: 'IDLE_TIMEOUT' });
      m.expect(clientState$).toBeObservable('60ms o 999ms (cr|)', { o: 'open', c: 'closed', r: 'REMOTE_CLOSED' });
      m.expect(pool$(4)).toBeObservable('20ms a 499ms b 499ms c 499ms d', { a: 0, b: 1, c: 1, d: 0 });
    }),
  );

  it(
    'money keeps it alive: paid every 800 ms it stays open, and closes idleTimeoutMs after the last payment',
    marbles((m) => {
      const { connection$, pool$ } = scenario(m, { idleTimeoutMs: 1000 });
      const paid$ = connection$.pipe(
        switchMap((c) => timer(800, 800, m.scheduler).pipe(take(3), concatMap(() => c.createStream().sendMoney(10)))),
        map((p): bigint | string => p.delivered),
        catchError((e: { code: string }) => of(e.code)),
      );
      // Open at 60; payments leave at 860, 1660, 2460 and arrive 10 ms later; the last at 2470,
      // so the server closes at 3470 (between the samples at 3020 and 3520); the client hears it at 3480.
      m.expect(paid$).toBeObservable('880ms a 799ms b 799ms c 999ms (r|)', { a: 10n, b: 10n, c: 10n, r: 'REMOTE_CLOSED' });
      m.expect(pool$(9)).toBeObservable('20ms a 499ms b 499ms c 499ms d 499ms e 499ms f 499ms g 499ms h 499ms i', {
        a: 0, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 0, i: 0,
      });
    }),
  );

  it(
    'a sender blocked on a reader that never reads probes, but the probes do not keep the connection alive: both ends close',
    marbles((m) => {
      const window = 32_739; // the least allowed: one full packet
      const { network, connection$, pool$ } = scenario(m, { idleTimeoutMs: 3000, streamReceiveWindow: window, connectionReceiveWindow: window });
      // Nobody subscribes to the server's data$: the window fills and the client is blocked.
      const clientState$ = connection$.pipe(
        tap((c) => c.createStream().sendData(Buffer.alloc(200_000, 1)).subscribe({ error: () => undefined })),
        switchMap((c) => c.state$),
        catchError((e: { code: string }) => of(e.code)),
      );
      // Between 1000 and 3000 only blocked probes reach the server (about one a second)...
      const probed$ = timer(1000, 2000, m.scheduler).pipe(
        take(2),
        map(() => network.stats.clientToServer.prepares),
        pairwise(),
        map(([before, after]) => after - before >= 2),
      );
      m.expect(probed$).toBeObservable('3000ms (t|)', { t: true });
      // ...and none of them is progress: the last bytes were taken at 90 (the window's second
      // packet), so the server closes at 3090 and the client hears it at 3100. The pool is empty
      // at the sample after that.
      m.expect(clientState$).toBeObservable('60ms o 3039ms (cr|)', { o: 'open', c: 'closed', r: 'REMOTE_CLOSED' });
      m.expect(pool$(8)).toBeObservable('20ms a 499ms b 499ms c 499ms d 499ms e 499ms f 499ms g 499ms h', {
        a: 0, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 0,
      });
    }),
  );
});

describe('limits: 2^31 packets per connection (29-5.1.3-a, E9)', () => {
  it('sender: no packet numbered 2^31 or above leaves; the last sequence carries the ConnectionClose; the peer sees a close, not a violation', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    const serverSide = firstValueFrom(server.connections$);
    const client = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret(), maxPacketAmount: 1000 });
    const serverConnection = await serverSide;
    (client as unknown as { sequence: bigint }).sequence = MAX_PACKET_SEQUENCE - 2n;
    const before = network.stats.clientToServer.prepares;
    const sending = lastValueFrom(client.createStream().sendMoney(10_000)).catch((e: unknown) => e);
    expect(isConnectionError(await lastValueFrom(client.state$).catch((e: unknown) => e), 'PACKET_LIMIT')).toBe(true);
    await sending;
    const remote = await lastValueFrom(serverConnection.state$).catch((e: unknown) => e);
    // One money packet (2^31 - 2), then the close (2^31 - 1): the server was told, it saw no violation.
    expect(network.stats.clientToServer.prepares - before).toBe(2);
    expect(client.totals.sent).toBe(1_000n);
    expect(isConnectionError(remote, 'REMOTE_CLOSED')).toBe(true);
    expect((remote as { streamErrorCode?: number }).streamErrorCode).toBe(ErrorCode.ProtocolViolation);
    expect(server.connectionCount).toBe(0);
    await server.close();
  });

  it('sender: with every sequence below 2^31 used, nothing at all leaves (not even a close) and the connection fails with PACKET_LIMIT', async () => {
    const network = createMemoryNetwork();
    const server = await createServer({ plugin: network.server });
    const client = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret() });
    (client as unknown as { sequence: bigint }).sequence = MAX_PACKET_SEQUENCE;
    const before = network.stats.clientToServer.prepares;
    const sending = lastValueFrom(client.createStream().sendMoney(10)).catch((e: unknown) => e);
    expect(isConnectionError(await lastValueFrom(client.state$).catch((e: unknown) => e), 'PACKET_LIMIT')).toBe(true);
    expect(await sending).toBeInstanceOf(Error);
    expect(network.stats.clientToServer.prepares - before).toBe(0);
    await server.close();
  });

  it('receiver: a packet numbered 2^31 is rejected with ConnectionClose(ProtocolViolation), credits nothing, and the connection leaves the pool', async () => {
    const { network, server, opened, open } = await rawServer();
    const client = await open();
    const reply = await sendRawPacket(network.client, client, { sequence: MAX_PACKET_SEQUENCE, amount: 500n, frames: [moneyFrame(1n)] });
    expect(reply.reply).toMatchObject({ type: IlpPacketType.Reject, code: 'F99' });
    expect(connectionClose(reply.packet)?.errorCode).toBe(ErrorCode.ProtocolViolation);
    expect(opened[0]?.totals.received).toBe(0n);
    expect(opened[0]?.state).toBe('closed');
    expect(server.connectionCount).toBe(0);
    await server.close();
  });
});
