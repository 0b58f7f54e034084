import { DEFAULT_MAX_STREAM_ID, StreamRegistry } from '../../lib/connection/stream-registry';
import type { StreamHost } from '../../lib/stream/stream';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };

describe('StreamRegistry (RFC 29 §3.3, §4.4.1)', () => {
  it('29-3.3-a / 29-4.4.1-b: clients open odd ids from 1, servers even ids from 2', () => {
    const client = new StreamRegistry(false, host);
    const server = new StreamRegistry(true, host);
    expect([client.openLocal().id, client.openLocal().id, client.openLocal().id]).toEqual([1n, 3n, 5n]);
    expect([server.openLocal().id, server.openLocal().id]).toEqual([2n, 4n]);
  });

  it('29-4.4.1-c: a peer stream id of our own parity, or 0, is a wrong-parity id', () => {
    const server = new StreamRegistry(true, host);
    expect(server.checkRemoteId(2n)).toBe('wrong-parity');
    expect(server.checkRemoteId(0n)).toBe('wrong-parity');
    expect(server.checkRemoteId(1n)).toBe('open-new');
    const client = new StreamRegistry(false, host);
    expect(client.checkRemoteId(1n)).toBe('wrong-parity');
    expect(client.checkRemoteId(2n)).toBe('open-new');
  });

  it('29-3.3-b: the default limit is 20; ids above it are over the limit (E17)', () => {
    const server = new StreamRegistry(true, host);
    expect(DEFAULT_MAX_STREAM_ID).toBe(20n);
    expect(server.checkRemoteId(19n)).toBe('open-new');
    expect(server.checkRemoteId(21n)).toBe('over-limit');
    const client = new StreamRegistry(false, host);
    expect(client.checkRemoteId(20n)).toBe('open-new');
    expect(client.checkRemoteId(22n)).toBe('over-limit');
  });

  it('E18: a peer stream that closed stays closed; lower ids may still open (packets reorder)', () => {
    const server = new StreamRegistry(true, host);
    const s5 = server.openRemote(5n);
    expect(server.checkRemoteId(3n)).toBe('open-new');
    expect(server.checkRemoteId(5n)).toBe('open');
    server.remove(s5);
    expect(server.checkRemoteId(5n)).toBe('closed');
    expect(server.checkRemoteId(7n)).toBe('open-new');
  });

  it('29-3.3-c: closing a peer stream raises our limit by 2 and flags it for advertising', () => {
    const server = new StreamRegistry(true, host);
    const stream = server.openRemote(1n);
    expect(server.maxStreamIdChanged).toBe(false);
    server.remove(stream);
    expect(server.localMaxStreamId).toBe(22n);
    expect(server.maxStreamIdChanged).toBe(true);
    server.maxStreamIdChanged = false;
    server.remove(server.openLocal()); // our own stream closing does not change the peer's limit
    expect(server.localMaxStreamId).toBe(22n);
    expect(server.maxStreamIdChanged).toBe(false);
  });

  it('E23: a smaller ConnectionMaxStreamId from the peer is ignored', () => {
    const client = new StreamRegistry(false, host);
    client.raiseRemoteMax(40n);
    client.raiseRemoteMax(10n);
    expect(client.remoteMaxStreamId).toBe(40n);
  });

  it('an id we once opened ourselves and closed is closed, one we never opened is wrong-parity', () => {
    const client = new StreamRegistry(false, host);
    const first = client.openLocal();
    client.remove(first);
    expect(client.checkRemoteId(1n)).toBe('closed');
    expect(client.checkRemoteId(3n)).toBe('wrong-parity');
  });
});
