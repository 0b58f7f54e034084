/**
 * The BTP packets the WebSocket client plugin sends, and a decoder that never throws (RFC 23
 * §Flow: an unreadable packet gets no answer). btp-packet does the OER.
 *
 * @example
 * ```ts
 * socket.send(ilpMessage(7, serializedPrepare));
 * const packet = decodeBtp(bytes); // undefined if unreadable
 * ```
 */
import * as Btp from 'btp-packet';

/**
 * A BTP packet as this plugin understands it.
 *
 * @example
 * ```ts
 * const packet: DecodedBtp | undefined = decodeBtp(bytes);
 * if (packet?.kind === 'message' && packet.ilp) answer(packet.requestId, packet.ilp);
 * ```
 */
export type DecodedBtp =
  | { readonly kind: 'response'; readonly requestId: number; readonly ilp: Buffer | undefined }
  | { readonly kind: 'error'; readonly requestId: number; readonly code: string; readonly errorName: string; readonly data: string }
  | { readonly kind: 'message'; readonly requestId: number; readonly ilp: Buffer | undefined }
  | { readonly kind: 'transfer'; readonly requestId: number };

/** A BTP Error's `data` is at most 8192 bytes (RFC 23 §Error). */
const MAX_ERROR_DATA = 8192;

function ilpEntry(ilp: Uint8Array): Btp.ProtocolData {
  return { protocolName: 'ilp', contentType: Btp.MIME_APPLICATION_OCTET_STREAM, data: Buffer.from(ilp.buffer, ilp.byteOffset, ilp.byteLength) };
}

function findIlp(protocolData: ReadonlyArray<{ protocolName: string; data: Buffer }>): Buffer | undefined {
  return protocolData.find((entry) => entry.protocolName === 'ilp')?.data;
}

/**
 * The auth Message of RFC 23 §Authentication: primary `auth` (octet-stream, empty), then
 * `auth_username` and `auth_token` as UTF-8 text.
 *
 * @example
 * ```ts
 * socket.send(authMessage(1, '', 'secret'));
 * ```
 */
export function authMessage(requestId: number, username: string, token: string): Buffer {
  return Btp.serializeMessage(requestId, [
    { protocolName: 'auth', contentType: Btp.MIME_APPLICATION_OCTET_STREAM, data: Buffer.alloc(0) },
    { protocolName: 'auth_username', contentType: Btp.MIME_TEXT_PLAIN_UTF8, data: Buffer.from(username, 'utf8') },
    { protocolName: 'auth_token', contentType: Btp.MIME_TEXT_PLAIN_UTF8, data: Buffer.from(token, 'utf8') },
  ]);
}

/**
 * A Message carrying one serialized ILP packet under the `ilp` sub-protocol.
 *
 * @example
 * ```ts
 * socket.send(ilpMessage(requestId, serializeIlpPrepare(prepare)));
 * ```
 */
export function ilpMessage(requestId: number, ilp: Uint8Array): Buffer {
  return Btp.serializeMessage(requestId, [ilpEntry(ilp)]);
}

/**
 * A Response, with the ILP reply if there is one.
 *
 * @example
 * ```ts
 * socket.send(ilpResponse(packet.requestId, fulfillOrReject));
 * ```
 */
export function ilpResponse(requestId: number, ilp?: Uint8Array): Buffer {
  return Btp.serializeResponse(requestId, ilp === undefined ? [] : [ilpEntry(ilp)]);
}

/**
 * A BTP Error answering `requestId`. `triggeredAt` comes from the caller's scheduler clock.
 *
 * @example
 * ```ts
 * socket.send(btpError(packet.requestId, 'F00', 'NotAcceptedError', 'no data handler', scheduler.now()));
 * ```
 */
export function btpError(requestId: number, code: string, name: string, data: string, triggeredAt: number): Buffer {
  return Btp.serializeError({ code, name, data: data.slice(0, MAX_ERROR_DATA), triggeredAt: new Date(triggeredAt).toISOString() }, requestId, []);
}

/**
 * Decodes a BTP packet; `undefined` for anything unreadable or of a type this plugin does not
 * know. Never throws.
 *
 * @example
 * ```ts
 * const packet = decodeBtp(Buffer.from(event.data));
 * ```
 */
export function decodeBtp(bytes: Buffer): DecodedBtp | undefined {
  let packet: ReturnType<typeof Btp.deserialize>;
  try {
    packet = Btp.deserialize(bytes);
  } catch {
    return undefined;
  }
  const { type, requestId, data } = packet;
  const protocolData = (data as { protocolData?: Array<{ protocolName: string; data: Buffer }> }).protocolData ?? [];
  switch (type) {
    case Btp.TYPE_RESPONSE:
      return { kind: 'response', requestId, ilp: findIlp(protocolData) };
    case Btp.TYPE_MESSAGE:
      return { kind: 'message', requestId, ilp: findIlp(protocolData) };
    case Btp.TYPE_TRANSFER:
      return { kind: 'transfer', requestId };
    case Btp.TYPE_ERROR: {
      const error = data as { code?: unknown; name?: unknown; data?: unknown };
      return { kind: 'error', requestId, code: String(error.code), errorName: String(error.name), data: String(error.data) };
    }
    default:
      return undefined;
  }
}
