/**
 * Test helper: a STREAM client reduced to its packets, for floods and limit checks. It sends
 * authentic, valid STREAM packets straight through a plugin, with no connection object and no
 * state of its own, so what a server keeps per connection can be measured on its own.
 */
import { firstValueFrom } from 'rxjs';
import {
  ErrorCode,
  FrameType,
  IlpPacketType,
  decodePacket,
  deriveKeys,
  encodePacket,
  sendPrepare,
  type Frame,
  type IlpReply,
  type Plugin,
  type StreamKeys,
  type StreamPacket,
} from '../../../lib';

/** What a raw packet came back as: the ILP reply and, if authentic, the STREAM reply. */
export interface RawReply {
  readonly reply: IlpReply;
  readonly packet: StreamPacket | undefined;
}

/** A connection's credentials as the raw client uses them. */
export interface RawCredentials {
  readonly destinationAccount: string;
  readonly keys: StreamKeys;
}

/** Credentials from a server's `generateAddressAndSecret()` result. */
export function rawCredentials(address: { destinationAccount: string; sharedSecret: Uint8Array }): RawCredentials {
  return { destinationAccount: address.destinationAccount, keys: deriveKeys(address.sharedSecret) };
}

/** Sends one STREAM packet; `fulfillable` uses the real condition (money can move). */
export async function sendRawPacket(
  plugin: Plugin,
  credentials: RawCredentials,
  packet: { sequence: bigint; frames: Frame[]; amount?: bigint; fulfillable?: boolean; expiresAt?: Date },
): Promise<RawReply> {
  const { keys, destinationAccount } = credentials;
  const streamPacket: StreamPacket = { sequence: packet.sequence, ilpPacketType: IlpPacketType.Prepare, prepareAmount: 0n, frames: packet.frames };
  const data = keys.encrypt(encodePacket(streamPacket));
  const executionCondition = packet.fulfillable === false ? Buffer.alloc(32, 7) : keys.condition(data);
  const reply = await firstValueFrom(
    sendPrepare(plugin, {
      amount: packet.amount ?? 0n,
      destination: destinationAccount,
      data,
      executionCondition,
      expiresAt: packet.expiresAt ?? new Date(Date.now() + 30_000),
    }),
  );
  return { reply, packet: openReply(keys, reply) };
}

/** The first packet of a client: its address and asset (RFC 29 §4.2, §4.3). */
export function helloFrames(sourceAccount: string): Frame[] {
  return [
    { type: FrameType.ConnectionNewAddress, sourceAccount },
    { type: FrameType.ConnectionAssetDetails, sourceAssetCode: 'XRP', sourceAssetScale: 9 },
  ];
}

/** A ConnectionClose(NoError) frame. */
export function closeFrame(): Frame {
  return { type: FrameType.ConnectionClose, errorCode: ErrorCode.NoError, errorMessage: '' };
}

/** Money for one stream. */
export function moneyFrame(streamId: bigint): Frame {
  return { type: FrameType.StreamMoney, streamId, shares: 1n };
}

function openReply(keys: StreamKeys, reply: IlpReply): StreamPacket | undefined {
  if (reply.data.length === 0) return undefined;
  try {
    return decodePacket(keys.decrypt(reply.data));
  } catch {
    return undefined;
  }
}
