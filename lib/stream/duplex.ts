/**
 * A Node `stream.Duplex` over one STREAM stream's bytes, for code that speaks Node streams (pipe,
 * pipeline, sockets). Backpressure runs both ways:
 * - writing: a `write()` calls back once its bytes have all left in packets, so Node buffers at
 *   most `writableHighWaterMark` beyond what the peer's window lets out, and 'drain' follows;
 * - reading: when `push()` says the reader is full, the stream stops taking bytes
 *   (`pauseData()`), the peer's window stops growing and its sender stops; `read()` resumes.
 *
 * `end()` on the Duplex ends the STREAM stream once every byte written was acknowledged (a full
 * close: STREAM has no half-close, RFC 29 §3.3); the readable side ends when the peer closes the
 * stream. `destroy(error)` closes the stream with that error, and a stream that closes with an
 * error destroys the Duplex.
 *
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * await pipeline(fs.createReadStream('file'), toDuplex(connection.createStream()));
 * ```
 */
import { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import type { DataAndMoneyStream } from './stream';

/**
 * Options for {@link toDuplex}.
 *
 * @example
 * ```ts
 * // Node buffers up to 64 KiB each way before backpressure applies:
 * const duplex = toDuplex(stream, { writableHighWaterMark: 65_536, readableHighWaterMark: 65_536 });
 * duplex.writableHighWaterMark; // 65_536
 * ```
 */
export interface DuplexOptions {
  /** Bytes Node buffers on the writable side before `write()` returns false. Default 16,384. */
  readonly writableHighWaterMark?: number;
  /** Bytes Node buffers on the readable side before the stream pauses. Default 16,384. */
  readonly readableHighWaterMark?: number;
}

/**
 * Wraps `stream` in a Node Duplex (see the module notes for how backpressure and closing map).
 *
 * @example
 * ```ts
 * const duplex = toDuplex(stream);
 * duplex.on('data', (chunk) => console.log(chunk.length));
 * duplex.end(Buffer.from('bye'));
 * ```
 */
export function toDuplex(stream: DataAndMoneyStream, options: DuplexOptions = {}): Duplex {
  let reading: Subscription | undefined;
  const writes = new Set<Subscription>();
  const duplex = new Duplex({
    writableHighWaterMark: options.writableHighWaterMark ?? 16_384,
    readableHighWaterMark: options.readableHighWaterMark ?? 16_384,
    // Both sides end together: STREAM closes a stream both ways, so when the peer's bytes end,
    // Node ends our writable side too (after flushing what was written).
    allowHalfOpen: false,
    write(chunk: Buffer, _encoding, callback) {
      let called = false;
      const done = (error?: Error | null): void => {
        if (called) return;
        called = true;
        callback(error);
      };
      // Over a synchronous network the write can complete inside subscribe(), before `sub` exists.
      let finished = false;
      const sub = stream.sendData(chunk).subscribe({
        next: (progress) => {
          if (progress.sent === progress.length) done();
        },
        error: (error: Error) => {
          finished = true;
          done(error);
        },
        complete: () => {
          finished = true;
          done();
        },
      });
      if (!finished) {
        writes.add(sub);
        sub.add(() => writes.delete(sub));
      }
    },
    final(callback) {
      stream.end().then(() => callback(), callback);
    },
    read() {
      stream.resumeData();
    },
    destroy(error, callback) {
      reading?.unsubscribe();
      // Bytes not yet sent are withdrawn; the stream closes below.
      for (const write of writes) write.unsubscribe();
      if (stream.state === 'closed') callback(error);
      else stream.destroy(error ?? undefined).then(() => callback(error), callback);
    },
  });
  reading = stream.data$.subscribe({
    next: (chunk) => {
      if (!duplex.push(chunk)) stream.pauseData();
    },
    error: (error: Error) => duplex.destroy(error),
    complete: () => duplex.push(null),
  });
  return duplex;
}
