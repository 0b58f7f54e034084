/**
 * Test helper for the data interop specs (RFC 29 §4.4.3, §4.4.4, §5.3.11): payloads, running
 * SHA-256 digests of what a side read, readers and writers for both implementations, a slow Node
 * Writable, and a sampler for "never more than" checks. Shared by spec/interop/data-memory.spec.ts
 * and spec/interop/data-btp.spec.ts; the pairs themselves come from reference-peers.ts and
 * btp-peers.ts.
 *
 * Whole tests that run the same over both transports live here too ({@link sendDataToRefTest},
 * {@link refWritesToOurDataTest}): each spec passes the function that makes its kind of pair.
 *
 * Byte-identical means: the receiver's running SHA-256 over every byte it read, in the order it
 * read them, equals the SHA-256 of the payload the sender wrote, and the lengths agree. Payloads
 * are random, so a reordered, dropped or repeated chunk changes the digest.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lastValueFrom } from 'rxjs';
import { toDuplex, type Connection, type DataAndMoneyStream } from '../../lib';
import type { RefConnection, RefStream } from './reference-peers';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * A transfer that moved no byte for this long has stalled (the `stallMs` of {@link unlessStalled}
 * in the data interop specs).
 *
 * @example
 * ```ts
 * await unlessStalled(sent, () => reader.sink.length, 'the reference reading our bytes', STALL_MS);
 * ```
 */
export const STALL_MS = 3000;

/**
 * How long the receiving stream may take to appear once the sender started.
 *
 * @example
 * ```ts
 * const { reader } = await within(ref.first, APPEAR_MS, 'the reference stream to appear');
 * ```
 */
export const APPEAR_MS = 3000;

/**
 * The sizes every whole-transfer test runs with, as `[label, bytes]` rows for `it.each`: one
 * MiB, and sixteen (many windows' worth, so flow control turns over many times).
 *
 * @example
 * ```ts
 * it.each(TRANSFER_SIZES)('sendData(%s) arrives identical', sendDataToRefTest(toRefServer), 20_000);
 * ```
 */
export const TRANSFER_SIZES: Array<[label: string, bytes: number]> = [
  ['1 MiB', MiB],
  ['16 MiB', 16 * MiB],
];

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

/**
 * Checks that `reader`'s input ended cleanly (waiting up to 2 s for it, naming `what` if it does
 * not) after exactly the bytes of `data`: no byte missing, repeated or reordered, none after the end.
 *
 * @example
 * ```ts
 * await stream.end();
 * await expectEndedAfter(reader, data, "the reference stream's 'end'");
 * ```
 */
export async function expectEndedAfter(reader: Reader, data: Buffer, what: string): Promise<void> {
  expect(await within(reader.ended, 2000, what)).toEqual({ kind: 'end' });
  expect(reader.lengthAtEnd()).toBe(data.length);
  expect(reader.sink.digest()).toEqual(digestOf(data));
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
  readonly errors: BothErrors;
  /** What the run was asked for. */
  readonly options: SlowReaderOptions;
}

/**
 * A slow-reader run: bytes sent, the Duplex's highWaterMark, the Writable's delay per chunk, the stall limit.
 *
 * @example
 * ```ts
 * const options: SlowReaderOptions = { size: MiB, readableHighWaterMark: 16 * KiB, delayMs: 10, stallMs: STALL_MS };
 * ```
 */
export interface SlowReaderOptions {
  readonly size: number;
  readonly readableHighWaterMark: number;
  readonly delayMs: number;
  readonly stallMs: number;
}

/**
 * Reference client → our server: the reference write()s `size` random bytes in 16 KiB chunks and
 * end()s; our server reads through `toDuplex(stream, { readableHighWaterMark })` piped into a
 * Writable that calls back `delayMs` after each chunk. Every 2 ms it samples what the stream
 * holds (`incoming.bufferedBytes`, an internal field) and that plus what the Duplex holds.
 */
export async function slowReaderOnOurSide(connect: ToOurServer, options: SlowReaderOptions): Promise<SlowReaderRun> {
  const data = payload(options.size);
  const { errors, refStream, ourSide } = await refStreamToOurs(connect, (stream) => {
    const sink = new ByteSink();
    const duplex = toDuplex(stream, { readableHighWaterMark: options.readableHighWaterMark });
    const held = sampleMax(() => stream.incoming.bufferedBytes, 2);
    const heldWithDuplex = sampleMax(() => stream.incoming.bufferedBytes + duplex.readableLength, 2);
    const piped = quiet(pipeline(duplex, slowWritable(sink, options.delayMs, 1024)));
    return { stream, sink, piped, held, heldWithDuplex };
  });

  const started = Date.now();
  const written = quiet(writeRef(refStream, data, 16 * KiB, { end: true }));
  const { stream, sink, piped, held, heldWithDuplex } = await ourSide();
  try {
    await unlessStalled(piped, () => sink.length, 'our slow Duplex reader', options.stallMs);
    await within(written, 2000, "the reference stream's end() callback");
  } finally {
    held.stop();
    heldWithDuplex.stop();
  }
  return {
    data,
    sink,
    stream,
    elapsed: Date.now() - started,
    maxHeld: held.stop(),
    maxHeldWithDuplex: heldWithDuplex.stop(),
    errors: errors(),
    options,
  };
}

