/**
 * Typed failures of the STREAM codec. Decoding never throws anything but
 * {@link StreamDecodeError}: bytes come from the network, and the receiver turns any decode failure
 * into an F06 reject, so it needs one catchable class with a machine-readable reason and the byte
 * offset where decoding stopped. Encoding throws {@link StreamEncodeError}, naming the field path
 * (`frames[2].streamId`) that a caller filled in wrongly.
 *
 * @example
 * ```ts
 * try {
 *   decodePacket(bytes);
 * } catch (error) {
 *   if (isStreamDecodeError(error)) console.log(error.code, error.offset);
 * }
 * ```
 */

/**
 * Every reason decoding can fail; a closed set so callers can switch on it exhaustively.
 *
 * @example
 * ```ts
 * STREAM_DECODE_ERROR_CODES.includes('TRUNCATED'); // true
 * ```
 */
export const STREAM_DECODE_ERROR_CODES = [
  /** The input is not a Uint8Array. */
  'INVALID_INPUT',
  /** A field runs past the end of the packet, or past the end of its frame's contents. */
  'TRUNCATED',
  /** The version byte is not 1 (RFC 29 §5.2). */
  'UNSUPPORTED_VERSION',
  /** The ILP packet type byte is not 12, 13 or 14 (RFC 29 §5.2). */
  'INVALID_PACKET_TYPE',
  /** A VarUInt with a length of zero (`00`), which C-OER forbids (checklist E12). */
  'VARUINT_EMPTY',
  /** A VarUInt wider than 8 bytes in a field that must fit a u64 (checklist E10). */
  'VARUINT_TOO_LARGE',
  /** A length determinant that is not in its canonical form: `80`, `81 05`, `82 00 ff` (checklist E13). */
  'NON_CANONICAL_LENGTH',
  /** A known frame whose fields do not use exactly the bytes its length prefix declares. */
  'FRAME_LENGTH_MISMATCH',
  /** The packet ends before the number of frames it declared (checklist E2). */
  'MISSING_FRAMES',
  /** An unexpected fault inside the decoder; reported as a decode failure so nothing else escapes. */
  'INTERNAL',
] as const;

/**
 * Why decoding failed; see {@link STREAM_DECODE_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: StreamDecodeErrorCode = 'NON_CANONICAL_LENGTH';
 * ```
 */
export type StreamDecodeErrorCode = (typeof STREAM_DECODE_ERROR_CODES)[number];

/**
 * Bytes that are not a valid STREAM packet. `offset` is the index into the decoded bytes where the
 * offending field starts.
 *
 * @example
 * ```ts
 * throw new StreamDecodeError('UNSUPPORTED_VERSION', 0, 'version is 2, expected 1');
 * ```
 */
export class StreamDecodeError extends Error {
  override readonly name = 'StreamDecodeError';

  constructor(
    readonly code: StreamDecodeErrorCode,
    readonly offset: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail} (at byte ${offset})`, options);
  }
}

/**
 * True if `value` is a {@link StreamDecodeError} (by name and code, so it also recognises errors
 * from another copy of this package), optionally with the given code.
 *
 * @example
 * ```ts
 * if (isStreamDecodeError(error, 'TRUNCATED')) reject('F06');
 * ```
 */
export function isStreamDecodeError(value: unknown, code?: StreamDecodeErrorCode): value is StreamDecodeError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'StreamDecodeError' &&
    (STREAM_DECODE_ERROR_CODES as readonly unknown[]).includes(candidate.code) &&
    (code === undefined || candidate.code === code)
  );
}

/**
 * Every reason encoding can refuse a packet.
 *
 * @example
 * ```ts
 * STREAM_ENCODE_ERROR_CODES.includes('OUT_OF_RANGE'); // true
 * ```
 */
export const STREAM_ENCODE_ERROR_CODES = [
  /** A field has the wrong JavaScript type (a number where a bigint belongs, a missing field, ...). */
  'WRONG_TYPE',
  /** A number or bigint outside its wire range (u64, or u8 for codes and scales). */
  'OUT_OF_RANGE',
  /** `ilpPacketType` is not 12, 13 or 14. */
  'INVALID_PACKET_TYPE',
  /** A frame `type` this codec cannot encode. */
  'UNKNOWN_FRAME_TYPE',
  /** `ConnectionNewAddress.sourceAccount` is neither empty nor a valid ILP address (RFC 15). */
  'INVALID_ADDRESS',
  /** The packet changed while being encoded (a getter returned different values), so its measured size was wrong. */
  'INCONSISTENT_PACKET',
] as const;

/**
 * Why encoding failed; see {@link STREAM_ENCODE_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: StreamEncodeErrorCode = 'WRONG_TYPE';
 * ```
 */
export type StreamEncodeErrorCode = (typeof STREAM_ENCODE_ERROR_CODES)[number];

/**
 * A packet or frame that cannot be encoded. `field` is the path of the wrong field, such as
 * `sequence` or `frames[2].streamId` (or `frame.streamId` when a lone frame was measured).
 *
 * @example
 * ```ts
 * throw new StreamEncodeError('OUT_OF_RANGE', 'frames[0].shares', 'must be a u64, got -1');
 * ```
 */
export class StreamEncodeError extends Error {
  override readonly name = 'StreamEncodeError';

  constructor(
    readonly code: StreamEncodeErrorCode,
    readonly field: string,
    detail: string,
  ) {
    super(`${code}: ${field} ${detail}`);
  }
}

/**
 * True if `value` is a {@link StreamEncodeError} (by name and code), optionally with the given code.
 *
 * @example
 * ```ts
 * if (isStreamEncodeError(error)) console.log(`bad field ${error.field}`);
 * ```
 */
export function isStreamEncodeError(value: unknown, code?: StreamEncodeErrorCode): value is StreamEncodeError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'StreamEncodeError' &&
    (STREAM_ENCODE_ERROR_CODES as readonly unknown[]).includes(candidate.code) &&
    (code === undefined || candidate.code === code)
  );
}
