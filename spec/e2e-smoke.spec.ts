import { lastValueFrom } from 'rxjs';
import { createConnection, createPluginPair, createServer } from '../lib';

it('smoke: client pays server over the memory network', async () => {
  const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: 0.5, maxPacketAmount: 1000 });
  const server = await createServer({ plugin: serverPlugin });
  let received = 0n;
  server.connections$.subscribe((c) => c.streams$.subscribe((s) => s.money$.subscribe((a) => (received += a))));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const connection = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret });
  const stream = connection.createStream();
  await lastValueFrom(stream.sendMoney(100_000));
  console.log(connection.totals, received, connection.exchangeRate);
  await connection.end();
  await server.close();
  expect(received).toBe(connection.totals.delivered);
});

it('smoke: server pays client back, both directions at once', async () => {
  const [clientPlugin, serverPlugin] = createPluginPair({ exchangeRate: 2, maxPacketAmount: 1000 });
  const server = await createServer({ plugin: serverPlugin });
  let serverReceived = 0n;
  const serverSide = new Promise<import('../lib').Connection>((resolve) => server.connections$.subscribe((c) => { resolve(c); c.streams$.subscribe((s) => s.money$.subscribe((a) => (serverReceived += a))); }));
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const connection = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret });
  let clientReceived = 0n;
  connection.streams$.subscribe((s) => s.money$.subscribe((a) => (clientReceived += a)));
  const up = lastValueFrom(connection.createStream().sendMoney(10_000));
  await new Promise((r) => setTimeout(r, 10));
  const serverConnection = await serverSide;
  const down = lastValueFrom(serverConnection.createStream().sendMoney(8_000));
  await Promise.all([up, down]);
  console.log(connection.totals, serverConnection.totals, serverReceived, clientReceived);
  await connection.end();
  await server.close();
  expect(serverReceived).toBe(connection.totals.delivered);
  expect(clientReceived).toBe(serverConnection.totals.delivered);
});
