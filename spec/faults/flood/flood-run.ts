/**
 * The connection flood, measured (run by spec/faults/flood.spec.ts in a child process started
 * with `node --expose-gc -r ts-node/register/transpile-only`, so that `global.gc` exists and the
 * heap holds nothing of jest's).
 *
 * Two servers on two in-memory networks. On the first, FLOOD_CONNECTIONS valid new connections
 * open (each with the first packet a client sends: ConnectionNewAddress and asset details), the
 * heap is measured, then every client closes with ConnectionClose and the heap is measured again.
 * On the second (idle timeout FLOOD_IDLE_MS), as many connections open and nobody closes them:
 * the idle timeout must empty the pool. Prints one JSON line with the figures.
 */
import type { Connection, Server } from '../../../lib';
import { createMemoryNetwork, createServer } from '../../../lib';
import { closeFrame, helloFrames, rawCredentials, sendRawPacket } from './raw-peer';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const COUNT = Number(process.env['FLOOD_CONNECTIONS'] ?? 20_000);
const IDLE_MS = Number(process.env['FLOOD_IDLE_MS'] ?? 1_000);
const BATCH = 250;

interface HeapFigures {
  readonly heapUsed: number;
  readonly external: number;
  readonly total: number;
}

async function measure(): Promise<HeapFigures> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external, total: heapUsed + external };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the pool to empty');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens `count` connections on `server` through `plugin`, `BATCH` at a time; all must be fulfilled. */
async function flood(server: Server, plugin: Parameters<typeof sendRawPacket>[0], count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const batch: Array<Promise<void>> = [];
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const credentials = rawCredentials(server.generateAddressAndSecret());
      batch.push(
        sendRawPacket(plugin, credentials, { sequence: 1n, frames: helloFrames('test.memory.client') }).then(({ reply }) => {
          if (reply.type !== 13) throw new Error(`connection ${i} was not opened: ${JSON.stringify(reply)}`);
        }),
      );
    }
    await Promise.all(batch);
  }
}

async function closeAll(connections: Connection[], plugin: Parameters<typeof sendRawPacket>[0]): Promise<void> {
  for (let done = 0; done < connections.length; done += BATCH) {
    await Promise.all(
      connections.slice(done, done + BATCH).map((c) => sendRawPacket(plugin, { destinationAccount: c.sourceAccount, keys: c.keys }, { sequence: 2n, frames: [closeFrame()] })),
    );
  }
}

async function main(): Promise<void> {
  const closing = createMemoryNetwork();
  const idling = createMemoryNetwork();
  const closingServer = await createServer({ plugin: closing.server, maxConnections: COUNT });
  const idlingServer = await createServer({ plugin: idling.server, maxConnections: COUNT, idleTimeoutMs: IDLE_MS });
  await closing.client.connect();
  await idling.client.connect();

  // Warm up both code paths (JIT, pools, lazily built tables) before the baseline.
  const warm: Connection[] = [];
  const warming = closingServer.connections$.subscribe((c) => warm.push(c));
  await flood(closingServer, closing.client, 200);
  await closeAll(warm, closing.client);
  warming.unsubscribe();
  warm.length = 0;
  await flood(idlingServer, idling.client, 200);
  await waitFor(() => idlingServer.connectionCount === 0, 30_000);

  const baseline = await measure();

  const open: Connection[] = [];
  const collecting = closingServer.connections$.subscribe((c) => open.push(c));
  let started = Date.now();
  await flood(closingServer, closing.client, COUNT);
  const openMs = Date.now() - started;
  collecting.unsubscribe();
  const pooled = closingServer.connectionCount;
  const afterOpen = await measure();

  started = Date.now();
  await closeAll(open, closing.client);
  open.length = 0;
  await waitFor(() => closingServer.connectionCount === 0, 30_000);
  const closeMs = Date.now() - started;
  const afterClose = await measure();

  started = Date.now();
  await flood(idlingServer, idling.client, COUNT);
  const idleOpened = idlingServer.stats.opened;
  await waitFor(() => idlingServer.connectionCount === 0, 60_000);
  const idleMs = Date.now() - started;
  const afterIdle = await measure();

  const result = {
    connections: COUNT,
    pooledAfterOpen: pooled,
    baseline,
    afterOpen,
    afterClose,
    afterIdle,
    bytesPerOpenConnection: Math.round((afterOpen.total - baseline.total) / COUNT),
    heapAfterCloseDelta: afterClose.total - baseline.total,
    heapAfterIdleDelta: afterIdle.total - baseline.total,
    closingStats: closingServer.stats,
    idlingStats: { ...idlingServer.stats, openedDuringFlood: idleOpened },
    ms: { open: openMs, close: closeMs, idle: idleMs },
  };
  await closingServer.close();
  await idlingServer.close();
  process.stdout.write(`FLOOD_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
