/**
 * A scriptable Plugin for the ILP-layer specs: sendData runs the given function; the registered
 * data handler is kept so a test can deliver packets to it.
 */
import type { Observable } from 'rxjs';
import type { DataHandler, Plugin } from '../../lib/ilp';

export interface FakePlugin extends Plugin {
  /** Everything passed to sendData, in order. */
  readonly sent: Buffer[];
  /** The registered handler, if any. */
  handler: DataHandler | undefined;
  registrations: number;
  deregistrations: number;
}

export function fakePlugin(sendData: (data: Buffer) => Promise<Buffer> = () => new Promise<Buffer>(() => undefined)): FakePlugin {
  const plugin: FakePlugin = {
    sent: [],
    handler: undefined,
    registrations: 0,
    deregistrations: 0,
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    isConnected: () => true,
    sendData: (data) => {
      plugin.sent.push(data);
      return sendData(data);
    },
    registerDataHandler: (handler) => {
      if (plugin.handler) throw new Error('a handler is already registered');
      plugin.handler = handler;
      plugin.registrations += 1;
    },
    deregisterDataHandler: () => {
      plugin.handler = undefined;
      plugin.deregistrations += 1;
    },
  };
  return plugin;
}

/**
 * A plugin whose every sendData subscribes to `replies` and resolves with its first value (never,
 * for a silent cold Observable). Marble tests read the sends off `replies`' subscriptions.
 */
export function observablePlugin(replies: Observable<Buffer>): FakePlugin {
  return fakePlugin(
    () =>
      new Promise<Buffer>((resolve) => {
        replies.subscribe(resolve);
      }),
  );
}
