/**
 * STREAM receipts (RFC 39, deprecated in 2026 but still sent by ilp-protocol-stream servers):
 * proof from a receiver of the total it has received on one stream.
 *
 * ```text
 * receipt (58 bytes) = version 1 ‖ nonce(16) ‖ streamId UInt8 ‖ totalReceived UInt64 BE
 *                      ‖ HMAC-SHA256(secret, the first 26 bytes)
 * ```
 *
 * The stream id is one byte, so streams above 255 cannot have receipts: {@link createReceipt}
 * refuses them with a clear error instead of failing deep inside packet handling (the reference's
 * bug B5). Checking that totals only grow and that receipts are not stale is the verifier's job.
 *
 * @example
 * ```ts
 * const receipt = createReceipt({ nonce, streamId: 1n, totalReceived: 500n, secret });
 * verifyReceipt(receipt, secret).totalReceived // 500n
 * ```
 */
import { backend } from './active-backend';
import { CryptoInputError, ReceiptError } from './errors';
import { hmacUnchecked } from './hash';
import { describe, requireBytes } from './validate';

/** The only receipt version (RFC 39). */
export const RECEIPT_VERSION = 1;
/** Bytes in a receipt. */
export const RECEIPT_LENGTH = 58;
/** Largest stream id a receipt can name (its field is a UInt8). */
export const MAX_RECEIPT_STREAM_ID = 255n;

const NONCE_LENGTH = 16;
const SECRET_LENGTH = 32;
const SIGNED_LENGTH = 26;
const MAX_U64 = 2n ** 64n - 1n;

/**
 * What a receipt states.
 *
 * @example
 * ```ts
 * const options: ReceiptOptions = { nonce, streamId: 1n, totalReceived: 500n, secret };
 * ```
 */
export interface ReceiptOptions {
  /** 16-byte receipt nonce that names the connection to the verifier. */
  readonly nonce: Uint8Array;
  /** The stream, 0 to 255. */
  readonly streamId: bigint | number;
  /** Total received on the stream so far, in the receiver's units; a u64 (decimal strings accepted). */
  readonly totalReceived: bigint | number | string;
  /** 32-byte receipt secret shared by receiver and verifier. */
  readonly secret: Uint8Array;
}

/**
 * A decoded receipt.
 *
 * @example
 * ```ts
 * const { streamId, totalReceived }: Receipt = verifyReceipt(bytes, secret);
 * ```
 */
export interface Receipt {
  readonly version: number;
  readonly nonce: Buffer;
  readonly streamId: bigint;
  readonly totalReceived: bigint;
  readonly hmac: Buffer;
}

/**
 * Builds and signs a 58-byte receipt. Throws `CryptoInputError` for a nonce that is not 16 bytes,
 * a secret that is not 32 bytes, a stream id outside 0-255, or a total outside the u64 range.
 *
 * @example
 * ```ts
 * const frameReceipt = createReceipt({ nonce, streamId: stream.id, totalReceived, secret });
 * ```
 */
export function createReceipt(options: ReceiptOptions): Buffer {
  if (typeof options !== 'object' || options === null) {
    throw new CryptoInputError('INVALID_TYPE', 'options', `must be an object, got ${describe(options)}`);
  }
  const nonce = requireBytes('options.nonce', options.nonce, { length: NONCE_LENGTH });
  const secret = requireBytes('options.secret', options.secret, { length: SECRET_LENGTH });
  const streamId = toInteger('options.streamId', options.streamId, MAX_RECEIPT_STREAM_ID, false);
  const totalReceived = toInteger('options.totalReceived', options.totalReceived, MAX_U64, true);

  const receipt = Buffer.allocUnsafe(RECEIPT_LENGTH);
  receipt[0] = RECEIPT_VERSION;
  receipt.set(nonce, 1);
  receipt[17] = Number(streamId);
  receipt.writeBigUInt64BE(totalReceived, 18);
  receipt.set(hmacUnchecked(secret, receipt.subarray(0, SIGNED_LENGTH)), SIGNED_LENGTH);
  return receipt;
}

/**
 * Splits a receipt into its fields without checking the version or the HMAC. Throws
 * `ReceiptError` `WRONG_LENGTH` unless it is 58 bytes, `CryptoInputError` if it is not bytes.
 *
 * @example
 * ```ts
 * const { nonce } = decodeReceipt(receipt); // look up the secret by nonce
 * ```
 */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  return fieldsOf(copyReceipt(bytes));
}

/**
 * Decodes a receipt and checks its version and HMAC; returns the receipt or throws
 * `ReceiptError` (`WRONG_LENGTH`, `UNSUPPORTED_VERSION`, `INVALID_HMAC`). `secret` is the 32-byte
 * receipt secret, or a function that finds it from the decoded receipt (a stateless verifier
 * derives it from the nonce, RFC 39).
 *
 * @example
 * ```ts
 * const { streamId, totalReceived } = verifyReceipt(receipt, (r) => hmacSha256(seed, r.nonce));
 * ```
 */
export function verifyReceipt(bytes: Uint8Array, secret: Uint8Array | ((receipt: Receipt) => Uint8Array)): Receipt {
  const copy = copyReceipt(bytes);
  const receipt = fieldsOf(copy);
  if (receipt.version !== RECEIPT_VERSION) {
    throw new ReceiptError('UNSUPPORTED_VERSION', `version ${receipt.version}, only ${RECEIPT_VERSION} is defined`);
  }
  const key = requireBytes('secret', typeof secret === 'function' ? secret(receipt) : secret, { length: SECRET_LENGTH });
  const expected = hmacUnchecked(key, copy.subarray(0, SIGNED_LENGTH));
  if (!backend.timingSafeEqual(expected, receipt.hmac)) {
    throw new ReceiptError('INVALID_HMAC', 'the HMAC does not match this secret');
  }
  return receipt;
}

/** A private copy, so that later changes to the caller's bytes cannot alter a decoded or verified receipt. */
function copyReceipt(bytes: Uint8Array): Buffer {
  const receipt = Buffer.from(requireBytes('bytes', bytes));
  if (receipt.length !== RECEIPT_LENGTH) {
    throw new ReceiptError('WRONG_LENGTH', `a receipt is ${RECEIPT_LENGTH} bytes, got ${receipt.length}`);
  }
  return receipt;
}

function fieldsOf(receipt: Buffer): Receipt {
  return {
    version: receipt[0] as number,
    nonce: receipt.subarray(1, 17),
    streamId: BigInt(receipt[17] as number),
    totalReceived: receipt.readBigUInt64BE(18),
    hmac: receipt.subarray(SIGNED_LENGTH, RECEIPT_LENGTH),
  };
}

function toInteger(argument: string, value: unknown, max: bigint, allowString: boolean): bigint {
  let integer: bigint;
  if (typeof value === 'bigint') {
    integer = value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    integer = BigInt(value);
  } else if (allowString && typeof value === 'string' && /^[0-9]{1,20}$/.test(value)) {
    integer = BigInt(value);
  } else {
    const expected = allowString ? 'a bigint, a safe integer or a decimal string' : 'a bigint or a safe integer';
    throw new CryptoInputError('INVALID_TYPE', argument, `must be ${expected}, got ${describe(value)}`);
  }
  if (integer < 0n || integer > max) {
    const why = max === MAX_RECEIPT_STREAM_ID ? ': receipts store the stream id in one byte (RFC 39)' : '';
    throw new CryptoInputError('OUT_OF_RANGE', argument, `must be between 0 and ${max}, got ${integer}${why}`);
  }
  return integer;
}
