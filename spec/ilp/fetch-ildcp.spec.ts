import { catchError, firstValueFrom, lastValueFrom, of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import * as IlpPacket from 'ilp-packet';
import * as ILDCP from 'ilp-protocol-ildcp';
import {
  deserializeIlpPrepare,
  fetchIldcp,
  type IldcpError,
  isIldcpError,
  isIlpArgumentError,
  rejectF02,
  serializeIlpFulfill,
  serializeIlpReply,
} from '../../lib/ilp';
import { fakePlugin, observablePlugin } from './fake-plugin';

const config = { clientAddress: 'test.parent.child', assetCode: 'USD', assetScale: 6 };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('fetchIldcp (RFC 31, I-17)', () => {
  it("learns the address and asset from ilp-protocol-ildcp's own server", async () => {
    const plugin = fakePlugin((request) =>
      ILDCP.serve({ requestPacket: request, handler: () => Promise.resolve(config), serverAddress: 'test.parent' }),
    );
    expect(await firstValueFrom(fetchIldcp(plugin))).toEqual(config);
  });

  it('sends one request per subscription (cold), to peer.config, expiring timeoutMs after subscription', async () => {
    const plugin = fakePlugin(() => Promise.resolve(ILDCP.serializeIldcpResponse(config)));
    const fetch$ = fetchIldcp(plugin, { timeoutMs: 5000 });
    expect(plugin.sent).toHaveLength(0);
    const before = Date.now();
    await lastValueFrom(fetch$);
    await lastValueFrom(fetch$);
    expect(plugin.sent).toHaveLength(2);
    const request = deserializeIlpPrepare(plugin.sent[0]!);
    expect(request.destination).toBe('peer.config');
    expect(request.expiresAt.getTime() - before).toBeGreaterThanOrEqual(5000);
    expect(request.expiresAt.getTime() - before).toBeLessThan(6000);
  });

  it('errors with ILDCP_REJECTED carrying the ILP code when the parent rejects', async () => {
    const plugin = fakePlugin(() => Promise.resolve(serializeIlpReply(rejectF02('no IL-DCP here'))));
    const error = await failure(firstValueFrom(fetchIldcp(plugin)));
    expect(isIldcpError(error, 'ILDCP_REJECTED')).toBe(true);
    expect(error).toMatchObject({ ilpCode: 'F02', message: expect.stringContaining('no IL-DCP here') });
  });

  it('errors with ILDCP_REJECTED T00 when the plugin fails', async () => {
    const error = await failure(firstValueFrom(fetchIldcp(fakePlugin(() => Promise.reject(new Error('offline'))))));
    expect(error).toMatchObject({ name: 'IldcpError', code: 'ILDCP_REJECTED', ilpCode: 'T00' });
  });

  it('errors with ILDCP_INVALID_RESPONSE for a wrong fulfillment or undecodable data', async () => {
    const wrongFulfillment = serializeIlpFulfill({ fulfillment: Buffer.alloc(32, 1), data: IlpPacket.deserializeIlpFulfill(ILDCP.serializeIldcpResponse(config)).data });
    const badData = serializeIlpFulfill({ fulfillment: Buffer.alloc(32), data: Buffer.from([200]) });
    for (const reply of [wrongFulfillment, badData]) {
      const error = await failure(firstValueFrom(fetchIldcp(fakePlugin(() => Promise.resolve(reply)))));
      expect(isIldcpError(error, 'ILDCP_INVALID_RESPONSE')).toBe(true);
    }
  });

  it(
    'errors with ILDCP_REJECTED R00 when the parent does not answer within timeoutMs',
    marbles((m) => {
      const replies = m.cold<Buffer>('-');
      const fetch$ = fetchIldcp(observablePlugin(replies), { scheduler: m.scheduler, timeoutMs: 100 }).pipe(
        catchError((error: IldcpError) => of(`${error.name} ${error.code} ${error.ilpCode}`)),
      );
      m.expect(fetch$, '- 9ms ^').toBeObservable('- 109ms (e|)', { e: 'IldcpError ILDCP_REJECTED R00' });
      m.expect(replies).toHaveSubscriptions('- 9ms ^ 99ms !');
    }),
  );

  it.each<[string, () => unknown]>([
    ['plugin', () => fetchIldcp(undefined as never)],
    ['options.timeoutMs', () => fetchIldcp(fakePlugin(), { timeoutMs: 0 })],
    ['options.timeoutMs', () => fetchIldcp(fakePlugin(), { timeoutMs: Infinity })],
  ])('throws IlpArgumentError naming %s', (argument, call) => {
    let caught: unknown;
    try {
      call();
    } catch (error) {
      caught = error;
    }
    expect(isIlpArgumentError(caught) && caught.argument).toBe(argument);
  });
});
