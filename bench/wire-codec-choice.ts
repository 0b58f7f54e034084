/**
 * Why lib/wire hand-writes its OER instead of using oer-utils, and how it compares with
 * ilp-protocol-stream 2.7.1's `Packet`. Three codecs encode+decode the same realistic packets:
 *
 * - `hand-written`: lib/wire (`encodePacket` / `decodePacket`).
 * - `oer-utils`: the same bigint packet model built on oer-utils' Writer/Predictor/Reader (below,
 *   written for this comparison; small values go through oer-utils' number paths, large ones
 *   through its Long/string paths).
 * - `reference`: ilp-protocol-stream's `Packet#_serialize` and `Packet._deserializeUnencrypted`
 *   on its own Long-based packet objects.
 *
 * Run: `npx ts-node --transpile-only bench/wire-codec-choice.ts [--seconds 7]` (seconds per packet
 * kind, shared by all contenders; each figure is the median of 7 interleaved samples).
 *
 * @example
 * ```ts
 * // npx ts-node --transpile-only bench/wire-codec-choice.ts
 * // money packet (StreamMoney + StreamMaxMoney), 34 bytes
 * //   hand-written encode+decode          765,028 ops/s
 * //   oer-utils encode+decode              82,218 ops/s  hand-written is 9.30x faster
 * ```
 */
import { Predictor, Reader, Writer } from 'oer-utils';
import { decodePacket, encodePacket } from '../lib/wire';
import { FrameType, IlpPacketType, MAX_U64, type Frame, type StreamPacket } from '../lib/wire/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const reference = require('ilp-protocol-stream/dist/src/packet') as ReferencePacketModule;

interface ReferencePacketModule {
  Packet: { new (seq: string, type: number, amount: string, frames: unknown[]): ReferencePacket; _deserializeUnencrypted(b: Buffer): unknown };
  [frameClass: string]: unknown;
}
interface ReferencePacket {
  _serialize(): Buffer;
}
type FrameClass = new (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------------
// The oer-utils-based contender, same input and output model as lib/wire.

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function oerVarUInt(value: bigint): number | string {
  return value <= MAX_SAFE ? Number(value) : value.toString();
}

function oerWriteFrameContents(writer: Writer | Predictor, frame: Frame): void {
  const w = writer as Writer;
  switch (frame.type) {
    case FrameType.StreamMoney:
      w.writeVarUInt(oerVarUInt(frame.streamId));
      w.writeVarUInt(oerVarUInt(frame.shares));
      return;
    case FrameType.StreamMaxMoney:
      w.writeVarUInt(oerVarUInt(frame.streamId));
      w.writeVarUInt(oerVarUInt(frame.receiveMax));
      w.writeVarUInt(oerVarUInt(frame.totalReceived));
      return;
    case FrameType.StreamData:
      w.writeVarUInt(oerVarUInt(frame.streamId));
      w.writeVarUInt(oerVarUInt(frame.offset));
      w.writeVarOctetString(frame.data);
      return;
    case FrameType.StreamMaxData:
      w.writeVarUInt(oerVarUInt(frame.streamId));
      w.writeVarUInt(oerVarUInt(frame.maxOffset));
      return;
    default:
      throw new Error(`benchmark codec does not handle frame type ${frame.type}`);
  }
}

function oerWritePacket(writer: Writer | Predictor, packet: StreamPacket): void {
  const w = writer as Writer;
  w.writeUInt8(1);
  w.writeUInt8(packet.ilpPacketType);
  w.writeVarUInt(oerVarUInt(packet.sequence));
  w.writeVarUInt(oerVarUInt(packet.prepareAmount));
  w.writeVarUInt(packet.frames.length);
  for (const frame of packet.frames) {
    const predictor = new Predictor();
    oerWriteFrameContents(predictor, frame);
    w.writeUInt8(frame.type);
    oerWriteFrameContents(w.createVarOctetString(predictor.length) as Writer, frame);
  }
}

function oerEncode(packet: StreamPacket): Buffer {
  const predictor = new Predictor();
  oerWritePacket(predictor, packet);
  const writer = new Writer(predictor.length);
  oerWritePacket(writer, packet);
  return writer.getBuffer();
}

function oerReadVarUInt(reader: Reader): bigint {
  const length = reader.buffer[reader.cursor] ?? 0;
  return length <= 6 ? BigInt(reader.readVarUIntNumber()) : BigInt(reader.readVarUIntLong().toString());
}

function oerDecode(bytes: Buffer): StreamPacket {
  const reader = Reader.from(bytes);
  if (reader.readUInt8Number() !== 1) throw new Error('version');
  const ilpPacketType = reader.readUInt8Number() as IlpPacketType;
  const sequence = oerReadVarUInt(reader);
  const prepareAmount = oerReadVarUInt(reader);
  const count = reader.readVarUIntNumber();
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) {
    const type = reader.readUInt8Number();
    const contents = Reader.from(reader.readVarOctetString());
    switch (type) {
      case FrameType.StreamMoney:
        frames.push({ type, streamId: oerReadVarUInt(contents), shares: oerReadVarUInt(contents) });
        break;
      case FrameType.StreamMaxMoney: {
        const streamId = oerReadVarUInt(contents);
        const receiveMax = contents.peekVarOctetString().length > 8 ? (contents.skipVarOctetString(), MAX_U64) : oerReadVarUInt(contents);
        frames.push({ type, streamId, receiveMax, totalReceived: oerReadVarUInt(contents) });
        break;
      }
      case FrameType.StreamData:
        frames.push({ type, streamId: oerReadVarUInt(contents), offset: oerReadVarUInt(contents), data: contents.readVarOctetString() });
        break;
      case FrameType.StreamMaxData:
        frames.push({ type, streamId: oerReadVarUInt(contents), maxOffset: oerReadVarUInt(contents) });
        break;
      default:
        break;
    }
  }
  return { sequence, ilpPacketType, prepareAmount, frames };
}

