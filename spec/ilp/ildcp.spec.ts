import { createHash } from 'node:crypto';
import fc from 'fast-check';
import * as IlpPacket from 'ilp-packet';
import * as ILDCP from 'ilp-protocol-ildcp';
import {
  decodeIldcpInfo,
  encodeIldcpInfo,
  ILDCP_DESTINATION,
  type IldcpInfo,
  ildcpRequest,
  ildcpResponse,
  isIldcpError,
  isIldcpFulfillment,
  isIldcpRequest,
  isIlpArgumentError,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';
import { ilpAddress } from './arbitraries';

const info: IldcpInfo = { clientAddress: 'test.memory.client', assetCode: 'XRP', assetScale: 9 };

const arbitraryInfo: fc.Arbitrary<IldcpInfo> = fc.record({
  clientAddress: ilpAddress,
  assetCode: fc.string({ unit: 'grapheme', maxLength: 20 }).filter((code) => Buffer.byteLength(code) <= 255),
  assetScale: fc.integer({ min: 0, max: 255 }),
});

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('IL-DCP codec and responder (RFC 31, I-17, 31-a)', () => {
  it('uses SHA-256 of 32 zero bytes as the request condition (I-17)', () => {
    const condition = createHash('sha256').update(Buffer.alloc(32)).digest();
    expect(ildcpRequest(new Date(0)).executionCondition).toEqual(condition);
    expect(condition.toString('base64')).toBe('Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU=');
  });

  it('builds the request exactly as ilp-protocol-ildcp does: peer.config, amount 0, empty data', () => {
    const expiresAt = new Date('2030-05-06T07:08:09.010Z');
    const request = ildcpRequest(expiresAt);
    expect(request).toMatchObject({ destination: 'peer.config', amount: 0n, data: Buffer.alloc(0), expiresAt });
    expect(serializeIlpPrepare(request).equals(ILDCP.serializeIldcpRequest({ expiresAt }))).toBe(true);
  });

  it('builds a response byte-identical to ilp-protocol-ildcp, and decodes it back (property)', () => {
    fc.assert(
      fc.property(arbitraryInfo, (config) => {
        const ours = serializeIlpReply(ildcpResponse(config));
        expect(ours.equals(ILDCP.serializeIldcpResponse(config))).toBe(true);
        expect(ILDCP.deserializeIldcpResponse(ours)).toEqual(config);
        expect(decodeIldcpInfo(IlpPacket.deserializeIlpFulfill(ILDCP.serializeIldcpResponse(config)).data)).toEqual(config);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes the data as VarOctetString(address) | UInt8 scale | VarOctetString(assetCode)', () => {
    expect(encodeIldcpInfo({ clientAddress: 'test.a', assetCode: 'XRP', assetScale: 9 }).toString('hex')).toBe('06746573742e610903585250');
  });

  it('responds with the all-zero fulfillment', () => {
    const response = ildcpResponse(info);
    expect(response.type).toBe(IlpPacketType.Fulfill);
    expect(response.fulfillment).toEqual(Buffer.alloc(32));
    expect(isIldcpFulfillment(response.fulfillment)).toBe(true);
    expect(isIldcpFulfillment(Buffer.alloc(32, 1))).toBe(false);
  });

  it('recognizes requests by destination only', () => {
    expect(isIldcpRequest(ildcpRequest(new Date()))).toBe(true);
    expect(isIldcpRequest({ ...ildcpRequest(new Date()), amount: 5n })).toBe(true);
    expect(isIldcpRequest({ ...ildcpRequest(new Date()), destination: 'peer.config.x' })).toBe(false);
    expect(ILDCP_DESTINATION).toBe('peer.config');
  });

  it.each<[string, Partial<Record<keyof IldcpInfo, unknown>>]>([
    ['info.clientAddress', { clientAddress: 'nope' }],
    ['info.assetScale', { assetScale: 256 }],
    ['info.assetScale', { assetScale: 1.5 }],
    ['info.assetCode', { assetCode: 7 }],
    ['info.assetCode', { assetCode: 'x'.repeat(256) }],
  ])('names %s when it is invalid', (argument, change) => {
    const error = thrown(() => ildcpResponse({ ...info, ...change } as IldcpInfo));
    expect(isIlpArgumentError(error) && error.argument).toBe(argument);
  });

  it.each([
    ['truncated data', '0674657374'],
    ['a missing scale', '06746573742e61'],
    ['an invalid address', '0568656c6c6f0903585250'],
    ['an asset code that is not UTF-8', '06746573742e610902c3c3'],
    ['no data', ''],
  ])('refuses %s with IldcpError ILDCP_INVALID_RESPONSE', (_name, hex) => {
    expect(isIldcpError(thrown(() => decodeIldcpInfo(Buffer.from(hex, 'hex'))), 'ILDCP_INVALID_RESPONSE')).toBe(true);
  });
});
