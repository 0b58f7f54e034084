import { createHash } from 'node:crypto';
import { asyncScheduler, firstValueFrom, type SchedulerLike } from 'rxjs';
import {
  fetchIldcp,
  ilpReject,
  type IlpPrepare,
  readF08Data,
  rejectF99,
  serializeIlpFulfill,
  serializeIlpPrepare,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';
import { answerWith, connectedNetwork, prepareTo, send } from './helpers';

const MAX_U64 = 2n ** 64n - 1n;
const fulfillReply = { type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 1), data: Buffer.alloc(0) } as const;
const echoAmount = (prepare: IlpPrepare) => rejectF99(Buffer.from(prepare.amount.toString()));

describe('memory connector: routing (RFC 27 §overview, RFC 15)', () => {
  it('delivers to the other end at its exact address and at any address below it', async () => {
    const network = await connectedNetwork();
    const seen: IlpPrepare[] = [];
    answerWith(network.server, echoAmount, seen);
    for (const destination of ['test.memory.server', 'test.memory.server.conn-1', 'test.memory.server.a.b']) {
      expect(await send(network.client, prepareTo(destination))).toMatchObject({ code: 'F99' });
    }
    expect(seen.map((prepare) => prepare.destination)).toEqual(['test.memory.server', 'test.memory.server.conn-1', 'test.memory.server.a.b']);
  });

  it('answers F02 from the connector for any other destination', async () => {
    const network = await connectedNetwork();
    const seen: IlpPrepare[] = [];
    answerWith(network.server, echoAmount, seen);
    answerWith(network.client, echoAmount, seen);
    for (const destination of ['test.memory.serverx', 'test.memory.client', 'g.elsewhere', 'test.memory']) {
      expect(await send(network.client, prepareTo(destination))).toMatchObject({ code: 'F02', triggeredBy: 'test.memory' });
    }
    expect(seen).toEqual([]);
  });

  it('routes server-to-client Prepares to the client address', async () => {
    const network = await connectedNetwork({ client: { address: 'private.alice' } });
    answerWith(network.client, echoAmount);
    expect(await send(network.server, prepareTo('private.alice.x'))).toMatchObject({ code: 'F99' });
    expect(await send(network.server, prepareTo('test.memory.client'))).toMatchObject({ code: 'F02' });
  });

  it('answers F01 for bytes that are not a Prepare', async () => {
    const network = await connectedNetwork({ connectorAddress: 'test.connie' });
    expect(await send(network.client, Buffer.from([1, 2, 3]))).toMatchObject({ code: 'F01', triggeredBy: 'test.connie' });
  });

  it('answers T01 when the other end is disconnected or has no data handler', async () => {
    const network = await connectedNetwork();
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T01', message: expect.stringContaining('no data handler') });
    answerWith(network.server, echoAmount);
    await network.server.disconnect();
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T01', message: expect.stringContaining('not connected') });
  });
});

describe('memory connector: amounts', () => {
  it('applies the client-to-server rate exactly and floors (0.5: 117 -> 58), the inverse back (58 -> 116)', async () => {
    const network = await connectedNetwork({ exchangeRate: 0.5 });
    answerWith(network.server, echoAmount);
    answerWith(network.client, echoAmount);
    expect((await send(network.client, prepareTo('test.memory.server', 117n))).data.toString()).toBe('58');
    expect((await send(network.server, prepareTo('test.memory.client', 58n))).data.toString()).toBe('116');
  });

  it("applies decimal-string rates without floating point ('1.37': 999999999999 -> 1369999999998)", async () => {
    const network = await connectedNetwork({ exchangeRate: '1.37' });
    answerWith(network.server, echoAmount);
    expect((await send(network.client, prepareTo('test.memory.server', 999_999_999_999n))).data.toString()).toBe('1369999999998');
  });

  it('changes nothing in the Prepare but the amount (27-Prep-b: condition and data are never modified)', async () => {
    const network = await connectedNetwork({ exchangeRate: '1/3' });
    const seen: IlpPrepare[] = [];
    answerWith(network.server, echoAmount, seen);
    const sent = prepareTo('test.memory.server.x', 10n);
    await send(network.client, sent);
    expect(seen).toEqual([{ ...sent, amount: 3n }]);
  });

  it('answers F08 with RFC data in source units, checked before conversion (27-F08-a)', async () => {
    const network = await connectedNetwork({ exchangeRate: 0.5, maxPacketAmount: 1000n });
    answerWith(network.server, echoAmount);
    answerWith(network.client, echoAmount);
    const tooLarge = await send(network.client, prepareTo('test.memory.server', 1001n));
    expect(tooLarge).toMatchObject({ code: 'F08', triggeredBy: 'test.memory' });
    expect(readF08Data(tooLarge.data)).toEqual({ receivedAmount: 1001n, maximumAmount: 1000n });
    expect((await send(network.client, prepareTo('test.memory.server', 1000n))).data.toString()).toBe('500');
    const back = await send(network.server, prepareTo('test.memory.client', 1001n));
    expect(readF08Data(back.data)).toEqual({ receivedAmount: 1001n, maximumAmount: 1000n });
  });

  it('answers F08 when the converted amount would not fit a u64, naming the largest amount that does', async () => {
    const network = await connectedNetwork({ exchangeRate: 2 });
    answerWith(network.server, echoAmount);
    const reply = await send(network.client, prepareTo('test.memory.server', MAX_U64));
    expect(readF08Data(reply.data)).toEqual({ receivedAmount: MAX_U64, maximumAmount: 2n ** 63n - 1n });
    expect((await send(network.client, prepareTo('test.memory.server', 2n ** 63n - 1n))).data.toString()).toBe((MAX_U64 - 1n).toString());
  });

  it('follows setExchangeRate and setMaxPacketAmount for Prepares sent afterwards', async () => {
    const network = await connectedNetwork({ maxPacketAmount: 10 });
    answerWith(network.server, echoAmount);
    expect(await send(network.client, prepareTo('test.memory.server', 20n))).toMatchObject({ code: 'F08' });
    network.setMaxPacketAmount(undefined);
    network.setExchangeRate('0.25');
    expect((await send(network.client, prepareTo('test.memory.server', 20n))).data.toString()).toBe('5');
    network.setMaxPacketAmount('4');
    expect(readF08Data((await send(network.client, prepareTo('test.memory.server', 20n))).data)?.maximumAmount).toBe(4n);
  });
});

