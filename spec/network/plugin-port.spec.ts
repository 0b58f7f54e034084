/**
 * The connector between any two plugins (what the BTP network is built from), checked without
 * sockets: scripted Promise plugins stand in for the two links.
 */
import { firstValueFrom } from 'rxjs';
import {
  deserializeIlpPrepare,
  deserializeIlpReply,
  type IlpReply,
  ildcpRequest,
  rejectF99,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../../lib/ilp';
import { Connector } from '../../lib/network/connector';
import { resolveOptions } from '../../lib/network/options';
import { PluginPort, servePort } from '../../lib/network/plugin-port';
import { fakePlugin, type FakePlugin, observablePlugin } from '../ilp/fake-plugin';
import { IlpPacketType } from '../../lib/wire/types';
import { prepareTo } from './helpers';

function link(sendData: (data: Buffer) => Promise<Buffer> = () => Promise.reject(new Error('nobody there'))): FakePlugin & { connected: boolean } {
  return Object.assign(fakePlugin(sendData), { connected: true, isConnected(this: { connected: boolean }) { return this.connected; } });
}

function setUp(right: FakePlugin, options: Parameters<typeof resolveOptions>[0] = {}) {
  const resolved = resolveOptions({ client: { address: 'test.left' }, server: { address: 'test.right' }, ...options });
  const connector = new Connector(resolved);
  const left = link();
  const leftPort = new PluginPort('client', 'clientToServer', resolved.client, left);
  const rightPort = new PluginPort('server', 'serverToClient', resolved.server, right);
  const stop = servePort(connector, leftPort, rightPort);
  servePort(connector, rightPort, leftPort);
  /** A Prepare from the left link's far end, as its plugin hands it to the connector. */
  const fromLeft = async (bytes: Buffer): Promise<IlpReply> => deserializeIlpReply(await left.handler!(bytes));
  return { left, leftPort, rightPort, fromLeft, stop };
}

describe('servePort + PluginPort: the connector between two Promise plugins', () => {
  it('forwards to the right plugin with the amount converted, and passes its reply back (RFC 27 §overview)', async () => {
    const right = link(async (data) => serializeIlpReply(rejectF99(Buffer.from(deserializeIlpPrepare(data).amount.toString()))));
    const { fromLeft, leftPort } = setUp(right, { exchangeRate: '1/4' });
    expect(await fromLeft(serializeIlpPrepare(prepareTo('test.right.x', 100n)))).toEqual(rejectF99(Buffer.from('25')));
    expect(leftPort.stats).toMatchObject({ prepares: 1, delivered: 1, rejected: 1 });
  });

  it('answers IL-DCP from the sending side, T01 while the other link is down, T00 when its send fails', async () => {
    const right = link();
    const { fromLeft } = setUp(right);
    const ildcp = await fromLeft(serializeIlpPrepare(ildcpRequest(new Date(Date.now() + 1000))));
    expect(ildcp.type).toBe(IlpPacketType.Fulfill);
    expect(await fromLeft(serializeIlpPrepare(prepareTo('test.right')))).toMatchObject({ code: 'T00', message: expect.stringContaining('nobody there') });
    right.connected = false;
    expect(await fromLeft(serializeIlpPrepare(prepareTo('test.right')))).toMatchObject({ code: 'T01', message: 'test.right is not connected' });
  });

  it('registers an Observable handler on an ObservablePlugin, and deregisters on stop', async () => {
    const resolved = resolveOptions();
    const plugin = observablePlugin();
    const port = new PluginPort('client', 'clientToServer', resolved.client, plugin);
    const stop = servePort(new Connector(resolved), port, new PluginPort('server', 'serverToClient', resolved.server, link()));
    expect([typeof plugin.observableHandler, plugin.handler]).toEqual(['function', undefined]);
    const reply = deserializeIlpReply(await firstValueFrom(plugin.observableHandler!(Buffer.from([1, 2]))));
    expect(reply).toMatchObject({ code: 'F01' });
    stop();
    expect(plugin.observableHandler).toBeUndefined();
  });
});
