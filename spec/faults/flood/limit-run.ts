/**
 * A flood larger than `maxConnections` (run by spec/faults/flood.spec.ts in a child process: jest's
 * sandbox makes this many crypto round trips several times slower). A real client is admitted
 * first and pays during and after the flood; FLOOD_CONNECTIONS raw clients then try to connect to
 * a server with room for half of them. Prints one JSON line with what happened; the spec asserts.
 */
import { firstValueFrom, lastValueFrom, take } from 'rxjs';
import { FrameType, IlpPacketType, createConnection, createMemoryNetwork, createServer, type Connection } from '../../../lib';
import { closeFrame, helloFrames, moneyFrame, rawCredentials, sendRawPacket, type RawCredentials } from './raw-peer';

const COUNT = Number(process.env['FLOOD_CONNECTIONS'] ?? 20_000);
const BATCH = 250;

async function main(): Promise<void> {
  const started = Date.now();
  const limit = Math.max(1, Math.floor(COUNT / 2));
  const network = createMemoryNetwork();
  // Idle cleanup is not what this run is about: a slow machine must not close the real client.
  const tuning = { idleTimeoutMs: 600_000 };
  const server = await createServer({ plugin: network.server, maxConnections: limit + 1, ...tuning });
  let announced = 0;
  server.connections$.subscribe(() => (announced += 1));

  const serverSide = firstValueFrom(server.connections$.pipe(take(1)));
  const client = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret(), ...tuning });
  const realServerConnection: Connection = await serverSide;
  const paidDuring = lastValueFrom(client.createStream().sendMoney(1_000));

  const admitted: RawCredentials[] = [];
  const refused: RawCredentials[] = [];
  const codes: Record<string, number> = {};
  for (let done = 0; done < COUNT; done += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, COUNT - done) }, async () => {
        const credentials = rawCredentials(server.generateAddressAndSecret());
        const { reply } = await sendRawPacket(network.client, credentials, { sequence: 1n, frames: helloFrames('test.memory.client.raw') });
        const code = reply.type === IlpPacketType.Fulfill ? 'fulfill' : reply.code;
        codes[code] = (codes[code] ?? 0) + 1;
        (reply.type === IlpPacketType.Fulfill ? admitted : refused).push(credentials);
      }),
    );
  }
  const afterFlood = { ...server.stats, connectionCount: server.connectionCount, announced };

  const deliveredDuring = (await paidDuring).delivered;
  const deliveredAfter = (await lastValueFrom(client.createStream().sendMoney(500))).delivered;
  const realReceived = realServerConnection.totals.received;

  // Admitted raw connections still take money: a sample of 50 spread over the flood.
  const step = Math.max(1, Math.floor(admitted.length / 50));
  let sampled = 0;
  let sampleFulfilled = 0;
  for (let i = 0; i < admitted.length; i += step) {
    sampled += 1;
    const { reply, packet } = await sendRawPacket(network.client, admitted[i] as RawCredentials, { sequence: 2n, amount: 10n, frames: [moneyFrame(1n)] });
    const credited = packet?.frames.some((f) => f.type === FrameType.StreamMaxMoney && f.totalReceived === 10n) ?? false;
    if (reply.type === IlpPacketType.Fulfill && credited) sampleFulfilled += 1;
  }

  // A close frees a slot: a client refused before gets in now.
  let slot: { countAfterClose: number; retry: string; countAfterRetry: number } | undefined;
  const firstRefused = refused[0];
  const firstAdmitted = admitted[0];
  if (firstRefused && firstAdmitted) {
    await sendRawPacket(network.client, firstAdmitted, { sequence: 3n, frames: [closeFrame()] });
    const countAfterClose = server.connectionCount;
    const { reply } = await sendRawPacket(network.client, firstRefused, { sequence: 2n, frames: helloFrames('test.memory.client.raw') });
    slot = { countAfterClose, retry: reply.type === IlpPacketType.Fulfill ? 'fulfill' : reply.code, countAfterRetry: server.connectionCount };
  }

  const closingStarted = Date.now();
  await client.end();
  await server.close();
  const closeMs = Date.now() - closingStarted;
  const result = { count: COUNT, limit, codes, afterFlood, deliveredDuring: String(deliveredDuring), deliveredAfter: String(deliveredAfter), realReceived: String(realReceived), sampled, sampleFulfilled, slot, countAfterServerClose: server.connectionCount, closeMs, totalMs: Date.now() - started };
  process.stdout.write(`LIMIT_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