/**
 * The checks of a slow-reader run whose stream had the receive window `streamReceiveWindow`: every
 * byte arrived identical, the stream closed, neither side saw an error, the stream never held more
 * than the window plus the Duplex's highWaterMark (RFC 29 §4.4.4), and the reader really was the
 * bottleneck: the run took at least one delay per largest possible chunk, and bytes waited in the
 * stream meanwhile.
 *
 * @example
 * ```ts
 * const run = await slowReaderOnOurSide(toOurServer, { size: MiB, readableHighWaterMark: 16 * KiB, delayMs: 10, stallMs: STALL_MS });
 * expectSlowReaderRun(run, 64 * KiB);
 * ```
 */
export function expectSlowReaderRun(run: SlowReaderRun, streamReceiveWindow: number): void {
  const { size, readableHighWaterMark, delayMs } = run.options;
  expect(run.sink.digest()).toEqual(digestOf(run.data));
  expect(run.stream.state).toBe('closed');
  expect(run.errors).toEqual({ ours: [], ref: [] });
  expect(run.maxHeld).toBeLessThanOrEqual(streamReceiveWindow + readableHighWaterMark);
  // At least size / 32 KiB chunks (none is larger), each delayMs in the Writable.
  expect(run.elapsed).toBeGreaterThanOrEqual((size / LARGEST_CHUNK) * delayMs);
  expect(run.maxHeld).toBeGreaterThan(0);
}

/**
 * What {@link refStreams} does to each reference stream as it appears.
 *
 * @example
 * ```ts
 * const options: RefStreamsOptions = { acceptMoney: true, onStream: (stream) => stream.on('money', count) };
 * ```
 */
export interface RefStreamsOptions {
  /** Raise the stream's receive max to Infinity (the reference then accepts money). */
  readonly acceptMoney?: boolean;
  /** Runs synchronously when the stream appears, after its reader was attached. */
  readonly onStream?: (stream: RefStream, reader: Reader) => void;
}

/**
 * The reference's streams as they appear on a connection, each read through 'data' from the
 * start. `acceptMoney` raises the stream's receive max synchronously, as the reference requires
 * for money; data needs nothing of the kind, so data-only readers leave it alone (which also
 * leaves the reference's own send loop idle: it is a pure reader, see the module notes).
 */
