/**
 * The 53 official STREAM packet vectors (`spec/fixtures/StreamPacketFixtures.json`) turned into
 * this library's model. The conversion is written from the vector format alone (decimal strings
 * for u64 fields, base64 for bytes), independently of the codec under test.
 */
import rawFixtures from '../../fixtures/StreamPacketFixtures.json';
import type { Frame, StreamPacket } from '../../../lib/wire/types';

interface RawFixture {
  name: string;
  packet: { sequence: string; packetType: number; amount: string; frames: Array<Record<string, unknown>> };
  buffer: string;
  decode_only?: boolean;
}

/** One vector: its name, the packet it describes, its bytes, and whether it is decode-only. */
export interface Vector {
  name: string;
  packet: StreamPacket;
  bytes: Buffer;
  decodeOnly: boolean;
}

const U64_FIELDS = new Set(['streamId', 'shares', 'receiveMax', 'totalReceived', 'sendMax', 'totalSent', 'offset', 'maxOffset', 'maxStreamId']);
const BYTE_FIELDS = new Set(['data', 'receipt']);

function toFrame(raw: Record<string, unknown>): Frame {
  const frame: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'name') continue;
    if (U64_FIELDS.has(key)) frame[key] = BigInt(value as string);
    else if (BYTE_FIELDS.has(key)) frame[key] = Buffer.from(value as string, 'base64');
    else frame[key] = value;
  }
  return frame as unknown as Frame;
}

/** All vectors, in file order. */
export const VECTORS: Vector[] = (rawFixtures as RawFixture[]).map((raw) => ({
  name: raw.name,
  packet: {
    sequence: BigInt(raw.packet.sequence),
    ilpPacketType: raw.packet.packetType,
    prepareAmount: BigInt(raw.packet.amount),
    frames: raw.packet.frames.map(toFrame),
  },
  bytes: Buffer.from(raw.buffer, 'base64'),
  decodeOnly: raw.decode_only === true,
}));

/** Looks a vector up by name; throws if the fixture file lacks it. */
export function vector(name: string): Vector {
  const found = VECTORS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no vector named ${name}`);
  return found;
}
