/**
 * Chat lines over a byte stream: STREAM delivers a stream's bytes in order and exactly once, but
 * in chunks that follow packet boundaries, not message boundaries, so a line (or one character
 * of it) may arrive in pieces. Lines end with `\n`; they are cut on the byte and decoded whole, so
 * a multi-byte UTF-8 character split across two packets still decodes.
 *
 * @example
 * ```ts
 * stream.data$.pipe(splitLines()).subscribe((line) => console.log('peer>', line));
 * stream.sendData(encodeLine('hello')).subscribe();
 * ```
 */
import { Observable, type OperatorFunction } from 'rxjs';

const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into UTF-8 lines. Emits each complete line without its `\n` (and without a
 * `\r` before it); an unterminated last line is emitted when the source completes. Errors pass
 * through, dropping the unterminated rest: a line cut off by a failure is not a line.
 *
 * @returns an operator from byte chunks to lines
 *
 * @example
 * ```ts
 * from([Buffer.from('hi\nthe'), Buffer.from('re\n')]).pipe(splitLines()).subscribe(console.log);
 * // Output: 'hi', 'there'
 * ```
 */
export function splitLines(): OperatorFunction<Uint8Array, string> {
  return (source) =>
    new Observable<string>((subscriber) => {
      // Per subscription: the bytes of the line in progress.
      let pending: Buffer[] = [];
      const emit = (bytes: Buffer): void => {
        const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
        subscriber.next(bytes.subarray(0, end).toString('utf8'));
      };
      return source.subscribe({
        next: (chunk) => {
          let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          for (let index = bytes.indexOf(NEWLINE); index >= 0; index = bytes.indexOf(NEWLINE)) {
            pending.push(bytes.subarray(0, index));
            const line = Buffer.concat(pending);
            pending = [];
            emit(line);
            bytes = bytes.subarray(index + 1);
          }
          // Copied: the library may reuse its buffer after handing it out.
          if (bytes.length > 0) pending.push(Buffer.from(bytes));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (pending.length > 0) emit(Buffer.concat(pending));
          subscriber.complete();
        },
      });
    });
}

/**
 * One chat line as bytes to send: the text with its line breaks folded into spaces (a break
 * inside a message would split it in two at the other end), then `\n`.
 *
 * @param text - what the user typed
 * @returns the UTF-8 bytes to pass to `stream.sendData`
 *
 * @example
 * ```ts
 * encodeLine('two\nlines') // <Buffer 'two lines\n'>
 * ```
 */
export function encodeLine(text: string): Buffer {
  return Buffer.from(`${text.replace(/\r?\n/g, ' ')}\n`, 'utf8');
}