describe('memory connector: expiry (27-Term-a, E26)', () => {
  function clock(start: number): SchedulerLike & { time: number } {
    const scheduler = { time: start, now: () => scheduler.time, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    return scheduler as unknown as SchedulerLike & { time: number };
  }

  it('answers R00 for a Prepare already expired when it arrives, without delivering it', async () => {
    const scheduler = clock(1_000);
    const network = await connectedNetwork({ scheduler });
    const seen: IlpPrepare[] = [];
    answerWith(network.server, echoAmount, seen);
    const reply = await send(network.client, prepareTo('test.memory.server', 1n, new Date(999)));
    expect(reply).toMatchObject({ code: 'R00', triggeredBy: 'test.memory' });
    expect(seen).toEqual([]);
    expect(await send(network.client, prepareTo('test.memory.server', 1n, new Date(1_000)))).toMatchObject({ code: 'F99' });
  });

  it('turns a Fulfill that comes back after the expiry into R00', async () => {
    const scheduler = clock(0);
    const network = await connectedNetwork({ scheduler });
    network.server.registerDataHandler(async () => {
      scheduler.time = 101;
      return serializeIlpFulfill(fulfillReply);
    });
    expect(await send(network.client, prepareTo('test.memory.server', 1n, new Date(100)))).toMatchObject({ code: 'R00' });
    scheduler.time = 0;
    network.server.deregisterDataHandler();
    network.server.registerDataHandler(async () => serializeIlpFulfill(fulfillReply));
    expect(await send(network.client, prepareTo('test.memory.server', 1n, new Date(100)))).toMatchObject({ type: IlpPacketType.Fulfill });
  });
});

describe('memory connector: replies', () => {
  it('passes the reply back unchanged, the very same bytes', async () => {
    const network = await connectedNetwork();
    const reply = Buffer.from([14, 9, 0x46, 0x39, 0x39, 0, 3, 0x61, 0x62, 0x63, 0]);
    network.server.registerDataHandler(() => Promise.resolve(reply));
    expect(await network.client.sendData(serializeIlpPrepare(prepareTo('test.memory.server')))).toBe(reply);
  });

  it('passes an undecodable reply through too; the sender decides what it means', async () => {
    const network = await connectedNetwork();
    network.server.registerDataHandler(() => Promise.resolve(Buffer.from([99])));
    expect(await network.client.sendData(serializeIlpPrepare(prepareTo('test.memory.server')))).toEqual(Buffer.from([99]));
  });

  it.each<[string, () => Promise<Buffer>]>([
    ['throws', () => { throw new Error('handler bug'); }],
    ['rejects', () => Promise.reject(new Error('handler bug'))],
    ['resolves with a non-Buffer', () => Promise.resolve('text' as unknown as Buffer)],
    ['returns no promise', () => undefined as unknown as Promise<Buffer>],
  ])('answers T00 when the data handler %s', async (_name, handler) => {
    const network = await connectedNetwork();
    network.server.registerDataHandler(handler);
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T00', triggeredBy: 'test.memory' });
  });

  it('checks fulfillments only when verifyFulfillments is on (F05 for a wrong one, E38)', async () => {
    const fulfillment = Buffer.alloc(32, 7);
    const condition = createHash('sha256').update(fulfillment).digest();
    const prepare = { ...prepareTo('test.memory.server'), executionCondition: condition };
    for (const [verify, sent, expected] of [
      [true, fulfillment, IlpPacketType.Fulfill],
      [true, Buffer.alloc(32, 8), 'F05'],
      [false, Buffer.alloc(32, 8), IlpPacketType.Fulfill],
    ] as const) {
      const network = await connectedNetwork({ verifyFulfillments: verify });
      network.server.registerDataHandler(async () => serializeIlpFulfill({ fulfillment: sent, data: Buffer.alloc(0) }));
      const reply = await send(network.client, prepare);
      expect(reply.type === IlpPacketType.Reject ? reply.code : reply.type).toBe(expected);
    }
  });
});

describe('memory connector: IL-DCP (RFC 31, I-17)', () => {
  it("answers peer.config with the sending end's configuration", async () => {
    const network = await connectedNetwork({ client: { address: 'test.alice', assetCode: 'USD', assetScale: 2 }, server: { assetCode: 'EUR' } });
    expect(await firstValueFrom(fetchIldcp(network.client))).toEqual({ clientAddress: 'test.alice', assetCode: 'USD', assetScale: 2 });
    expect(await firstValueFrom(fetchIldcp(network.server))).toEqual({ clientAddress: 'test.memory.server', assetCode: 'EUR', assetScale: 9 });
  });

  it('counts IL-DCP separately from Prepares that cross the network', async () => {
    const network = await connectedNetwork();
    await firstValueFrom(fetchIldcp(network.client));
    expect(network.stats.clientToServer).toMatchObject({ ildcp: 1, prepares: 0, fulfilled: 0, delivered: 0 });
  });
});

describe('memory connector: fault injection (onPrepare)', () => {
  it('answers with the injected reject instead of forwarding, and sees each Prepare with its direction', async () => {
    const calls: string[] = [];
    const network = await connectedNetwork({
      onPrepare: (prepare, direction) => {
        calls.push(`${direction} ${prepare.amount}`);
        return prepare.amount === 13n ? ilpReject('T04', 'injected', Buffer.from([1]), 'test.fault') : undefined;
      },
    });
    const seen: IlpPrepare[] = [];
    answerWith(network.server, echoAmount, seen);
    answerWith(network.client, echoAmount);
    expect(await send(network.client, prepareTo('test.memory.server', 13n))).toMatchObject({ code: 'T04', message: 'injected', triggeredBy: 'test.fault', data: Buffer.from([1]) });
    expect(await send(network.client, prepareTo('test.memory.server', 12n))).toMatchObject({ code: 'F99' });
    expect(await send(network.server, prepareTo('test.memory.client', 13n))).toMatchObject({ code: 'T04' });
    expect(calls).toEqual(['clientToServer 13', 'clientToServer 12', 'serverToClient 13']);
    expect(seen.map((prepare) => prepare.amount)).toEqual([12n]);
  });

  it('sees IL-DCP requests too, so IL-DCP failures can be injected', async () => {
    const network = await connectedNetwork({ onPrepare: (prepare) => (prepare.destination === 'peer.config' ? ilpReject('F02') : undefined) });
    await expect(firstValueFrom(fetchIldcp(network.client))).rejects.toMatchObject({ code: 'ILDCP_REJECTED', ilpCode: 'F02' });
  });

  it('answers T00 when the hook throws or returns an invalid reject', async () => {
    const network = await connectedNetwork({ onPrepare: () => { throw new Error('hook bug'); } });
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T00', message: expect.stringContaining('hook bug') });
    network.setOnPrepare(() => ({ code: 'bad code', triggeredBy: '', message: '', data: Buffer.alloc(0) }));
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T00', message: expect.stringContaining('invalid reject') });
    network.setOnPrepare(undefined);
    expect(await send(network.client, prepareTo('test.memory.server'))).toMatchObject({ code: 'T01' });
  });
});

describe('memory connector: counters', () => {
  it('counts Prepares, deliveries, fulfills, rejects and fulfilled amounts per direction', async () => {
    const network = await connectedNetwork({ exchangeRate: 0.5, maxPacketAmount: 100 });
    answerWith(network.server, (prepare) => (prepare.amount >= 20n ? fulfillReply : echoAmount(prepare)));
    await send(network.client, prepareTo('test.memory.server', 40n)); // fulfilled, 20 arrives
    await send(network.client, prepareTo('test.memory.server', 60n)); // fulfilled, 30 arrives
    await send(network.client, prepareTo('test.memory.server', 10n)); // rejected by the server
    await send(network.client, prepareTo('test.memory.server', 101n)); // F08 from the network
    await send(network.client, prepareTo('g.nowhere', 1n)); // F02 from the network
    expect(network.stats.clientToServer).toEqual({
      prepares: 5, delivered: 3, fulfilled: 2, rejected: 3, ildcp: 0, sourceAmountFulfilled: 100n, destinationAmountFulfilled: 50n,
    });
    expect(network.stats.serverToClient.prepares).toBe(0);
    network.resetStats();
    expect(network.stats.clientToServer.prepares).toBe(0);
  });
});

describe('memory connector: never crashes on what handlers and hooks throw', () => {
  it('keeps a huge error message within the RFC 27 limit instead of failing to build the T00', async () => {
    const network = await connectedNetwork();
    network.server.registerDataHandler(() => Promise.reject(new Error('x'.repeat(100_000))));
    const reply = await send(network.client, prepareTo('test.memory.server'));
    expect(reply).toMatchObject({ code: 'T00' });
    expect(reply.type === IlpPacketType.Reject && Buffer.byteLength(reply.message)).toBeLessThanOrEqual(8191);
  });
});
