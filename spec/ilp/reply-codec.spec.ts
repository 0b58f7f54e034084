import fc from 'fast-check';
import * as IlpPacket from 'ilp-packet';
import {
  deserializeIlpFulfill,
  deserializeIlpReject,
  deserializeIlpReply,
  type IlpFulfill,
  type IlpReject,
  isIlpArgumentError,
  isIlpPacketError,
  serializeIlpFulfill,
  serializeIlpReject,
  serializeIlpReply,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';
import { comparable, fulfill as arbitraryFulfill, mutate, reject as arbitraryReject } from './arbitraries';

function outcome<T>(decode: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    return { ok: false, error };
  }
}

const sampleReject: IlpReject = { code: 'F99', triggeredBy: 'test.connie', message: 'nope', data: Buffer.from([1, 2, 3]) };
const sampleFulfill: IlpFulfill = { fulfillment: Buffer.alloc(32, 7), data: Buffer.from('hi') };

describe('ILP Fulfill codec (RFC 27 §ILP Fulfill, 27-Ful-a, I-7)', () => {
  it('writes 0d | length | fulfillment(32) | VarOctetString(data)', () => {
    expect(serializeIlpFulfill(sampleFulfill).toString('hex')).toBe('0d23' + '07'.repeat(32) + '026869');
  });

  it('is byte-identical to ilp-packet, and each decodes the other (property)', () => {
    fc.assert(
      fc.property(arbitraryFulfill, (fulfill) => {
        const ours = serializeIlpFulfill(fulfill);
        const theirs = IlpPacket.serializeIlpFulfill(fulfill);
        expect(ours.equals(theirs)).toBe(true);
        expect(comparable(deserializeIlpFulfill(theirs))).toEqual(comparable(fulfill));
        expect(comparable(IlpPacket.deserializeIlpFulfill(ours))).toEqual(comparable(fulfill));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly what ilp-packet accepts, with the same values, and throws only IlpPacketError (property)', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.concat([Buffer.from([13]), bytes])),
      arbitraryFulfill.chain((fulfill) => mutate(serializeIlpFulfill(fulfill))),
    );
    let accepted = 0;
    fc.assert(
      fc.property(inputs, (bytes) => {
        const ours = outcome(() => deserializeIlpFulfill(bytes));
        const theirs = outcome(() => IlpPacket.deserializeIlpFulfill(bytes));
        expect(ours.ok).toBe(theirs.ok);
        if (!ours.ok) return expect(isIlpPacketError(ours.error)).toBe(true);
        accepted += 1;
        if (theirs.ok) expect(comparable(ours.value)).toEqual(comparable(theirs.value));
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('names fulfill.fulfillment and fulfill.data when invalid', () => {
    expect(() => serializeIlpFulfill({ ...sampleFulfill, fulfillment: Buffer.alloc(33) })).toThrow(
      expect.objectContaining({ argument: 'fulfill.fulfillment' }),
    );
    expect(() => serializeIlpFulfill({ ...sampleFulfill, data: Buffer.alloc(32768) })).toThrow(
      expect.objectContaining({ argument: 'fulfill.data' }),
    );
  });
});

describe('ILP Reject codec (RFC 27 §ILP Reject, 27-Rej-a, I-7)', () => {
  it('writes 0e | length | code(3) | VarOctetString(triggeredBy) | VarOctetString(message) | VarOctetString(data)', () => {
    expect(serializeIlpReject(sampleReject).toString('hex')).toBe('0e18' + '463939' + '0b746573742e636f6e6e6965' + '046e6f7065' + '03010203');
  });

  it('is byte-identical to ilp-packet, and each decodes the other (property)', () => {
    fc.assert(
      fc.property(arbitraryReject, (reject) => {
        const ours = serializeIlpReject(reject);
        const theirs = IlpPacket.serializeIlpReject(reject);
        expect(ours.equals(theirs)).toBe(true);
        expect(comparable(deserializeIlpReject(theirs))).toEqual(comparable(reject));
        expect(comparable(IlpPacket.deserializeIlpReject(ours))).toEqual(comparable(reject));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts everything ilp-packet accepts, with the same values, and throws only IlpPacketError (property)', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.concat([Buffer.from([14]), bytes])),
      arbitraryReject.chain((reject) => mutate(serializeIlpReject(reject))),
    );
    let compared = 0;
    fc.assert(
      fc.property(inputs, (bytes) => {
        const ours = outcome(() => deserializeIlpReject(bytes));
        if (!ours.ok) expect(isIlpPacketError(ours.error)).toBe(true);
        const theirs = outcome(() => IlpPacket.deserializeIlpReject(bytes));
        if (!theirs.ok) return;
        expect(ours.ok).toBe(true);
        // ilp-packet decodes code and triggeredBy as 'ascii' (high bit stripped); ours keeps the bytes (latin1).
        if (ours.ok && /^[\x00-\x7f]*$/.test(ours.value.code + ours.value.triggeredBy)) {
          compared += 1;
          expect(comparable(ours.value)).toEqual(comparable(theirs.value));
        }
      }),
      { numRuns: 1500 },
    );
    expect(compared).toBeGreaterThan(100);
  });

  it('still decodes a Reject whose triggeredBy is not an address, so its code and data survive', () => {
    const bytes = Buffer.from('0e0b' + '463038' + '02' + '2121' + '00' + '03010203', 'hex');
    expect(() => IlpPacket.deserializeIlpReject(bytes)).toThrow();
    expect(deserializeIlpReject(bytes)).toEqual({ code: 'F08', triggeredBy: '!!', message: '', data: Buffer.from([1, 2, 3]) });
  });

  it('decodes an invalid UTF-8 message lossily instead of failing', () => {
    const bytes = Buffer.from('0e07' + '543030' + '00' + '01ff' + '00', 'hex');
    expect(deserializeIlpReject(bytes).message).toBe('\ufffd');
  });

  it.each<[string, Partial<Record<keyof IlpReject, unknown>>]>([
    ['reject.code', { code: 'F9' }],
    ['reject.code', { code: 'F 9' }],
    ['reject.code', { code: 'F€9' }],
    ['reject.triggeredBy', { triggeredBy: 'nobody' }],
    ['reject.message', { message: 'x'.repeat(8192) }],
    ['reject.message', { message: 7 }],
    ['reject.data', { data: Buffer.alloc(32768) }],
  ])('names %s when it is invalid', (argument, change) => {
    const result = outcome(() => serializeIlpReject({ ...sampleReject, ...change } as IlpReject));
    expect(result).toMatchObject({ ok: false, error: { name: 'IlpArgumentError', argument } });
  });

  it('allows an empty triggeredBy and a message of exactly 8191 UTF-8 bytes', () => {
    const bytes = serializeIlpReject({ ...sampleReject, triggeredBy: '', message: 'é'.repeat(4095) + 'x' });
    expect(deserializeIlpReject(bytes).message).toHaveLength(4096);
  });
});

describe('deserializeIlpReply / serializeIlpReply', () => {
  it('tags a Fulfill and a Reject with their packet type', () => {
    expect(deserializeIlpReply(serializeIlpFulfill(sampleFulfill))).toEqual({ type: IlpPacketType.Fulfill, ...sampleFulfill });
    expect(deserializeIlpReply(serializeIlpReject(sampleReject))).toEqual({ type: IlpPacketType.Reject, ...sampleReject });
  });

  it('reports a Prepare as WRONG_TYPE and empty or non-byte input as INVALID_PACKET', () => {
    expect(outcome(() => deserializeIlpReply(Buffer.from([12, 0])))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE' } });
    expect(outcome(() => deserializeIlpReply(Buffer.alloc(0)))).toMatchObject({ ok: false, error: { code: 'INVALID_PACKET' } });
    expect(outcome(() => deserializeIlpReply('0d00' as unknown as Buffer))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PACKET' },
    });
  });

  it('serializes by type, and names reply.type when it is neither', () => {
    expect(serializeIlpReply({ type: IlpPacketType.Reject, ...sampleReject }).equals(serializeIlpReject(sampleReject))).toBe(true);
    expect(serializeIlpReply({ type: IlpPacketType.Fulfill, ...sampleFulfill }).equals(serializeIlpFulfill(sampleFulfill))).toBe(true);
    const error = outcome(() => serializeIlpReply({ type: IlpPacketType.Prepare, ...sampleReject } as never));
    expect(error.ok).toBe(false);
    if (!error.ok) expect(isIlpArgumentError(error.error) && error.error.argument).toBe('reply.type');
  });
});
