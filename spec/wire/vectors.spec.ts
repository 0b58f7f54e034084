/**
 * The 53 official STREAM vectors, both directions (RFC 29 §5; checklist 29-5-a, I-2..I-4).
 */
import { decodePacket } from '../../lib/wire/decode';
import { encodePacket } from '../../lib/wire/encode';
import { encodedPacketSize } from '../../lib/wire/sizes';
import { VECTORS } from './support/fixtures';

describe('StreamPacketFixtures.json (RFC 29 §5 vectors)', () => {
  it('has all 53 vectors, two of them decode-only (E11 too_big)', () => {
    expect(VECTORS).toHaveLength(53);
    expect(VECTORS.filter((v) => v.decodeOnly).map((v) => v.name)).toEqual([
      'frame:stream_max_money:receive_max:too_big',
      'frame:stream_money_blocked:send_max:too_big',
    ]);
  });

  describe.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    it('decodes to the vector packet', () => {
      expect(decodePacket(v.bytes)).toStrictEqual(v.packet);
    });

    if (v.decodeOnly) {
      it('re-encodes canonically, not to the oversized vector bytes (E11)', () => {
        const encoded = encodePacket(v.packet);
        expect(encoded.equals(v.bytes)).toBe(false);
        expect(decodePacket(encoded)).toStrictEqual(v.packet);
      });
    } else {
      it('encodes to the vector bytes', () => {
        expect(encodePacket(v.packet).toString('hex')).toBe(v.bytes.toString('hex'));
      });

      it('measures exactly the vector length', () => {
        expect(encodedPacketSize(v.packet)).toBe(v.bytes.length);
      });
    }
  });
});
