/**
 * Test helper: a bare BTP peer (RFC 23) over `ws` on 127.0.0.1, scripted by each test, for the
 * specs of our WebSocket BTP plugin.
 */
import * as Btp from 'btp-packet';
import WebSocket, { WebSocketServer } from 'ws';
import type { WebSocketConstructor } from '../../lib/ilp/btp-websocket';

export type Packet = ReturnType<typeof Btp.deserialize>;
export type Entries = Array<{ protocolName: string; contentType: number; data: Buffer }>;

export const WS = WebSocket as unknown as WebSocketConstructor;
export const ilp = (bytes: Buffer): Entries => [{ protocolName: 'ilp', contentType: Btp.MIME_APPLICATION_OCTET_STREAM, data: bytes }];
export const entriesOf = (packet: Packet): Entries => (packet.data as { protocolData: Entries }).protocolData;
export const errorPacket = (requestId: number, code = 'F00') =>
  Btp.serializeError({ code, name: 'NotAcceptedError', data: 'nope', triggeredAt: new Date(0).toISOString() }, requestId, []);

/** The thrown value of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

/** A bare BTP peer on 127.0.0.1 that records what it receives and answers as each test scripts it. */
export class FakeBtpServer {
  readonly server: WebSocketServer;
  socket: WebSocket | undefined;
  private readonly received: Packet[] = [];
  private waiters: Array<() => void> = [];
  /** How to answer the auth Message; default: accept. */
  authAnswer: (packet: Packet) => Buffer = (packet) => Btp.serializeResponse(packet.requestId, []);

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket) => {
      this.socket = socket;
      let authenticated = false;
      socket.on('message', (data: Buffer) => {
        const packet = Btp.deserialize(data);
        if (!authenticated) {
          authenticated = true;
          this.received.push(packet);
          socket.send(this.authAnswer(packet));
        } else {
          this.received.push(packet);
        }
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<FakeBtpServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new FakeBtpServer(server);
  }

  get url(): string {
    return `btp+ws://alice:s3cret@127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** The n-th packet received (0 is the auth Message), waiting for it if need be. */
  async packet(index: number): Promise<Packet> {
    while (this.received.length <= index) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received[index] as Packet;
  }

  get count(): number {
    return this.received.length;
  }

  send(bytes: Buffer): void {
    this.socket?.send(bytes);
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
