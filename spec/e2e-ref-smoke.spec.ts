import { lastValueFrom } from 'rxjs';
import { createConnection, createPluginPair, createServer } from '../lib';
import { reference } from './interop/reference-shim';

jest.setTimeout(20000);

it('reference client pays our server', async () => {
  const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: 0.5, maxPacketAmount: 1000 });
  const server = await createServer({ plugin: serverPlugin });
  let received = 0n;
  server.connections$.subscribe((c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => (received += a))));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const conn = await reference.createConnection({ plugin: clientPlugin as any, destinationAccount, sharedSecret });
  const stream = conn.createStream();
  await stream.sendTotal(100_000);
  console.log(conn.totalDelivered, conn.totalSent, received);
  await conn.end();
  await server.close();
  expect(received.toString()).toBe(conn.totalDelivered);
});

it('our client pays the reference server', async () => {
  const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: 0.5, maxPacketAmount: 1000 });
  const server = await reference.createServer({ plugin: serverPlugin as any });
  let received = 0n;
  server.on('connection', (c: any) => c.on('stream', (s: any) => { s.setReceiveMax(1e15); s.on('money', (a: string) => (received += BigInt(a))); }));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const connection = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret });
  const stream = connection.createStream();
  await lastValueFrom(stream.sendMoney(100_000));
  console.log(connection.totals, received);
  await connection.end();
  await server.close();
  expect(received).toBe(connection.totals.delivered);
});
