/**
 * Closing one stream between our library and ilp-protocol-stream 2.7.1, both ways
 * (RFC 29 §4.4.5, StreamClose; checklist 29-5.3.7-a, E33). stream.end() on one side closes the
 * stream on the other (neither side supports half-open streams), the connection stays usable,
 * and stream.destroy(err) carries ApplicationError and the message across.
 *
 * Ours: a closed stream's `money$` completes (clean) or errors with StreamError REMOTE_CLOSED.
 * Reference: its Duplex emits `'end'` and `'close'`, or `'error'` when destroyed with a message.
 */
import { lastValueFrom } from 'rxjs';
import { ErrorCode, isStreamError, type DataAndMoneyStream } from '../../lib';
import {
  closeAllPairs,
  ourClientToRefServer,
  refClientToOurServer,
  waitUntil,
  type RefStream,
} from '../helpers/reference-peers';

jest.setTimeout(10_000);
afterEach(closeAllPairs);

/** How our stream's `money$` ended: 'complete', or the error. */
function outcome(stream: DataAndMoneyStream): Promise<'complete' | unknown> {
  return new Promise((resolve) => stream.money$.subscribe({ complete: () => resolve('complete'), error: resolve }));
}

/** A reference stream's close events, in order. */
function refEvents(stream: RefStream): string[] {
  const events: string[] = [];
  stream.on('end', () => events.push('end'));
  stream.on('error', (e: Error) => events.push(`error: ${e.message}`));
  stream.on('close', () => events.push('close'));
  return events;
}

describe('stream.end() closes the stream on the other side', () => {
  it('29-5.3.7-a: our client stream.end() → the reference server stream ends and closes; the connection still carries money', async () => {
    const refStreams: RefStream[] = [];
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refStreams.push(s); }) });
    const first = pair.ours.createStream();
    await lastValueFrom(first.sendMoney(2000));
    const events = refEvents(refStreams[0]!);

    await first.end();
    await waitUntil(() => events.includes('close'), 'the reference stream closed');
    expect(events).toEqual(['end', 'close']);
    expect(refStreams[0]!.isOpen()).toBe(false);
    expect(refStreams[0]!.totalReceived).toBe('1000');

    const second = pair.ours.createStream();
    await lastValueFrom(second.sendMoney(2000));
    expect(refStreams.map((s) => [s.id, s.totalReceived])).toEqual([[1, '1000'], [3, '1000']]);
  });

  it('29-5.3.7-a: reference client stream.end() → our server stream completes; the connection still carries money', async () => {
    const ours: DataAndMoneyStream[] = [];
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => ours.push(s)) });
    const first = pair.ref.createStream();
    await first.sendTotal(2000);
    const closed = outcome(ours[0]!);

    first.end();
    expect(await closed).toBe('complete');
    expect(ours[0]!.state).toBe('closed');
    expect(ours[0]!.totals.received).toBe(1000n);

    await pair.ref.createStream().sendTotal(2000);
    expect(ours.map((s) => [s.id, s.totals.received])).toEqual([[1n, 1000n], [3n, 1000n]]);
    expect(pair.ours.state).toBe('open');
  });

  it('29-5.3.7-a: our server stream.end() → the reference client stream ends and closes', async () => {
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const refStreams: RefStream[] = [];
    pair.ref.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refStreams.push(s); });
    const stream = pair.ours.createStream();
    await lastValueFrom(stream.sendMoney(500));
    const events = refEvents(refStreams[0]!);

    await stream.end();
    await waitUntil(() => events.includes('close'), 'the reference stream closed');
    expect(events).toEqual(['end', 'close']);
    expect(refStreams[0]!.totalReceived).toBe('1000');
  });

  it('29-5.3.7-a: reference server stream.end() → our client stream completes', async () => {
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 });
    const ours: DataAndMoneyStream[] = [];
    pair.ours.streams$.subscribe((s) => ours.push(s));
    const refStream = pair.ref.createStream();
    await refStream.sendTotal(500);
    const closed = outcome(ours[0]!);

    refStream.end();
    expect(await closed).toBe('complete');
    expect(ours.map((s) => [s.id, s.state, s.totals.received])).toEqual([[2n, 'closed', 1000n]]);
  });
});

describe('stream.destroy(err) carries the error across', () => {
  it('E33: our stream.destroy(err) → the reference stream errors with our message and closes', async () => {
    const refStreams: RefStream[] = [];
    const pair = await ourClientToRefServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.on('stream', (s: RefStream) => { s.setReceiveMax(Infinity); refStreams.push(s); }) });
    const stream = pair.ours.createStream();
    await lastValueFrom(stream.sendMoney(100));
    const events = refEvents(refStreams[0]!);

    await stream.destroy(new Error('order cancelled'));
    await waitUntil(() => events.includes('close'), 'the reference stream closed');
    expect(events[0]).toBe('error: order cancelled');
    expect(events).toContain('close');
  });

  it('E33: reference stream.destroy(err) → our stream errors REMOTE_CLOSED with ApplicationError and the message', async () => {
    const ours: DataAndMoneyStream[] = [];
    const pair = await refClientToOurServer({ exchangeRate: 0.5, maxPacketAmount: 1000 }, { onConnection: (c) => c.streams$.subscribe((s) => ours.push(s)) });
    const refStream = pair.ref.createStream();
    refStream.on('error', () => undefined);
    await refStream.sendTotal(100);
    const closed = outcome(ours[0]!);

    refStream.destroy(new Error('order cancelled'));
    const error = await closed;
    expect(isStreamError(error, 'REMOTE_CLOSED')).toBe(true);
    expect((error as { streamErrorCode?: number }).streamErrorCode).toBe(ErrorCode.ApplicationError);
    expect((error as Error).message).toMatch(/order cancelled/);
    expect(pair.ours.state).toBe('open');
  });
});
