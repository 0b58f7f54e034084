import BtpPlugin from 'ilp-plugin-btp';
import MiniAccountsPlugin from 'ilp-plugin-mini-accounts';
import { firstValueFrom } from 'rxjs';
import { fetchIldcp, type Plugin } from '../../lib/ilp';
import { isIlpAddress } from '../../lib/wire/address';
import { freePort } from '../helpers/free-port';

describe('Plugin contract (DESIGN.md §2) against real BTP plugins', () => {
  it('is satisfied by ilp-plugin-btp and ilp-plugin-mini-accounts at the type level', () => {
    const client: Plugin = new BtpPlugin({ server: 'btp+ws://:secret@127.0.0.1:1' });
    const server: Plugin = new MiniAccountsPlugin({ wsOpts: { host: '127.0.0.1', port: 1 } });
    // @ts-expect-error an object without sendData is not a Plugin, so the assignments above mean something
    const incomplete: Plugin = { connect: client.connect, disconnect: client.disconnect, isConnected: () => false };
    expect([typeof client.sendData, typeof server.registerDataHandler, typeof incomplete]).toEqual(['function', 'function', 'object']);
  });

  it('fetches IL-DCP over BTP from a mini-accounts server on 127.0.0.1 (I-17)', async () => {
    const port = await freePort();
    const host = { clientAddress: 'test.host', assetCode: 'USD', assetScale: 6 };
    const server: Plugin = new MiniAccountsPlugin({ wsOpts: { host: '127.0.0.1', port }, debugHostIldcpInfo: host });
    const client: Plugin = new BtpPlugin({ server: `btp+ws://:secret@127.0.0.1:${port}` });
    try {
      await server.connect();
      await client.connect();
      expect(client.isConnected()).toBe(true);
      const info = await firstValueFrom(fetchIldcp(client, { timeoutMs: 3000 }));
      expect(info.clientAddress.startsWith('test.host.')).toBe(true);
      expect(isIlpAddress(info.clientAddress)).toBe(true);
      expect([info.assetCode, info.assetScale]).toEqual(['USD', 6]);
    } finally {
      await client.disconnect();
      await server.disconnect();
    }
  }, 5000);
});
