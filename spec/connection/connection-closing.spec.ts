import { ConnectionClosing } from '../../lib/connection/connection-closing';
import { ConnectionSubjects } from '../../lib/connection/connection-subjects';
import { StreamRegistry } from '../../lib/connection/stream-registry';
import { ConnectionError, StreamError } from '../../lib/errors';
import type { StreamHost } from '../../lib/stream/stream';
import { ErrorCode } from '../../lib/wire/types';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };

function setup(packetsInFlight = 0) {
  const subjects = new ConnectionSubjects('open');
  const registry = new StreamRegistry(false, host);
  const calls: string[] = [];
  const sender = { packetsInFlight, stop: () => calls.push('sender.stop') };
  const closing = new ConnectionClosing({
    subjects,
    registry,
    idle: { stop: () => calls.push('idle.stop') },
    sender,
    onClose: () => calls.push('onClose'),
  });
  return { subjects, registry, sender, closing, calls };
}

describe('ConnectionClosing', () => {
  it('with nothing in flight, closes at once: streams, state, Observables, waiters, onClose', async () => {
    const { subjects, registry, closing, calls } = setup();
    const stream = registry.openLocal();
    const closed = closing.whenClosed();
    let completed = false;
    subjects.state$.subscribe({ complete: () => (completed = true) });
    closing.finish(undefined);
    await closed;
    expect(calls).toEqual(['idle.stop', 'sender.stop', 'onClose']);
    expect(subjects.state).toBe('closed');
    expect(completed).toBe(true);
    expect(stream.state).toBe('closed');
    expect(registry.streams.size).toBe(0);
    expect(closing.started).toBe(true);
  });

  it('waits in closing for the packets in flight, then closes when the sender drained', () => {
    const { subjects, sender, closing, calls } = setup(2);
    closing.finish(undefined);
    expect(subjects.state).toBe('closing');
    closing.finish(undefined); // a second close waits too
    expect(subjects.state).toBe('closing');
    sender.packetsInFlight = 0;
    closing.drained();
    expect(subjects.state).toBe('closed');
    expect(calls.filter((c) => c === 'onClose')).toHaveLength(1);
  });

  it('keeps the first error, and the streams get a CONNECTION_CLOSED caused by it', () => {
    const { subjects, registry, closing } = setup();
    const stream = registry.openLocal();
    const streamErrors: unknown[] = [];
    stream.money$.subscribe({ error: (e) => streamErrors.push(e) });
    const errors: unknown[] = [];
    subjects.state$.subscribe({ error: (e) => errors.push(e) });
    const boom = new Error('boom');
    closing.finish(boom);
    closing.finish(new Error('later'));
    expect(closing.error).toBe(boom);
    expect(errors).toEqual([boom]);
    expect(streamErrors[0]).toBeInstanceOf(StreamError);
    expect((streamErrors[0] as StreamError).code).toBe('CONNECTION_CLOSED');
    expect((streamErrors[0] as Error).cause).toBe(boom);
  });

  it('closeFor maps decisions: a clean remote close, a remote error, a violation of ours', () => {
    const clean = setup();
    clean.closing.closeFor({ code: ErrorCode.NoError, message: '', byRemote: true });
    expect(clean.closing.error).toBeUndefined();
    expect(clean.subjects.state).toBe('closed');

    const remote = setup();
    remote.closing.closeFor({ code: ErrorCode.ApplicationError, message: 'bye', byRemote: true });
    expect(remote.closing.error).toBeInstanceOf(ConnectionError);
    expect((remote.closing.error as ConnectionError).code).toBe('REMOTE_CLOSED');
    expect(remote.closing.error?.message).toBe('REMOTE_CLOSED: peer closed the connection: bye');

    const ours = setup();
    ours.closing.closeFor({ code: ErrorCode.ProtocolViolation, message: 'wrong parity', byRemote: false });
    expect((ours.closing.error as ConnectionError).code).toBe('PROTOCOL_VIOLATION');
  });

  it('closeStreamFromRemote closes one stream, cleanly for NoError, with REMOTE_CLOSED otherwise', () => {
    const { registry, closing } = setup();
    const a = registry.openLocal();
    const b = registry.openLocal();
    const events: unknown[] = [];
    a.money$.subscribe({ complete: () => events.push('a complete') });
    b.money$.subscribe({ error: (e: StreamError) => events.push(`b ${e.message}`) });
    closing.closeStreamFromRemote(a, ErrorCode.NoError, '');
    closing.closeStreamFromRemote(b, ErrorCode.ApplicationError, 'no');
    expect(events).toEqual(['a complete', 'b REMOTE_CLOSED: peer closed stream 3: no']);
    expect(registry.streams.size).toBe(0);
    expect(closing.started).toBe(false);
  });
});
