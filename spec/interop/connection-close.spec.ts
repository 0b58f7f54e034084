/**
 * Closing connections between our library and ilp-protocol-stream 2.7.1, both ways
 * (RFC 29 §4.6, ConnectionClose; checklist 29-4.6-a, 29-5.3.1-a, E33).
 *
 * - end(): the peer sees a clean close. Ours: `state$` completes. Reference: `'end'` then
 *   `'close'`, no `'error'`. Money queued before end() is delivered first.
 * - destroy(err): the peer sees an error close. Ours: `state$` errors with ConnectionError
 *   REMOTE_CLOSED carrying the peer's code. Reference: `'error'` naming the code, then `'close'`.
 *   The reference maps destroy() to ApplicationError and destroy(plainError) to InternalError
 *   (its sendConnectionClose); ours sends ApplicationError with the message.
 */
import { lastValueFrom } from 'rxjs';
import { ErrorCode, isConnectionError, type Connection } from '../../lib';
import {
  closeAllPairs,
  ourClientToRefServer,
  refClientToOurServer,
  refMoney,
  waitUntil,
  type RefConnection,
  type RefStream,
} from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

/** How our connection's `state$` ended: 'complete', or the error. */
function outcome(connection: Connection): Promise<'complete' | unknown> {
  return new Promise((resolve) => connection.state$.subscribe({ complete: () => resolve('complete'), error: resolve }));
}

/** The reference connection's close events, in order. */
function refEvents(ref: RefConnection): string[] {
  const events: string[] = [];
  ref.on('end', () => events.push('end'));
  ref.on('error', (e: Error) => events.push(`error: ${e.message}`));
  ref.on('close', () => events.push('close'));
  return events;
}

const acceptAll = (c: RefConnection): void => void c.on('stream', (s: RefStream) => s.setReceiveMax(Infinity));

describe('end(): a clean close, both ways', () => {
  it('29-5.3.1-a: our client end() flushes queued money, then the reference server sees end and close, no error', async () => {
    let money: { total: () => bigint } | undefined;
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); money = refMoney(s); }) });
    const events = refEvents(pair.ref);
    const ours = outcome(pair.ours);
    pair.ours.createStream().sendMoney(5000).subscribe({ error: () => undefined });

    await pair.ours.end();
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['end', 'close']);
    expect(await ours).toBe('complete');
    expect(money!.total()).toBe(2500n);
    expect(pair.ref.totalReceived).toBe('2500');
    expect(pair.ours.totals).toEqual({ sent: 5000n, delivered: 2500n, received: 0n, inFlight: 0n });
  });

  it('29-5.3.1-a: our server connection end() → the reference client sees end and close, no error', async () => {
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const events = refEvents(pair.ref);
    const ours = outcome(pair.ours);
    await pair.ours.end();
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['end', 'close']);
    expect(await ours).toBe('complete');
  });

  it('29-5.3.1-a, E33: reference client end() flushes its money, then our server connection completes', async () => {
    let received = 0n;
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => (received += a))) });
    const ours = outcome(pair.ours);
    pair.ref.createStream().setSendMax(5000);
    await pair.ref.end();
    expect(await ours).toBe('complete');
    expect(received).toBe(2500n);
    expect(pair.ref.totalDelivered).toBe('2500');
  });

  it('29-5.3.1-a, E33: reference server connection end() → our client completes', async () => {
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: acceptAll });
    const ours = outcome(pair.ours);
    await lastValueFrom(pair.ours.createStream().sendMoney(10));
    await pair.ref.end();
    expect(await ours).toBe('complete');
    expect(pair.ours.state).toBe('closed');
  });
});

describe('destroy(err): an error close, both ways', () => {
  it('E33: our client destroy(err) → the reference server gets error (ApplicationError + our message), then close', async () => {
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: acceptAll });
    const events = refEvents(pair.ref);
    const ours = outcome(pair.ours);
    await pair.ours.destroy(new Error('user cancelled'));
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['error: Remote connection error. Code: ApplicationError, message: user cancelled', 'close']);
    expect(isConnectionError(await ours, 'DESTROYED')).toBe(true);
  });

  it('E33: our server destroy(err) → the reference client gets error (ApplicationError + our message), then close', async () => {
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const events = refEvents(pair.ref);
    await pair.ours.destroy(new Error('server shutting down'));
    await waitUntil(() => events.includes('close'), 'the reference connection closed');
    expect(events).toEqual(['error: Remote connection error. Code: ApplicationError, message: server shutting down', 'close']);
  });

  it('E33: reference client destroy() → our server errors REMOTE_CLOSED with ApplicationError', async () => {
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const ours = outcome(pair.ours);
    await pair.ref.destroy();
    const error = await ours;
    expect(isConnectionError(error, 'REMOTE_CLOSED')).toBe(true);
    expect((error as { streamErrorCode?: number }).streamErrorCode).toBe(ErrorCode.ApplicationError);
    expect((error as Error).message).toMatch(/Connection destroyed/);
  });

  it('E33, E36: reference server destroy(new Error) → our client errors REMOTE_CLOSED with InternalError and the message', async () => {
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    pair.ref.on('error', () => undefined);
    const ours = outcome(pair.ours);
    await pair.ref.destroy(new Error('boom'));
    const error = await ours;
    expect(isConnectionError(error, 'REMOTE_CLOSED')).toBe(true);
    expect((error as { streamErrorCode?: number }).streamErrorCode).toBe(ErrorCode.InternalError);
    expect((error as Error).message).toMatch(/boom/);
  });

  it('E33: after an error close our connection reads state closed, and end()/destroy() resolve instead of throwing', async () => {
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const ours = outcome(pair.ours);
    await pair.ref.destroy();
    expect(isConnectionError(await ours, 'REMOTE_CLOSED')).toBe(true);

    expect(() => pair.ours.state).not.toThrow();
    expect(pair.ours.state).toBe('closed');
    await expect(pair.ours.destroy(new Error('again'))).resolves.toBeUndefined();
    await expect(pair.ours.end()).resolves.toBeUndefined();
  });
});
