/**
 * Reading an HTTP response body with a size cap, so a hostile or broken endpoint cannot make an
 * SPSP client buffer gigabytes before the JSON is even looked at.
 *
 * @example
 * ```ts
 * const text = await readLimited(response, 65_536);
 * ```
 */
import { SpspError } from './errors';

/**
 * The part of a fetch `Response` body reading needs; any WHATWG-style response has it.
 *
 * @example
 * ```ts
 * const source: LimitedBodySource = await fetch(url);
 * ```
 */
export interface LimitedBodySource {
  readonly body?: {
    /** Locks the body and returns a reader of its chunks. */
    getReader(): BodyReader;
  } | null;
  /** The whole body as text: the fallback when there is no stream body. */
  text(): Promise<string>;
}

/**
 * A WHATWG stream reader, reduced to what the SPSP client's size-limited body read calls.
 *
 * @example
 * ```ts
 * const reader: BodyReader | undefined = response.body?.getReader();
 * ```
 */
export interface BodyReader {
  /** The next chunk, or `done` at the end of the body. */
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  /** Drops the rest of the body, which frees the HTTP connection. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Reads the body as UTF-8, at most `maxBytes`. More than that rejects with {@link SpspError}
 * `INVALID_RESPONSE` (field `body`) and cancels the rest, which frees the connection. A response
 * without a stream body (a test double, say) falls back to `text()` and is checked afterwards.
 *
 * @example
 * ```ts
 * const json = JSON.parse(await readLimited(response, MAX_SPSP_RESPONSE_BYTES));
 * ```
 */
export async function readLimited(response: LimitedBodySource, maxBytes: number): Promise<string> {
  if (!response.body) {
    const text = await response.text();
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
    return text;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value === undefined) continue;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Discards a body that will not be read, so the socket goes back to the pool instead of
 * waiting for a garbage collection.
 *
 * @example
 * ```ts
 * if (response.status !== 200) await discardBody(response);
 * ```
 */
export async function discardBody(response: LimitedBodySource): Promise<void> {
  try {
    await response.body?.getReader().cancel();
  } catch {
    // Already read, locked or errored: there is nothing left to free.
  }
}

function tooLarge(maxBytes: number): SpspError {
  return new SpspError('INVALID_RESPONSE', 'body', `is larger than ${maxBytes} bytes`);
}
