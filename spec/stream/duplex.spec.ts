/**
 * toDuplex (lib/stream/duplex.ts): a Node Duplex over one STREAM stream's bytes, with
 * backpressure both ways and closing mapped to StreamClose, over whole connections on the
 * in-memory network.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { config } from 'rxjs';
import {
  type ConnectionTuning,
  type DataAndMoneyStream,
  ErrorCode,
  FrameType,
  type MemoryNetworkOptions,
  decodePacket,
  isIldcpRequest,
  isStreamError,
  toDuplex,
} from '../../lib';
import { type StreamPair, runTeardowns, sha256, sleep, streamPair, waitFor } from '../helpers/stream-pair';

jest.setTimeout(30_000);

afterEach(runTeardowns);

/**
 * Errors thrown inside subscriber callbacks, which RxJS reports asynchronously (by default a
 * `setTimeout` throw that would take the whole Jest worker down): captured so a test can assert
 * there were none.
 */
let unhandled: unknown[] = [];
const defaultOnUnhandledError = config.onUnhandledError;
beforeEach(() => {
  unhandled = [];
  config.onUnhandledError = (error: unknown) => unhandled.push(error);
});
afterEach(() => {
  config.onUnhandledError = defaultOnUnhandledError;
});

/** Most tests run with a 1 ms hop, so replies come back after write() returned. */
const LATENCY = { latency: 1 };

interface Pair extends StreamPair {
  /** Prepares carrying StreamData the client sent so far (control packets such as blocked probes aside). */
  readonly dataPackets: number;
}

async function pair(server: ConnectionTuning = {}, onServerStream?: (stream: DataAndMoneyStream) => void, network: MemoryNetworkOptions = LATENCY): Promise<Pair> {
  const p = await streamPair({ network, server, onServerStream });
  let dataPackets = 0;
  p.network.setOnPrepare((prepare, direction) => {
    if (direction !== 'clientToServer' || isIldcpRequest(prepare)) return undefined;
    try {
      if (decodePacket(p.keys.decrypt(prepare.data)).frames.some((f) => f.type === FrameType.StreamData)) dataPackets += 1;
    } catch {
      // not a STREAM packet
    }
    return undefined;
  });
  return {
    ...p,
    get dataPackets() {
      return dataPackets;
    },
  };
}

