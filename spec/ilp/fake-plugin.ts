/**
 * A scriptable Plugin for the ILP-layer specs: sendData runs the given function; the registered
 * data handler is kept so a test can deliver packets to it.
 */
import { firstValueFrom, NEVER, type Observable } from 'rxjs';
import type { DataHandler, ObservableDataHandler, ObservablePlugin, Plugin } from '../../lib/ilp';

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

/** A {@link FakePlugin} that is also an {@link ObservablePlugin}. */
export interface FakeObservablePlugin extends FakePlugin, ObservablePlugin {
  /** The registered Observable handler, if any (it shares the one slot with `handler`). */
  observableHandler: ObservableDataHandler | undefined;
  /** How many times each kind of send was called. */
  readonly calls: { sendData: number; sendDataObservable: number };
}

/**
 * An {@link ObservablePlugin} whose every `sendDataObservable` records the bytes and returns
 * `replies` itself, so marble tests read the sends (and their release) off `replies`'
 * subscriptions. Its Promise methods work too but are counted, so a test can show they are unused.
 */
export function observablePlugin(replies: Observable<Buffer> = NEVER): FakeObservablePlugin {
  const base = fakePlugin();
  const plugin: FakeObservablePlugin = Object.assign(base, {
    observableHandler: undefined as ObservableDataHandler | undefined,
    calls: { sendData: 0, sendDataObservable: 0 },
    sendData: (data: Buffer) => {
      plugin.calls.sendData += 1;
      plugin.sent.push(data);
      return firstValueFrom(replies);
    },
    sendDataObservable: (data: Buffer) => {
      plugin.calls.sendDataObservable += 1;
      plugin.sent.push(data);
      return replies;
    },
    registerDataHandler: (handler: DataHandler) => {
      if (plugin.handler || plugin.observableHandler) throw new Error('a handler is already registered');
      plugin.handler = handler;
      plugin.registrations += 1;
    },
    registerObservableDataHandler: (handler: ObservableDataHandler) => {
      if (plugin.handler || plugin.observableHandler) throw new Error('a handler is already registered');
      plugin.observableHandler = handler;
      plugin.registrations += 1;
    },
    deregisterDataHandler: () => {
      plugin.handler = undefined;
      plugin.observableHandler = undefined;
      plugin.deregistrations += 1;
    },
  });
  return plugin;
}
