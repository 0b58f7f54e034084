import fc from 'fast-check';
import * as IlpPacket from 'ilp-packet';
import {
  deserializeIlpPrepare,
  type IlpPrepare,
  isIlpArgumentError,
  isIlpPacketError,
  serializeIlpPrepare,
  withPrepareAmount,
} from '../../lib/ilp';
import { comparable, MAX_U64, mutate, prepare as arbitraryPrepare } from './arbitraries';

const toReference = (prepare: IlpPrepare): IlpPacket.IlpPrepare => ({ ...prepare, amount: prepare.amount.toString() });

const sample: IlpPrepare = {
  amount: 107n,
  expiresAt: new Date('2018-06-07T20:48:42.483Z'),
  executionCondition: Buffer.alloc(32, 0xab),
  destination: 'example.alice',
  data: Buffer.alloc(257, 1),
};

function tryDecode<T>(decode: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('serializeIlpPrepare / deserializeIlpPrepare (RFC 27 §ILP Prepare, 27-Prep-a, I-7)', () => {
  it('lays out the envelope as in the interledger-rs fixture (I-7): 0c 82014b, amount, 17-digit expiry, condition, destination, data', () => {
    const bytes = serializeIlpPrepare(sample);
    expect(bytes.subarray(0, 12).toString('hex')).toBe('0c82014b000000000000006b');
    expect(bytes.subarray(12, 29).toString('ascii')).toBe('20180607204842483');
    expect(bytes.subarray(29, 61)).toEqual(Buffer.alloc(32, 0xab));
    expect(bytes.subarray(61, 78).toString('hex')).toBe('0d6578616d706c652e616c696365820101');
    expect(bytes.subarray(78)).toEqual(Buffer.alloc(257, 1));
    expect(bytes.length).toBe(4 + 0x014b);
  });

  it('round-trips a Prepare with bigint amounts up to 2^64-1', () => {
    const max = { ...sample, amount: MAX_U64 };
    expect(deserializeIlpPrepare(serializeIlpPrepare(max))).toEqual(max);
  });

  it('is byte-identical to ilp-packet for random Prepares (property)', () => {
    fc.assert(
      fc.property(arbitraryPrepare, (prepare) => {
        expect(serializeIlpPrepare(prepare).equals(IlpPacket.serializeIlpPrepare(toReference(prepare)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes what ilp-packet encodes, and ilp-packet decodes what it encodes (property)', () => {
    fc.assert(
      fc.property(arbitraryPrepare, (prepare) => {
        expect(comparable(deserializeIlpPrepare(IlpPacket.serializeIlpPrepare(toReference(prepare))))).toEqual(comparable(prepare));
        expect(comparable(IlpPacket.deserializeIlpPrepare(serializeIlpPrepare(prepare)))).toEqual(comparable(toReference(prepare)));
      }),
      { numRuns: 300 },
    );
  });

  it('throws only IlpPacketError for arbitrary bytes, and accepts nothing ilp-packet refuses (property)', () => {
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.concat([Buffer.from([12]), bytes])),
      arbitraryPrepare.chain((prepare) => mutate(serializeIlpPrepare(prepare))),
    );
    let accepted = 0;
    fc.assert(
      fc.property(inputs, (bytes) => {
        const ours = tryDecode(() => deserializeIlpPrepare(bytes));
        if (!ours.ok) {
          expect(isIlpPacketError(ours.error)).toBe(true);
          return;
        }
        accepted += 1;
        // ilp-packet reads years 0..99 as 19xx and refuses the epoch itself; ours reads them as written.
        const time = ours.value.expiresAt;
        if (time.getUTCFullYear() < 100 || time.getTime() === 0) return;
        expect(comparable(IlpPacket.deserializeIlpPrepare(bytes))).toEqual(comparable(toReference(ours.value)));
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100); // the comparison above really ran
  });

  it.each([
    ['empty input', ''],
    ['a Fulfill', '0d2200000000000000000000000000000000000000000000000000000000000000000000'],
    ['a truncated envelope', '0c4d0000'],
    ['a non-canonical length prefix (81 05)', '0c8105' + '00'.repeat(5)],
    ['a zero length-of-length (80)', '0c80'],
  ])('rejects %s with IlpPacketError', (_name, hex) => {
    expect(() => deserializeIlpPrepare(Buffer.from(hex, 'hex'))).toThrow(expect.objectContaining({ name: 'IlpPacketError' }));
  });

  it('reports WRONG_TYPE for another packet type and INVALID_PACKET for garbage', () => {
    const fulfillBytes = Buffer.concat([Buffer.from([13, 33]), Buffer.alloc(32), Buffer.from([0])]);
    expect(tryDecode(() => deserializeIlpPrepare(fulfillBytes))).toMatchObject({ ok: false, error: { code: 'WRONG_TYPE' } });
    expect(tryDecode(() => deserializeIlpPrepare(Buffer.from([12, 3, 1, 2, 3])))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PACKET' },
    });
  });

  it.each([
    ['month 13', '20181307204842483'],
    ['31 April', '20180431204842483'],
    ['29 February in a common year', '20190229000000000'],
    ['hour 24', '20180607244842483'],
    ['second 60 (leap seconds do not fit a Date)', '20180607204860483'],
    ['a non-digit', '2018060720484248x'],
    ['a space, which ilp-packet would parse', ' 2018060720484248'],
  ])('rejects an expiry with %s (not a real UTC time)', (_name, stamp) => {
    const bytes = serializeIlpPrepare(sample);
    bytes.write(stamp, 12, 'ascii');
    expect(tryDecode(() => deserializeIlpPrepare(bytes))).toMatchObject({ ok: false, error: { code: 'INVALID_PACKET' } });
  });

  it('rejects a destination that is not an ILP address (RFC 15), including high-bit bytes ilp-packet would strip', () => {
    const bytes = serializeIlpPrepare({ ...sample, destination: 'example.alicf' });
    bytes[62] = 'e'.charCodeAt(0) | 0x80; // 'example' with the high bit set on its first byte
    expect(tryDecode(() => deserializeIlpPrepare(bytes))).toMatchObject({ ok: false, error: { code: 'INVALID_PACKET' } });
  });

  it('ignores bytes after the envelope and after the last field, as ilp-packet does', () => {
    const bytes = serializeIlpPrepare(sample);
    expect(deserializeIlpPrepare(Buffer.concat([bytes, Buffer.from([1, 2, 3])]))).toEqual(sample);
  });

  it('accepts a Uint8Array and returns data as a view, not a copy', () => {
    const bytes = serializeIlpPrepare(sample);
    const decoded = deserializeIlpPrepare(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    bytes[bytes.length - 1] = 9;
    expect(decoded.data[decoded.data.length - 1]).toBe(9);
  });

  it.each<[string, Partial<Record<keyof IlpPrepare, unknown>>]>([
    ['prepare.amount', { amount: -1n }],
    ['prepare.amount', { amount: MAX_U64 + 1n }],
    ['prepare.amount', { amount: 5 }],
    ['prepare.expiresAt', { expiresAt: new Date(NaN) }],
    ['prepare.expiresAt', { expiresAt: new Date('+010000-01-01T00:00:00Z') }],
    ['prepare.executionCondition', { executionCondition: Buffer.alloc(31) }],
    ['prepare.destination', { destination: 'alice' }],
    ['prepare.destination', { destination: 'test.' + 'a'.repeat(1020) }],
    ['prepare.data', { data: Buffer.alloc(32768) }],
    ['prepare.data', { data: 'hello' }],
  ])('names %s when it is invalid', (argument, change) => {
    const error = tryDecode(() => serializeIlpPrepare({ ...sample, ...change } as IlpPrepare));
    expect(error.ok).toBe(false);
    if (!error.ok) {
      expect(isIlpArgumentError(error.error)).toBe(true);
      expect(error.error).toMatchObject({ argument });
    }
  });

  it('encodes years below 1000 zero-padded and reads them back exactly', () => {
    const early = { ...sample, expiresAt: new Date('0050-02-03T04:05:06.007Z') };
    const bytes = serializeIlpPrepare(early);
    expect(bytes.subarray(12, 29).toString('ascii')).toBe('00500203040506007');
    expect(deserializeIlpPrepare(bytes).expiresAt.toISOString()).toBe('0050-02-03T04:05:06.007Z');
  });
});

describe('withPrepareAmount (RFC 27: connectors rewrite the fixed-length amount in place)', () => {
  it('returns a copy with only the amount changed, for one- and multi-byte length prefixes (property)', () => {
    fc.assert(
      fc.property(arbitraryPrepare, fc.bigInt({ min: 0n, max: MAX_U64 }), (prepare, amount) => {
        const original = serializeIlpPrepare(prepare);
        const before = Buffer.from(original);
        const patched = withPrepareAmount(original, amount);
        expect(original.equals(before)).toBe(true);
        expect(patched.equals(serializeIlpPrepare({ ...prepare, amount }))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses bytes that are not a Prepare, and a non-u64 amount', () => {
    expect(() => withPrepareAmount(Buffer.from([13, 0]), 1n)).toThrow(expect.objectContaining({ argument: 'bytes' }));
    expect(() => withPrepareAmount(serializeIlpPrepare(sample), -1n)).toThrow(expect.objectContaining({ argument: 'amount' }));
  });
});
