/**
 * The part of the WHATWG WebSocket API the BTP client plugin uses, declared here so the library
 * needs neither the DOM type library nor `ws`: the browser's global `WebSocket` and `ws`'s class
 * both fit.
 *
 * Handler parameters are typed `never` because the plugin only assigns handlers: any event type
 * a WebSocket implementation declares then fits, and the plugin reads only `event.data`.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * const Ctor: WebSocketConstructor = WebSocket; // in Node; in a browser: globalThis.WebSocket
 * ```
 */

/**
 * A WebSocket as the plugin drives it.
 *
 * @example
 * ```ts
 * const socket: WebSocketLike = new WebSocket('ws://127.0.0.1:7768');
 * ```
 */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` so that binary frames arrive as ArrayBuffers in browsers and in ws. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Called once the socket is open. */
  onopen: ((event: never) => void) | null;
  /** Called with each message; its `data` holds the bytes. */
  onmessage: ((event: never) => void) | null;
  /** Called once the socket closed, cleanly or not. */
  onclose: ((event: never) => void) | null;
  /** Called when the socket failed; `onclose` follows. */
  onerror: ((event: never) => void) | null;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket class: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node.
 *
 * @example
 * ```ts
 * new BtpWebSocketPlugin({ server, WebSocket: require('ws') as WebSocketConstructor });
 * ```
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket. */
export const WEBSOCKET_OPEN = 1;

/**
 * The runtime's global WebSocket class, if it has one (browsers; Node 22+).
 *
 * @example
 * ```ts
 * const Ctor = globalWebSocket() ?? fail('pass options.WebSocket');
 * ```
 */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}

/**
 * The bytes of a WebSocket message: ArrayBuffer (what `binaryType = 'arraybuffer'` gives) or a
 * typed array; `undefined` for text frames and anything else, which BTP does not use.
 *
 * @example
 * ```ts
 * socket.onmessage = (event: { data: unknown }) => { const bytes = messageBytes(event.data); };
 * ```
 */
export function messageBytes(data: unknown): Buffer | undefined {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return Buffer.from(data as ArrayBuffer);
  return undefined;
}