// ---------------------------------------------------------------------------------------------
// Realistic packets.

const moneyPacket: StreamPacket = {
  sequence: 4_321n,
  ilpPacketType: IlpPacketType.Prepare,
  prepareAmount: 990n,
  frames: [
    { type: FrameType.StreamMoney, streamId: 1n, shares: 1_000n },
    { type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: MAX_U64, totalReceived: 4_319_000n },
  ],
};

const dataPacket: StreamPacket = {
  sequence: 77n,
  ilpPacketType: IlpPacketType.Prepare,
  prepareAmount: 0n,
  frames: [
    { type: FrameType.StreamMaxData, streamId: 1n, maxOffset: 1_310_720n },
    { type: FrameType.StreamData, streamId: 1n, offset: 1_048_576n, data: Buffer.alloc(16_384, 0x61) },
  ],
};

function toReference(packet: StreamPacket): ReferencePacket {
  const frameClass = (name: string): FrameClass => reference[`${name}Frame`] as FrameClass;
  const frames = packet.frames.map((frame) => {
    switch (frame.type) {
      case FrameType.StreamMoney:
        return new (frameClass('StreamMoney'))(frame.streamId.toString(), frame.shares.toString());
      case FrameType.StreamMaxMoney:
        return new (frameClass('StreamMaxMoney'))(frame.streamId.toString(), frame.receiveMax.toString(), frame.totalReceived.toString());
      case FrameType.StreamData:
        return new (frameClass('StreamData'))(frame.streamId.toString(), frame.offset.toString(), frame.data);
      case FrameType.StreamMaxData:
        return new (frameClass('StreamMaxData'))(frame.streamId.toString(), frame.maxOffset.toString());
      default:
        throw new Error('unsupported in benchmark');
    }
  });
  return new reference.Packet(packet.sequence.toString(), packet.ilpPacketType, packet.prepareAmount.toString(), frames);
}

// ---------------------------------------------------------------------------------------------
// Harness.

/**
 * Median ops/s of each contender. Samples are taken round-robin (a, b, c, a, b, c, ...) so that
 * load from other processes and GC drift hit every contender alike.
 */
function opsPerSecond<K extends string>(contenders: Record<K, () => void>, seconds: number, samples = 7): Record<K, number> {
  const names = Object.keys(contenders) as K[];
  const rates = new Map<K, number[]>(names.map((name) => [name, []]));
  for (const name of names) for (let i = 0; i < 2_000; i++) contenders[name](); // warm-up
  const budget = BigInt(Math.round((seconds / samples / names.length) * 1e9));
  for (let sample = 0; sample < samples; sample++) {
    for (const name of names) {
      const run = contenders[name];
      const start = process.hrtime.bigint();
      let ops = 0;
      let elapsed = 0n;
      do {
        for (let i = 0; i < 100; i++) run();
        ops += 100;
        elapsed = process.hrtime.bigint() - start;
      } while (elapsed < budget);
      rates.get(name)?.push((ops * 1e9) / Number(elapsed));
    }
  }
  const result = {} as Record<K, number>;
  for (const name of names) {
    const sorted = (rates.get(name) ?? []).sort((a, b) => a - b);
    result[name] = sorted[Math.floor(sorted.length / 2)] ?? 0;
  }
  return result;
}

function main(): void {
  const secondsFlag = process.argv.indexOf('--seconds');
  const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 7;
  let sink = 0;

  for (const [name, packet] of [
    ['money packet (StreamMoney + StreamMaxMoney)', moneyPacket],
    ['data packet (StreamMaxData + 16 KiB StreamData)', dataPacket],
  ] as const) {
    const ours = encodePacket(packet);
    if (!oerEncode(packet).equals(ours) || !toReference(packet)._serialize().equals(ours)) {
      throw new Error(`codecs disagree on the bytes of the ${name}`);
    }
    const referencePacket = toReference(packet);
    const results = opsPerSecond(
      {
        'hand-written': () => (sink += decodePacket(encodePacket(packet)).frames.length),
        'oer-utils': () => (sink += oerDecode(oerEncode(packet)).frames.length),
        reference: () => {
          const decoded = reference.Packet._deserializeUnencrypted(referencePacket._serialize()) as { frames: unknown[] };
          sink += decoded.frames.length;
        },
        'hand-written encode only': () => (sink += encodePacket(packet).length),
        'reference encode only': () => (sink += referencePacket._serialize().length),
        'hand-written decode only': () => (sink += decodePacket(ours).frames.length),
        'reference decode only': () => {
          sink += (reference.Packet._deserializeUnencrypted(ours) as { frames: unknown[] }).frames.length;
        },
      },
      seconds,
    );
    console.log(`\n${name}, ${ours.length} bytes`);
    for (const [codec, ops] of Object.entries(results)) {
      const ours = codec.startsWith('hand-written') ? ops : results[codec.replace(/^\S+/, 'hand-written') as keyof typeof results];
      const ratio = codec.startsWith('hand-written') ? '' : `  hand-written is ${(ours / ops).toFixed(2)}x faster`;
      const label = codec.includes('only') ? codec : `${codec} encode+decode`;
      console.log(`  ${label.padEnd(30)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops/s${ratio}`);
    }
  }
  if (sink === 0) console.log('');
}

main();
