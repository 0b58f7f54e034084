import BtpPlugin from 'ilp-plugin-btp';
import { firstValueFrom, of } from 'rxjs';
import { isObservablePlugin } from '../../lib/ilp';
import { sendBytes } from '../../lib/ilp/observable-plugin';
import { createPluginPair } from '../../lib/network';
import { fakePlugin, observablePlugin } from './fake-plugin';

describe('isObservablePlugin', () => {
  it('recognises the in-memory plugins and any object with both Observable methods', () => {
    const [client, server] = createPluginPair();
    expect([isObservablePlugin(client), isObservablePlugin(server), isObservablePlugin(observablePlugin())]).toEqual([true, true, true]);
  });

  it('rejects Promise-only plugins (ilp-plugin-btp), half implementations and non-objects', () => {
    const half = { ...fakePlugin(), sendDataObservable: () => of(Buffer.alloc(0)) };
    const candidates: unknown[] = [new BtpPlugin({ server: 'btp+ws://:secret@127.0.0.1:1' }), fakePlugin(), half, null, undefined, 'plugin', () => undefined];
    expect(candidates.map(isObservablePlugin)).toEqual(candidates.map(() => false));
  });
});

describe('sendBytes: one Observable send path for every plugin', () => {
  it('hands back the plugin Observable itself when the plugin has one, never touching sendData', () => {
    const replies = of(Buffer.from([1]));
    const plugin = observablePlugin(replies);
    expect(sendBytes(plugin, Buffer.from([9]))).toBe(replies);
    expect(plugin.calls).toEqual({ sendData: 0, sendDataObservable: 1 });
  });

  it("adapts a Promise plugin: sendData is called at subscription, and its value is emitted", async () => {
    const plugin = fakePlugin(() => Promise.resolve(Buffer.from([7])));
    const reply$ = sendBytes(plugin, Buffer.from([9]));
    expect(plugin.sent).toEqual([]);
    expect(await firstValueFrom(reply$)).toEqual(Buffer.from([7]));
    expect(plugin.sent).toEqual([Buffer.from([9])]);
  });

  it('turns a rejection, a throw and a missing promise into error notifications', async () => {
    const failures = [
      () => Promise.reject(new Error('offline')),
      () => {
        throw new Error('boom');
      },
      () => undefined as unknown as Promise<Buffer>,
    ];
    const errors = await Promise.all(failures.map((send) => firstValueFrom(sendBytes(fakePlugin(send), Buffer.alloc(0))).catch((e: Error) => e.message)));
    expect(errors).toEqual(['offline', 'boom', 'plugin.sendData did not return a promise']);
  });

  it('never leaves an unhandled rejection when the promise rejects after unsubscribe', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const plugin = fakePlugin(() => new Promise<Buffer>((_resolve, reject) => (fail = reject)));
      sendBytes(plugin, Buffer.alloc(0)).subscribe({ error: () => unhandled.push('error reached an unsubscribed observer') }).unsubscribe();
      fail(new Error('late'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
