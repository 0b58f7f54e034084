import { lastValueFrom, take, toArray } from 'rxjs';
import { ErrorCode, isConnectionError, isStreamError, type DataAndMoneyStream } from '../../lib';
import { connectedPair } from '../helpers/connected-pair';

jest.setTimeout(15_000);

function collectMoney(stream: DataAndMoneyStream): { total: () => bigint } {
  let total = 0n;
  stream.money$.subscribe({ next: (a) => (total += a), error: () => undefined });
  return { total: () => total };
}

describe('Connection over the memory network', () => {
  it('RFC 29 §4.4.2: 1,000,000 units at rate 0.5 with max packet 1000 arrive exactly, several streams at once', async () => {
    const received = new Map<bigint, bigint>();
    const pair = await connectedPair(
      { exchangeRate: 0.5, maxPacketAmount: 1000 },
      { onServerConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => received.set(s.id, (received.get(s.id) ?? 0n) + a))) },
    );
    const streams = [pair.client.createStream(), pair.client.createStream(), pair.client.createStream()];
    await Promise.all(streams.map((s, i) => lastValueFrom(s.sendMoney([500_000, 300_000, 200_000][i]!))));
    const totalReceived = [...received.values()].reduce((a, b) => a + b, 0n);
    expect(pair.client.totals.sent).toBe(1_000_000n);
    expect(pair.client.totals.delivered).toBe(500_000n);
    expect(totalReceived).toBe(pair.client.totals.delivered);
    expect(pair.serverConnection.totals.received).toBe(500_000n);
    expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(500_000n);
    for (const s of streams) expect(received.get(s.id)).toBe(s.totals.delivered);
    await pair.close();
  });

  it('MoneyProgress reports each fulfilled packet and completes when all is delivered', async () => {
    const pair = await connectedPair({ exchangeRate: 2, maxPacketAmount: 400 });
    const progress = await lastValueFrom(pair.client.createStream().sendMoney(1000).pipe(toArray()));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual({ amount: 1000n, sent: 1000n, delivered: 2000n });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.sent).toBeGreaterThan(progress[i - 1]!.sent);
    await pair.close();
  });

  it('streams$ emits a new stream before its first money, so money$ subscribed right there sees it', async () => {
    const amounts: bigint[] = [];
    const pair = await connectedPair({}, { onServerConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => amounts.push(a))) });
    await lastValueFrom(pair.client.createStream().sendMoney(77));
    expect(amounts).toEqual([77n]);
    await pair.close();
  });

  it('29-4.4.4: the receiver limit holds; the sender waits blocked until it is raised', async () => {
    let serverStream: DataAndMoneyStream | undefined;
    const pair = await connectedPair(
      { maxPacketAmount: 100 },
      { onServerConnection: (c) => c.streams$.subscribe((s) => { serverStream = s; s.setReceiveMax(250); }) },
    );
    const stream = pair.client.createStream();
    let done = false;
    stream.sendMoney(1000).subscribe({ complete: () => (done = true) });
    await new Promise((r) => setTimeout(r, 50));
    expect(serverStream!.totals.received).toBe(250n);
    expect(stream.totals.delivered).toBe(250n);
    expect(done).toBe(false);
    serverStream!.setReceiveMax(1000);
    // The new limit reaches the sender on the server's next packet or reply.
    await lastValueFrom(pair.serverConnection.createStream().sendMoney(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(true);
    expect(serverStream!.totals.received).toBe(1000n);
    await pair.close();
  });

  it('sendTotal and receiveTotal resolve at the cumulative totals (ilp-protocol-stream style)', async () => {
    let receiving: Promise<void> | undefined;
    const pair = await connectedPair({}, { onServerConnection: (c) => c.streams$.subscribe((s) => (receiving = s.receiveTotal(3000))) });
    const stream = pair.client.createStream();
    await stream.sendTotal(1000);
    await stream.sendTotal(3000);
    await receiving;
    expect(stream.totals.sent).toBe(3000n);
    await expect(stream.sendTotal(-1)).rejects.toThrow(/total/);
    await pair.close();
  });

  it('unsubscribing from sendMoney withdraws what has not left yet; in-flight packets still settle', async () => {
    const pair = await connectedPair({ maxPacketAmount: 10 }, { client: { window: 3 } });
    const stream = pair.client.createStream();
    // take(1) unsubscribes right after the first fulfilled packet, while others may be in flight.
    const first = await lastValueFrom(stream.sendMoney(1_000_000).pipe(take(1)));
    expect(first.sent).toBe(10n);
    await new Promise((r) => setTimeout(r, 20));
    expect(stream.pendingMoney).toBe(0n);
    expect(stream.totals.inFlight).toBe(0n);
    expect(stream.totals.sent).toBeGreaterThanOrEqual(10n);
    expect(stream.totals.sent).toBeLessThanOrEqual(30n);
    expect(pair.serverConnection.totals.received).toBe(stream.totals.delivered);
    await pair.close();
  });

  it('end(): the close costs one packet, both sides complete, nothing is left in flight', async () => {
    const pair = await connectedPair({ maxPacketAmount: 1000 });
    const completed: string[] = [];
    pair.serverConnection.state$.subscribe({ complete: () => completed.push('server') });
    pair.client.totals$.subscribe({ complete: () => completed.push('client totals') });
    await lastValueFrom(pair.client.createStream().sendMoney(5000));
    const before = pair.network.stats.clientToServer.prepares;
    await pair.client.end();
    expect(pair.network.stats.clientToServer.prepares - before).toBe(1);
    expect(pair.client.state).toBe('closed');
    expect(pair.serverConnection.state).toBe('closed');
    expect(completed.sort()).toEqual(['client totals', 'server']);
    await pair.server.close();
  });

  it('N money packets cost N round trips plus the probe and one close: no trailing packet', async () => {
    const pair = await connectedPair({ maxPacketAmount: 1000 });
    pair.network.resetStats();
    await lastValueFrom(pair.client.createStream().sendMoney(10_000));
    await new Promise((r) => setTimeout(r, 20));
    expect(pair.network.stats.clientToServer.prepares).toBe(10);
    expect(pair.network.stats.clientToServer.fulfilled).toBe(10);
    await pair.close();
  });

  it('destroy(error): the peer sees ApplicationError and both sides error with typed errors', async () => {
    const pair = await connectedPair();
    const serverError = new Promise<unknown>((resolve) => pair.serverConnection.state$.subscribe({ error: resolve }));
    const clientError = new Promise<unknown>((resolve) => pair.client.state$.subscribe({ error: resolve }));
    await pair.client.destroy(new Error('user cancelled'));
    const remote = await serverError;
    expect(isConnectionError(remote, 'REMOTE_CLOSED')).toBe(true);
    expect((remote as { streamErrorCode?: number }).streamErrorCode).toBe(ErrorCode.ApplicationError);
    expect(isConnectionError(await clientError, 'DESTROYED')).toBe(true);
    await pair.server.close();
  });

  it('29-5.3.7-a: a stream closed by one side completes on the other', async () => {
    let serverStream: DataAndMoneyStream | undefined;
    const pair = await connectedPair({}, { onServerConnection: (c) => c.streams$.subscribe((s) => (serverStream ??= s)) });
    const stream = pair.client.createStream();
    await lastValueFrom(stream.sendMoney(10));
    const money = collectMoney(serverStream!);
    const closed = new Promise<void>((resolve) => serverStream!.money$.subscribe({ complete: resolve }));
    const before = pair.network.stats.clientToServer.prepares;
    await stream.end();
    await closed;
    expect(pair.network.stats.clientToServer.prepares - before).toBe(1);
    expect(serverStream!.state).toBe('closed');
    expect(money.total()).toBe(0n);
    await pair.close();
  });

  it('29-3.3-b: a stream beyond the peer limit waits, then flows once a stream closes', async () => {
    const pair = await connectedPair();
    const streams = Array.from({ length: 11 }, () => pair.client.createStream());
    expect(streams.at(-1)!.id).toBe(21n);
    await Promise.all(streams.slice(0, 10).map((s) => lastValueFrom(s.sendMoney(1))));
    let lastDone = false;
    streams[10]!.sendMoney(1).subscribe({ complete: () => (lastDone = true) });
    await new Promise((r) => setTimeout(r, 30));
    expect(lastDone).toBe(false);
    await streams[0]!.end();
    await new Promise((r) => setTimeout(r, 30));
    expect(lastDone).toBe(true);
    await pair.close();
  });

  it('sendMoney validates its input and a closed stream refuses to send', async () => {
    const pair = await connectedPair();
    const stream = pair.client.createStream();
    const negative = await lastValueFrom(stream.sendMoney(-5)).catch((e: unknown) => e);
    expect(isStreamError(negative, 'INVALID_ARGUMENT')).toBe(true);
    expect(() => stream.setReceiveMax('lots')).toThrow(/INVALID_ARGUMENT: receiveMax/);
    await expect(lastValueFrom(stream.sendMoney('1.5'))).rejects.toThrow(/amount/);
    await stream.end();
    const error = await lastValueFrom(stream.sendMoney(1)).catch((e: unknown) => e);
    expect(isStreamError(error, 'STREAM_CLOSED')).toBe(true);
    await pair.close();
  });

  it('29-3.6-a / 27-Err-T: a rejected packet NACKs its money and frames; both are sent again after backoff', async () => {
    let serverStream: DataAndMoneyStream | undefined;
    const pair = await connectedPair({ maxPacketAmount: 1000 }, { client: { retryBaseDelayMs: 5 }, onServerConnection: (c) => c.streams$.subscribe((s) => (serverStream ??= s)) });
    const stream = pair.client.createStream();
    await lastValueFrom(stream.sendMoney(1));
    let toReject = 2;
    let rejected = 0;
    pair.network.setOnPrepare((_prepare, direction) => {
      if (direction !== 'clientToServer' || toReject === 0) return undefined;
      toReject -= 1;
      rejected += 1;
      return { code: 'T04', triggeredBy: 'test.memory', message: 'insufficient liquidity', data: Buffer.alloc(0) };
    });
    const closed = new Promise<void>((resolve) => serverStream!.money$.subscribe({ complete: resolve }));
    await lastValueFrom(stream.sendMoney(2000));
    expect(rejected).toBe(2);
    toReject = 1; // the packet carrying the StreamClose meets a T04 and must be re-sent
    await stream.end();
    await closed;
    expect(rejected).toBe(3);
    expect(serverStream!.totals.received).toBe(2001n);
    expect(stream.totals.delivered).toBe(2001n);
    await pair.close();
  });

  it('totals$ and state$ replay their final values to subscribers who come after the close', async () => {
    const pair = await connectedPair();
    const stream = pair.client.createStream();
    await lastValueFrom(stream.sendMoney(500));
    await pair.client.end();
    expect(await lastValueFrom(pair.client.totals$)).toMatchObject({ sent: 500n, delivered: 500n, inFlight: 0n });
    expect(await lastValueFrom(pair.client.state$)).toBe('closed');
    expect(await lastValueFrom(stream.totals$)).toMatchObject({ sent: 500n });
    await pair.server.close();
  });
});
