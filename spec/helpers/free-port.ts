/**
 * Test helper: TCP ports on 127.0.0.1 for listeners that a test starts a moment later, or starts
 * again on the same port after killing them.
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';

/** Where listener ports come from when the kernel's ephemeral range cannot be read. */
const DEFAULT_EPHEMERAL_LOW = 32768;
/** The lowest port handed out: above the registered ports most services use. */
const LISTENER_PORTS_LOW = 10000;
/** Jest runs at most this many workers here; each gets its own block of ports. */
const WORKER_BLOCKS = 16;

/** The first port of the kernel's ephemeral range (Linux), where outgoing connections get theirs. */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const parsed = Number(low);
    return Number.isInteger(parsed) && parsed > LISTENER_PORTS_LOW + WORKER_BLOCKS ? parsed : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

/** The ports this process may hand out, and the next one to try. */
const portBlock = (() => {
  const size = Math.floor((ephemeralLow() - LISTENER_PORTS_LOW) / WORKER_BLOCKS);
  const worker = Number(process.env['JEST_WORKER_ID'] ?? '1');
  const first = LISTENER_PORTS_LOW + ((Number.isInteger(worker) && worker > 0 ? worker - 1 : 0) % WORKER_BLOCKS) * size;
  // A random start, so two runs on one machine with the same worker id rarely meet.
  return { first, size, next: Math.floor(Math.random() * size) };
})();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createTcpServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1 for a listener that starts a moment later (a connector's, possibly
 * in a child process, possibly restarted on it after a kill).
 *
 * Not the port 0 trick: a port the OS picks comes from its ephemeral range, the same range every
 * outgoing connection of every test takes its local port from, so between this check and the
 * connector's listen another worker's BTP or HTTP client can take it (CI saw `EADDRINUSE`). These
 * ports come from below that range, from this jest worker's own block (`JEST_WORKER_ID`), never
 * handed out twice by one process, and each is checked by binding it.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < portBlock.size; tries++) {
    const port = portBlock.first + (portBlock.next++ % portBlock.size);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${portBlock.first}..${portBlock.first + portBlock.size - 1}`);
}
