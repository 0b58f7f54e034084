/**
 * Test helper for the data interop specs (RFC 29 §4.4.3, §4.4.4, §5.3.11): payloads, running
 * SHA-256 digests of what a side read, readers and writers for both implementations, a slow Node
 * Writable, and a sampler for "never more than" checks. Shared by spec/interop/data-memory.spec.ts
 * and spec/interop/data-btp.spec.ts; the pairs themselves come from reference-peers.ts and
 * btp-peers.ts.
 *
 * Byte-identical means: the receiver's running SHA-256 over every byte it read, in the order it
 * read them, equals the SHA-256 of the payload the sender wrote, and the lengths agree. Payloads
 * are random, so a reordered, dropped or repeated chunk changes the digest.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toDuplex, type Connection, type DataAndMoneyStream } from '../../lib';
import type { RefConnection, RefStream } from './reference-peers';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** `bytes` random bytes: any loss, repeat or reordering shows in the digest. */
export function payload(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Length and SHA-256 (hex) of a buffer. */
export interface Digest {
  readonly length: number;
  readonly sha256: string;
}

/** Length and SHA-256 of `buffer`. */
export function digestOf(buffer: Buffer): Digest {
  return { length: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
}

/** `buffer` cut into views of `size` bytes (the last may be shorter). */
export function chunksOf(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) out.push(buffer.subarray(at, Math.min(at + size, buffer.length)));
  return out;
}

/** A running digest of everything one side read, in order. */
export class ByteSink {
  private readonly hash: Hash = createHash('sha256');
  private total = 0;
  private finalDigest: Digest | undefined;
  private waiters: Array<{ length: number; resolve: () => void }> = [];

  /** Bytes read so far. */
  get length(): number {
    return this.total;
  }

  /** Bytes that arrived after {@link digest} was taken (counted, not hashed): should stay 0. */
  lateBytes = 0;

  add(chunk: Buffer): void {
    if (this.finalDigest) {
      this.lateBytes += chunk.length;
      return;
    }
    this.hash.update(chunk);
    this.total += chunk.length;
    const ready = this.waiters.filter((w) => w.length <= this.total);
    this.waiters = this.waiters.filter((w) => w.length > this.total);
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves once `length` bytes were read (no timer: combine with {@link unlessStalled}). */
  reached(length: number): Promise<void> {
    if (this.total >= length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ length, resolve }));
  }

  /** Length and SHA-256 of everything added; no bytes may be added afterwards. */
  digest(): Digest {
    this.finalDigest ??= { length: this.total, sha256: this.hash.digest('hex') };
    return this.finalDigest;
  }
}

/** How a reader's input ended, if it did. */
export type ReadEnd = { kind: 'end' } | { kind: 'error'; error: unknown };

/** A reader: its sink, and a promise of how its input ended. */
export interface Reader {
  readonly sink: ByteSink;
  /** Resolves when the input ends or errors (never rejects). */
  readonly ended: Promise<ReadEnd>;
  /** Bytes the sink held when the end was seen (undefined until then). */
  readonly lengthAtEnd: () => number | undefined;
}

/**
 * Reads a reference stream through its `'data'` events (flowing mode), from now on.
 * Attach synchronously in the reference's `'stream'` handler so no byte can be missed.
 */
export function readRef(stream: RefStream): Reader {
  const sink = new ByteSink();
  let atEnd: number | undefined;
  stream.on('data', (chunk: Buffer) => sink.add(chunk));
  const ended = new Promise<ReadEnd>((resolve) => {
    stream.once('end', () => {
      atEnd = sink.length;
      resolve({ kind: 'end' });
    });
    stream.once('error', (error: unknown) => resolve({ kind: 'error', error }));
  });
  return { sink, ended, lengthAtEnd: () => atEnd };
}

/** Reads our stream through `data$`. */
export function readOurs(stream: DataAndMoneyStream): Reader {
  const sink = new ByteSink();
  let atEnd: number | undefined;
  const ended = new Promise<ReadEnd>((resolve) => {
    stream.data$.subscribe({
      next: (chunk) => sink.add(chunk),
      complete: () => {
        atEnd = sink.length;
        resolve({ kind: 'end' });
      },
      error: (error: unknown) => resolve({ kind: 'error', error }),
    });
  });
  return { sink, ended, lengthAtEnd: () => atEnd };
}