/** A Writable that hashes and counts what it is given. */
function sink(): { writable: Writable; digest(): string; readonly length: number } {
  const hash = createHash('sha256');
  let length = 0;
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      length += chunk.length;
      callback();
    },
  });
  return {
    writable,
    digest: () => hash.digest('hex'),
    get length() {
      return length;
    },
  };
}

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe('toDuplex', () => {
  it('pipes 1 MiB through a Duplex pair (client writes, server reads): sha256 equal, both ends finish', async () => {
    let serverDuplex: Duplex | undefined;
    const p = await pair({}, (stream) => (serverDuplex = toDuplex(stream)));
    const payload = randomBytes(1 << 20);
    const clientDuplex = toDuplex(p.client.createStream());
    const written = pipeline(Readable.from(chunksOf(payload, 65_536)), clientDuplex);
    await waitFor('the server Duplex', () => serverDuplex !== undefined);
    const out = sink();
    const read = pipeline(serverDuplex as Duplex, out.writable);
    await written;
    await read;
    expect(out.length).toBe(payload.length);
    expect(out.digest()).toBe(sha256(payload));
    expect(unhandled).toEqual([]);
  });

  it('over a synchronous network (latency 0), where a write is acknowledged before write() returns, the pipe still works without errors', async () => {
    let serverDuplex: Duplex | undefined;
    const p = await pair({}, (stream) => (serverDuplex = toDuplex(stream)), {});
    const payload = randomBytes(200_000);
    const clientDuplex = toDuplex(p.client.createStream());
    const errors: unknown[] = [];
    clientDuplex.on('error', (error) => errors.push(error));
    const written = pipeline(Readable.from(chunksOf(payload, 10_000)), clientDuplex).catch((error: unknown) => errors.push(error));
    await waitFor('the server Duplex', () => serverDuplex !== undefined);
    const out = sink();
    const read = pipeline(serverDuplex as Duplex, out.writable).catch((error: unknown) => errors.push(error));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([written, read]), new Promise((resolve) => (timer = setTimeout(resolve, 3_000)))]);
    clearTimeout(timer);
    expect(unhandled).toEqual([]);
    expect(errors).toEqual([]);
    expect(out.length).toBe(payload.length);
    expect(out.digest()).toBe(sha256(payload));
  });

  it('a reader that never reads stops the sender within the windows; write() returns false, and drain comes only after the reader resumes', async () => {
    const streamReceiveWindow = 65_536;
    const readableHighWaterMark = 16_384;
    let serverDuplex: Duplex | undefined;
    const p = await pair({ streamReceiveWindow }, (stream) => (serverDuplex = toDuplex(stream, { readableHighWaterMark })));
    const payload = randomBytes(1 << 20);
    const chunks = chunksOf(payload, 4_096);
    const clientDuplex = toDuplex(p.client.createStream());
    let drained = false;
    clientDuplex.on('drain', () => (drained = true));

    // Write until Node says to wait.
    let next = 0;
    let accepted = true;
    while (next < chunks.length && accepted) accepted = clientDuplex.write(chunks[next++]);
    await sleep(100);
    // write() keeps saying "wait" until the reader reads: top up while drains come (early ones are
    // legitimate while the windows still had room).
    while (drained && next < chunks.length) {
      drained = false;
      accepted = true;
      while (next < chunks.length && accepted) accepted = clientDuplex.write(chunks[next++]);
      await sleep(100);
    }
    expect(accepted).toBe(false);
    expect(next).toBeLessThan(chunks.length);
    const serverStream = await p.serverStream();
    const reader = serverDuplex as Duplex;
    const held = (): number => serverStream.incoming.bufferedBytes + reader.readableLength;
    const dataPackets = p.dataPackets;
    await sleep(150);
    expect(p.dataPackets).toBe(dataPackets); // the sender stopped: no more bytes leave
    expect(drained).toBe(false);
    expect(held()).toBeGreaterThanOrEqual(streamReceiveWindow); // the window was used: the sender was not stopped early
    expect(held()).toBeLessThanOrEqual(streamReceiveWindow + readableHighWaterMark);

    // The reader resumes: drain follows, and everything arrives.
    const out = sink();
    const read = pipeline(reader, out.writable);
    await waitFor('drain after the reader resumed', () => drained);
    const rest = pipeline(Readable.from(chunks.slice(next)), clientDuplex);
    await rest;
    await read;
    expect(out.length).toBe(payload.length);
    expect(out.digest()).toBe(sha256(payload));
  });

  it("end() closes the stream cleanly: 'finish' once every byte was acknowledged, and the peer's Duplex emits 'end'", async () => {
    let serverDuplex: Duplex | undefined;
    const p = await pair({}, (stream) => (serverDuplex = toDuplex(stream)));
    const stream = p.client.createStream();
    const clientDuplex = toDuplex(stream);
    const errors: unknown[] = [];
    clientDuplex.on('error', (error) => errors.push(error));
    const finished = once(clientDuplex, 'finish');
    clientDuplex.end(Buffer.from('hello, peer'));
    await finished;
    expect(stream.state).toBe('closed');
    const serverStream = await p.serverStream();
    const reader = serverDuplex as Duplex;
    reader.on('error', (error) => errors.push(error));
    const received: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => received.push(chunk));
    await once(reader, 'end');
    expect(Buffer.concat(received).toString()).toBe('hello, peer');
    await waitFor('the server stream to close', () => serverStream.state === 'closed');
    expect(errors).toEqual([]);
  });

  it('destroy(error) closes the STREAM stream with ApplicationError; the peer stream and its Duplex error', async () => {
    let serverDuplex: Duplex | undefined;
    const p = await pair({}, (stream) => (serverDuplex = toDuplex(stream)));
    const stream = p.client.createStream();
    const clientDuplex = toDuplex(stream);
    clientDuplex.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => clientDuplex.write(Buffer.from('some bytes'), (error) => (error ? reject(error) : resolve())));
    const serverStream = await p.serverStream();
    const reader = serverDuplex as Duplex;
    const readerError = once(reader, 'error');
    let peerDataError: unknown;
    serverStream.data$.subscribe({ error: (error: unknown) => (peerDataError = error) });
    clientDuplex.destroy(new Error('user cancelled'));
    const [error] = (await readerError) as [unknown];
    expect(isStreamError(error, 'REMOTE_CLOSED')).toBe(true);
    expect(error).toMatchObject({ streamErrorCode: ErrorCode.ApplicationError });
    expect(String((error as Error).message)).toContain('user cancelled');
    expect(isStreamError(peerDataError, 'REMOTE_CLOSED')).toBe(true);
    expect(stream.state).toBe('closed');
    expect(serverStream.state).toBe('closed');
  });
});