export function refStreams(options: RefStreamsOptions = {}): {
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

/**
 * Both sides of an interop pair, over memory or BTP: our connection and the reference's.
 *
 * @example
 * ```ts
 * const pair: InteropPair = await refClientToOurServerOverBtp({});
 * ```
 */
export interface InteropPair {
  readonly ours: Connection;
  readonly ref: RefConnection;
}

/**
 * The errors {@link errorsOf} collected: ours as thrown, the reference's as messages.
 *
 * @example
 * ```ts
 * const none: BothErrors = { ours: [], ref: [] };
 * expect(errors()).toEqual(none);
 * ```
 */
export interface BothErrors {
  ours: unknown[];
  ref: string[];
}

/**
 * Makes a pair of our client and a reference server that hands its connections to
 * `onConnection` (over memory or over BTP).
 *
 * @example
 * ```ts
 * const toRefServer: ToRefServer = (onConnection) => ourClientToRefServer({}, { onConnection });
 * ```
 */
export type ToRefServer<P extends InteropPair = InteropPair> = (onConnection: (connection: RefConnection) => void) => Promise<P>;

/**
 * Makes a pair of a reference client and our server that hands its connections to
 * `onConnection` (over memory or over BTP).
 *
 * @example
 * ```ts
 * const toOurServer: ToOurServer = (onConnection) => refClientToOurServer({}, { onConnection });
 * ```
 */
export type ToOurServer<P extends InteropPair = InteropPair> = (onConnection: (connection: Connection) => void) => Promise<P>;

/**
 * Our client → the reference server, made by `connect`: both sides' errors collected from the
 * start, and a stream opened on our client. `refSide()` waits (up to {@link APPEAR_MS}) for the
 * reference's side of that stream, which appears with the first packet, read through `'data'`
 * from its first byte; `options` as for {@link refStreams}.
 *
 * @example
 * ```ts
 * const { pair, errors, stream, refSide } = await ourStreamToRef((onConnection) => ourClientToRefServer({}, { onConnection }));
 * const sent = quiet(lastValueFrom(stream.sendData(payload(MiB))));
 * const { reader } = await refSide();
 * ```
 */
export async function ourStreamToRef<P extends InteropPair>(
  connect: ToRefServer<P>,
  options: RefStreamsOptions = {},
): Promise<{ pair: P; errors: () => BothErrors; stream: DataAndMoneyStream; refSide: () => Promise<{ stream: RefStream; reader: Reader }> }> {
  const ref = refStreams(options);
  const pair = await connect(ref.onConnection);
  const errors = errorsOf(pair);
  const stream = pair.ours.createStream();
  return { pair, errors, stream, refSide: () => within(ref.first, APPEAR_MS, 'the reference stream to appear') };
}

/**
 * The reference client → our server, made by `connect`: both sides' errors collected from the
 * start, and a stream opened on the reference client. `ourSide()` waits (up to {@link APPEAR_MS})
 * for our server's side of that stream, which appears with the first packet, and resolves with
 * what `attach` set up on it synchronously when it appeared.
 *
 * @example
 * ```ts
 * const { errors, refStream, ourSide } = await refStreamToOurs(toOurServer, (stream) => ({ stream, reader: readOurs(stream) }));
 * const written = quiet(writeRef(refStream, data, 64 * KiB, { end: true }));
 * const { stream, reader } = await ourSide();
 * ```
 */
export async function refStreamToOurs<T, P extends InteropPair>(
  connect: ToOurServer<P>,
  attach: (stream: DataAndMoneyStream) => T,
): Promise<{ pair: P; errors: () => BothErrors; refStream: RefStream; ourSide: () => Promise<T> }> {
  const ours = ourStreams(attach);
  const pair = await connect(ours.onConnection);
  const errors = errorsOf(pair);
  const refStream = pair.ref.createStream();
  return { pair, errors, refStream, ourSide: () => within(ours.first, APPEAR_MS, 'our server stream to appear') };
}

/**
 * The test "our client sendData()s `size` random bytes to the reference server": sendData
 * completes once every byte was acknowledged, the reference reads them all through `'data'`
 * (SHA-256 and length equal), no error on either side, our connection stays open. Shared by the
 * memory and BTP interop specs, for `it.each(TRANSFER_SIZES)`.
 *
 * @example
 * ```ts
 * it.each(TRANSFER_SIZES)('sendData(%s): the reference reads every byte', sendDataToRefTest(toRefServer), 20_000);
 * ```
 */
export function sendDataToRefTest(connect: ToRefServer): (label: string, size: number) => Promise<void> {
  return async (_label, size) => {
    const data = payload(size);
    const { pair, errors, stream, refSide } = await ourStreamToRef(connect);

    const sent = quiet(lastValueFrom(stream.sendData(data)));
    const { reader } = await refSide();
    const last = await unlessStalled(sent, () => reader.sink.length, `the reference reading our ${size} bytes`, STALL_MS);
    expect(last).toEqual({ sent: size, acknowledged: size, length: size });
    // Acknowledged means the reference took the bytes; its 'data' events may follow a tick later.
    await unlessStalled(reader.sink.reached(size), () => reader.sink.length, 'the reference emitting the acknowledged bytes', STALL_MS);
    expect(reader.sink.digest()).toEqual(digestOf(data));
    expect(errors()).toEqual({ ours: [], ref: [] });
    expect(pair.ours.state).toBe('open');
  };
}

/**
 * The test "the reference client write()s `size` random bytes in 64 KiB chunks and end()s": our
 * server's data$ emits every byte (SHA-256 and length equal) and then completes, the reference's
 * end() calls back, our stream is closed, no error on either side, our connection stays open.
 * Shared by the memory and BTP interop specs, for `it.each(TRANSFER_SIZES)`.
 *
 * @example
 * ```ts
 * it.each(TRANSFER_SIZES)('the reference write()s %s; our data$ emits every byte', refWritesToOurDataTest(toOurServer), 20_000);
 * ```
 */
export function refWritesToOurDataTest(connect: ToOurServer): (label: string, size: number) => Promise<void> {
  return async (_label, size) => {
    const data = payload(size);
    const { pair, errors, refStream, ourSide } = await refStreamToOurs(connect, (stream) => ({ stream, reader: readOurs(stream) }));

    const written = quiet(writeRef(refStream, data, 64 * KiB, { end: true }));
    const { stream, reader } = await ourSide();
    await unlessStalled(reader.ended, () => reader.sink.length, `our data$ reading ${size} bytes`, STALL_MS);
    await expectEndedAfter(reader, data, 'our data$ to complete');
    await within(written, 2000, "the reference stream's end() callback");
    expect(stream.state).toBe('closed');
    expect(errors()).toEqual({ ours: [], ref: [] });
    expect(pair.ours.state).toBe('open');
  };
}

/** Both connections' errors, collected from now on; both lists must stay empty. */
export function errorsOf(pair: InteropPair): () => BothErrors {
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
