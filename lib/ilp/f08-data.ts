/**
 * The data of an F08 Amount Too Large reject (RFC 27 §error codes, ASN.1 InterledgerErrorData;
 * checklist 27-F08-a): `receivedAmount UInt64 | maximumAmount UInt64`, 16 bytes, no prefix.
 *
 * @example
 * ```ts
 * const details = readF08Data(reject.data);
 * if (details) nextAmount = (sent * details.maximumAmount) / details.receivedAmount;
 * ```
 */
import { requireU64 } from './validate';

/** The two amounts of an F08, both in the units of the connector that rejected. */
export interface F08Data {
  /** The amount of the Prepare as the connector received it. */
  receivedAmount: bigint;
  /** The largest amount that connector forwards. */
  maximumAmount: bigint;
}

const F08_DATA_LENGTH = 16;

/**
 * Reads F08 data defensively (checklist E30): returns `undefined` when the data is missing,
 * shorter than 16 bytes, not bytes at all, or not an honest F08 (`receivedAmount` at or below
 * `maximumAmount`, which includes a received amount of 0). Bytes after the 16 are ignored, as the
 * reference implementations ignore them.
 *
 * @example
 * ```ts
 * readF08Data(writeF08Data(1500n, 1000n)) // { receivedAmount: 1500n, maximumAmount: 1000n }
 * readF08Data(Buffer.alloc(3))            // undefined
 * ```
 */
export function readF08Data(data: Uint8Array | undefined): F08Data | undefined {
  if (!(data instanceof Uint8Array) || data.length < F08_DATA_LENGTH) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, F08_DATA_LENGTH);
  const receivedAmount = view.getBigUint64(0);
  const maximumAmount = view.getBigUint64(8);
  if (receivedAmount <= maximumAmount) return undefined;
  return { receivedAmount, maximumAmount };
}

/**
 * Writes F08 data. Both amounts must be u64 bigints; they are not compared, so fault-injection
 * tests can write the dishonest data that {@link readF08Data} refuses.
 *
 * @example
 * ```ts
 * writeF08Data(1500n, 1000n).toString('hex') // '00000000000005dc00000000000003e8'
 * ```
 */
export function writeF08Data(receivedAmount: bigint, maximumAmount: bigint): Buffer {
  const buf = Buffer.allocUnsafe(F08_DATA_LENGTH);
  buf.writeBigUInt64BE(requireU64(receivedAmount, 'receivedAmount'), 0);
  buf.writeBigUInt64BE(requireU64(maximumAmount, 'maximumAmount'), 8);
  return buf;
}