/** A Readable of `buffer` in `chunkSize` pieces, for `pipeline` into a Duplex. */
export function readableOf(buffer: Buffer, chunkSize: number): Readable {
  return Readable.from(chunksOf(buffer, chunkSize), { objectMode: false });
}

/**
 * A Writable that takes each chunk into `sink` and calls back only after `delayMs`: a slow
 * consumer. With a small `highWaterMark`, `pipeline` stops reading its source while it waits.
 */
export function slowWritable(sink: ByteSink, delayMs: number, highWaterMark = 1024): Writable {
  return new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      sink.add(chunk);
      setTimeout(() => callback(), delayMs);
    },
  });
}

/** A Writable that takes chunks into `sink` at once. */
export function sinkWritable(sink: ByteSink): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.add(chunk);
      callback();
    },
  });
}

/**
 * Writes `buffer` into a reference stream with `write()` in `chunkSize` pieces, waiting for
 * `'drain'` whenever `write()` says its buffer is full, then `end()`s it if asked. Resolves when
 * the last write was accepted (and, with `end`, once `'finish'` fired).
 */
export async function writeRef(stream: RefStream, buffer: Buffer, chunkSize: number, options: { end: boolean }): Promise<void> {
  for (const chunk of chunksOf(buffer, chunkSize)) {
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
  if (options.end) {
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}

/** The largest value `read()` returned, sampled every `everyMs` until `stop()` (idempotent). */
export function sampleMax(read: () => number, everyMs: number): { stop: () => number } {
  let max = read();
  let stopped = false;
  const timer = setInterval(() => {
    const value = read();
    if (value > max) max = value;
  }, everyMs);
  // A sampler a failed test never stopped must not keep jest alive.
  timer.unref();
  return {
    stop: () => {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        const value = read();
        if (value > max) max = value;
      }
      return max;
    },
  };
}

/** No chunk our side reads can be larger: a STREAM packet's data, frames and all, is at most 32,767 bytes. */
export const LARGEST_CHUNK = 32 * KiB;

/** What {@link slowReaderOnOurSide} saw. */
export interface SlowReaderRun {
  readonly data: Buffer;
  readonly sink: ByteSink;
  readonly stream: DataAndMoneyStream;
  /** From the reference's first write() to the pipeline resolving. */
  readonly elapsed: number;
  /** Largest `stream.incoming.bufferedBytes` sampled. */
  readonly maxHeld: number;
  /** Largest `stream.incoming.bufferedBytes + duplex.readableLength` sampled. */
  readonly maxHeldWithDuplex: number;
  readonly errors: { ours: unknown[]; ref: string[] };
}

/**
 * Reference client → our server: the reference write()s `size` random bytes in 16 KiB chunks and
 * end()s; our server reads through `toDuplex(stream, { readableHighWaterMark })` piped into a
 * Writable that calls back `delayMs` after each chunk. Every 2 ms it samples what the stream
 * holds (`incoming.bufferedBytes`, an internal field) and that plus what the Duplex holds.
 */
export async function slowReaderOnOurSide(
  connect: (onConnection: (connection: Connection) => void) => Promise<{ ours: Connection; ref: RefConnection }>,
  options: { size: number; readableHighWaterMark: number; delayMs: number; stallMs: number },
): Promise<SlowReaderRun> {
  const data = payload(options.size);
  const ours = ourStreams((stream) => {
    const sink = new ByteSink();
    const duplex = toDuplex(stream, { readableHighWaterMark: options.readableHighWaterMark });
    const held = sampleMax(() => stream.incoming.bufferedBytes, 2);
    const heldWithDuplex = sampleMax(() => stream.incoming.bufferedBytes + duplex.readableLength, 2);
    const piped = quiet(pipeline(duplex, slowWritable(sink, options.delayMs, 1024)));
    return { stream, sink, piped, held, heldWithDuplex };
  });
  const pair = await connect(ours.onConnection);
  const errors = errorsOf(pair);
  const refStream = pair.ref.createStream();

  const started = Date.now();
  const written = quiet(writeRef(refStream, data, 16 * KiB, { end: true }));
  const { stream, sink, piped, held, heldWithDuplex } = await within(ours.first, 3000, 'our server stream to appear');
  try {
    await unlessStalled(piped, () => sink.length, 'our slow Duplex reader', options.stallMs);
    await within(written, 2000, "the reference stream's end() callback");
  } finally {
    held.stop();
    heldWithDuplex.stop();
  }
  return { data, sink, stream, elapsed: Date.now() - started, maxHeld: held.stop(), maxHeldWithDuplex: heldWithDuplex.stop(), errors: errors() };
}

/**
 * The reference's streams as they appear on a connection, each read through 'data' from the
 * start. `acceptMoney` raises the stream's receive max synchronously, as the reference requires
 * for money; data needs nothing of the kind, so data-only readers leave it alone (which also
 * leaves the reference's own send loop idle: it is a pure reader, see the module notes).
 */
export function refStreams(options: { acceptMoney?: boolean; onStream?: (stream: RefStream, reader: Reader) => void } = {}): {
  onConnection: (connection: RefConnection) => void;
  first: Promise<{ stream: RefStream; reader: Reader }>;
} {
  let resolveFirst: (value: { stream: RefStream; reader: Reader }) => void = () => undefined;
  const first = new Promise<{ stream: RefStream; reader: Reader }>((resolve) => (resolveFirst = resolve));
  return {
    first,
    onConnection: (connection) =>
      connection.on('stream', (stream: RefStream) => {
        if (options.acceptMoney) stream.setReceiveMax(Infinity);
        const reader = readRef(stream);
        options.onStream?.(stream, reader);
        resolveFirst({ stream, reader });
      }),
  };
}

/** Our server's first stream, with whatever `attach` sets up on it synchronously when it appears. */
export function ourStreams<T>(attach: (stream: DataAndMoneyStream) => T): { onConnection: (connection: Connection) => void; first: Promise<T> } {
  let resolveFirst: (value: T) => void = () => undefined;
  const first = new Promise<T>((resolve) => (resolveFirst = resolve));
  return {
    first,
    onConnection: (connection) => connection.streams$.subscribe((stream) => resolveFirst(attach(stream))),
  };
}

/** Both connections' errors, collected from now on; both lists must stay empty. */
export function errorsOf(pair: { ours: Connection; ref: RefConnection }): () => { ours: unknown[]; ref: string[] } {
  const ours = ourErrors(pair.ours);
  const ref = refErrors(pair.ref);
  return () => ({ ours, ref });
}

/** A promise settled elsewhere must not become an unhandled rejection when a test gives up on it. */
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Errors our connection reported (its `state$` erroring), collected. */
export function ourErrors(connection: Connection): unknown[] {
  const errors: unknown[] = [];
  connection.state$.subscribe({ error: (error: unknown) => errors.push(error) });
  return errors;
}

/** Errors the reference connection emitted, collected (messages). */
export function refErrors(connection: RefConnection): string[] {
  const errors: string[] = [];
  connection.on('error', (error: Error) => errors.push(error.message));
  return errors;
}

/**
 * Resolves with `promise`'s value while `progress()` keeps growing; rejects naming `what` and the
 * progress reached once it has not grown for `stallMs` (a stalled transfer fails in seconds, with
 * how far it got, instead of running into the jest timeout). Timers are cleared either way.
 */
export async function unlessStalled<T>(promise: Promise<T>, progress: () => number, what: string, stallMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let last = progress();
  let lastChange = Date.now();
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = progress();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > stallMs) {
        reject(new Error(`stalled: ${what} made no progress for ${stallMs} ms, stuck at ${now}`));
      }
    }, 50);
  });
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearInterval(timer);
  }
}

/** Resolves with `promise`'s value, or rejects naming `what` after `ms` (the timer is cleared). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
