/**
 * IL-DCP (IL-RFC 31; checklist I-17, 31-a): how a child node learns its ILP address and asset from
 * its parent. The request is a Prepare to `peer.config` with amount 0, empty data and the condition
 * SHA-256(32 zero bytes); the answer is a Fulfill with 32 zero bytes and the data
 * `address VarOctetString | assetScale UInt8 | assetCode VarOctetString(UTF-8)`.
 *
 * This module holds the codec and the responder side; {@link fetchIldcp} is the requester.
 *
 * @example
 * ```ts
 * if (isIldcpRequest(prepare)) respond(ildcpResponse({ clientAddress: 'test.alice', assetCode: 'XRP', assetScale: 9 }));
 * ```
 */
import { isIlpAddress } from '../wire/address';
import { IlpPacketType } from '../wire/types';
import { IldcpError, IlpArgumentError, isIlpPacketError } from './errors';
import { asBuffer, describe, lengthPrefixSize, OerReader, writeLengthPrefix } from './oer';
import type { IlpFulfillReply, IlpPrepare } from './packets';
import { requireIlpAddress, requireObject, requireString } from './validate';

/** The configuration a parent hands its child over IL-DCP. */
export interface IldcpInfo {
  /** The ILP address the child should use. */
  clientAddress: string;
  /** The settlement asset, such as `'XRP'` or `'USD'`. */
  assetCode: string;
  /** Amounts in ILP packets are in units of 10^-assetScale; 0..255. */
  assetScale: number;
}

/** The destination of every IL-DCP request. */
export const ILDCP_DESTINATION = 'peer.config';

// SHA-256 of 32 zero bytes (RFC 31 §packet); spec/ilp/ildcp.spec.ts recomputes it.
const CONDITION = Buffer.from('Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU=', 'base64');
const FULFILLMENT = Buffer.alloc(32);
const MAX_ASSET_CODE_LENGTH = 255;
// The global TextDecoder (Node >= 11 and every browser), so that this module also runs in the browser build.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function requireIldcpInfo(info: unknown, argument: string): IldcpInfo {
  requireObject(info, argument);
  const { clientAddress, assetCode, assetScale } = info as IldcpInfo;
  requireIlpAddress(clientAddress, `${argument}.clientAddress`);
  requireString(assetCode, `${argument}.assetCode`);
  if (Buffer.byteLength(assetCode, 'utf8') > MAX_ASSET_CODE_LENGTH) {
    throw new IlpArgumentError(`${argument}.assetCode`, `must be at most ${MAX_ASSET_CODE_LENGTH} UTF-8 bytes`);
  }
  if (!Number.isInteger(assetScale) || assetScale < 0 || assetScale > 255) {
    throw new IlpArgumentError(`${argument}.assetScale`, `must be an integer in 0..255, got ${describe(assetScale)}`);
  }
  return { clientAddress, assetCode, assetScale };
}

/**
 * Encodes the data of an IL-DCP response. Bad fields throw {@link IlpArgumentError}.
 *
 * @example
 * ```ts
 * encodeIldcpInfo({ clientAddress: 'test.a', assetCode: 'XRP', assetScale: 9 }).toString('hex')
 * // '06746573742e610903585250'
 * ```
 */
export function encodeIldcpInfo(info: IldcpInfo): Buffer {
  const { clientAddress, assetCode, assetScale } = requireIldcpInfo(info, 'info');
  const codeLength = Buffer.byteLength(assetCode, 'utf8');
  const buf = Buffer.allocUnsafe(
    lengthPrefixSize(clientAddress.length) + clientAddress.length + 1 + lengthPrefixSize(codeLength) + codeLength,
  );
  let offset = writeLengthPrefix(buf, 0, clientAddress.length);
  offset += buf.write(clientAddress, offset, 'latin1');
  buf[offset] = assetScale;
  offset = writeLengthPrefix(buf, offset + 1, codeLength);
  buf.write(assetCode, offset, 'utf8');
  return buf;
}

/**
 * Decodes the data of an IL-DCP response. Throws only {@link IldcpError}
 * `ILDCP_INVALID_RESPONSE`: for truncated data, an address that is not a valid ILP address, or an
 * asset code that is not valid UTF-8. Bytes after the asset code are ignored.
 *
 * @example
 * ```ts
 * decodeIldcpInfo(Buffer.from('06746573742e610903585250', 'hex'))
 * // { clientAddress: 'test.a', assetScale: 9, assetCode: 'XRP' }
 * ```
 */
export function decodeIldcpInfo(data: Uint8Array): IldcpInfo {
  try {
    const buf = asBuffer(data);
    const reader = new OerReader(buf, 0, buf.length);
    const clientAddress = reader.varOctetString('clientAddress').toString('latin1');
    const assetScale = reader.take(1, 'assetScale')[0] as number;
    const assetCode = utf8.decode(reader.varOctetString('assetCode'));
    if (!isIlpAddress(clientAddress)) {
      throw new IldcpError('ILDCP_INVALID_RESPONSE', `clientAddress ${JSON.stringify(clientAddress)} is not a valid ILP address`);
    }
    return { clientAddress, assetCode, assetScale };
  } catch (error) {
    if (error instanceof IldcpError) throw error;
    const reason = isIlpPacketError(error) ? error.message : 'assetCode is not valid UTF-8';
    throw new IldcpError('ILDCP_INVALID_RESPONSE', `IL-DCP response data is malformed: ${reason}`);
  }
}

/**
 * Builds the IL-DCP request Prepare, expiring at `expiresAt`.
 *
 * @example
 * ```ts
 * sendPrepare(plugin, ildcpRequest(new Date(Date.now() + 30_000)))
 * ```
 */
export function ildcpRequest(expiresAt: Date): IlpPrepare {
  return {
    amount: 0n,
    expiresAt,
    executionCondition: Buffer.from(CONDITION),
    destination: ILDCP_DESTINATION,
    data: Buffer.alloc(0),
  };
}

/**
 * True if `prepare` is addressed to `peer.config`, the IL-DCP destination. Like ilp-plugin-mini-accounts,
 * this looks at the destination only; amount, data and condition do not change the answer.
 *
 * @example
 * ```ts
 * isIldcpRequest(ildcpRequest(expiresAt)) // true
 * ```
 */
export function isIldcpRequest(prepare: IlpPrepare): boolean {
  return typeof prepare === 'object' && prepare !== null && prepare.destination === ILDCP_DESTINATION;
}

/**
 * Builds the Fulfill that answers an IL-DCP request with `info`. Bad fields throw
 * {@link IlpArgumentError}.
 *
 * @example
 * ```ts
 * respond(ildcpResponse({ clientAddress: 'test.memory.client', assetCode: 'XRP', assetScale: 9 }));
 * ```
 */
export function ildcpResponse(info: IldcpInfo): IlpFulfillReply {
  return { type: IlpPacketType.Fulfill, fulfillment: Buffer.from(FULFILLMENT), data: encodeIldcpInfo(info) };
}

/**
 * True if `fulfillment` is the IL-DCP fulfillment, 32 zero bytes.
 *
 * @example
 * ```ts
 * isIldcpFulfillment(ildcpResponse(info).fulfillment) // true
 * ```
 */
export function isIldcpFulfillment(fulfillment: Uint8Array): boolean {
  return fulfillment instanceof Uint8Array && fulfillment.length === 32 && FULFILLMENT.equals(fulfillment);
}
