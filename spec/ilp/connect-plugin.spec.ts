import { firstValueFrom } from 'rxjs';
import { connectPlugin, type Plugin } from '../../lib/ilp';

function plugin(behaviour: 'sync' | 'async' | 'fails' | 'connected'): Plugin & { connects: number } {
  let connected = behaviour === 'connected';
  const fake = {
    connects: 0,
    isConnected: () => connected,
    connect: () => {
      fake.connects += 1;
      if (behaviour === 'fails') return Promise.reject(new Error('refused'));
      if (behaviour === 'sync') connected = true;
      return new Promise<void>((resolve) => setTimeout(() => ((connected = true), resolve()), 5));
    },
    disconnect: () => Promise.resolve(),
    sendData: () => Promise.resolve(Buffer.alloc(0)),
    registerDataHandler: () => undefined,
    deregisterDataHandler: () => undefined,
  };
  return fake;
}

describe('connectPlugin', () => {
  it('continues on the same tick when connect() connects synchronously (virtual time needs no Promise hop)', () => {
    const p = plugin('sync');
    let done = false;
    connectPlugin(p).subscribe({ complete: () => (done = true) });
    expect(done).toBe(true);
    expect(p.connects).toBe(1);
  });

  it('does not connect a connected plugin again', () => {
    const p = plugin('connected');
    let done = false;
    connectPlugin(p).subscribe({ complete: () => (done = true) });
    expect(done).toBe(true);
    expect(p.connects).toBe(0);
  });

  it('waits for a plugin that connects later', async () => {
    const p = plugin('async');
    await firstValueFrom(connectPlugin(p), { defaultValue: undefined });
    expect(p.isConnected()).toBe(true);
  });

  it('errors when connect() rejects', async () => {
    await expect(firstValueFrom(connectPlugin(plugin('fails')))).rejects.toThrow('refused');
  });
});
