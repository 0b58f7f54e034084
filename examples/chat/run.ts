/**
 * A chat over STREAM data: two peers, one stream carrying lines both ways over BTP on 127.0.0.1.
 *
 * - `npm run example:chat` plays a scripted conversation between two child processes (host and
 *   guest) and exits 0 only if each heard exactly what the other said: every line, in order,
 *   including a paste longer than one packet with multi-byte characters cut at packet boundaries.
 * - `npm run example:chat -- host` hosts a chat in this terminal and prints the command for the
 *   other one: `npm run example:chat -- join <ticket>`.
 *
 * @example
 * ```sh
 * npm run example:chat
 * # guest> hello, is this the STREAM chat?
 * # host>  it is: every byte you type travels in ILP packets
 * # ...
 * # OK: each peer heard exactly what the other said (4 + 4 lines)
 * ```
 */
import { type Role, linesOf } from './conversation';
import { runGuest, runHost } from './peers';
import { type ExampleMessage, type ExampleProcess, describeError, startExample } from '../btp-payment/processes';

const SELF = 'examples/chat/run.ts';

/** Fails the run if the peers take longer than this (a hung peer must not hang CI). */
const DEADLINE_MS = 120_000;

function heardLines(message: ExampleMessage): string[] {
  const heard = message['heard'];
  if (!Array.isArray(heard) || !heard.every((line): line is string => typeof line === 'string')) {
    throw new Error(`the ${String(message['role'])}'s transcript has no list of lines`);
  }
  return heard;
}

/** Compares what `listener` heard with what the other peer's script says; returns the problems. */
function compare(listener: Role, heard: readonly string[]): string[] {
  const said = linesOf(listener === 'host' ? 'guest' : 'host');
  const problems: string[] = [];
  if (heard.length !== said.length) problems.push(`the ${listener} heard ${heard.length} lines, ${said.length} were said`);
  said.forEach((line, index) => {
    if (heard[index] !== line) problems.push(`the ${listener}'s line ${index + 1} differs from what was said`);
  });
  return problems;
}

async function scripted(): Promise<number> {
  const host = startExample(SELF, ['host', '--scripted']);
  const peers: ExampleProcess[] = [host];
  const deadline = setTimeout(() => {
    console.error(`chat: no result after ${DEADLINE_MS} ms; stopping the peers`);
    for (const { child } of peers) child.kill();
  }, DEADLINE_MS);
  try {
    const ticket = await host.message('ticket');
    const guest = startExample(SELF, ['join', '--scripted']);
    peers.push(guest);
    guest.child.stdin?.end(`${JSON.stringify(ticket['ticket'])}\n`);
    const [hostTranscript, guestTranscript] = await Promise.all([host.message('transcript'), guest.message('transcript')]);
    // The guest leaves first; then the host is told to quit (end of its stdin).
    const guestCode = await guest.exited;
    host.child.stdin?.end();
    const hostCode = await host.exited;

    const problems = [...compare('host', heardLines(hostTranscript)), ...compare('guest', heardLines(guestTranscript))];
    if (hostCode !== 0 || guestCode !== 0) problems.push(`exit codes: host ${hostCode}, guest ${guestCode}`);
    for (const problem of problems) console.log(`MISMATCH: ${problem}`);
    if (problems.length > 0) return 1;
    console.log(`OK: each peer heard exactly what the other said (${linesOf('guest').length} + ${linesOf('host').length} lines)`);
    return 0;
  } finally {
    clearTimeout(deadline);
    for (const { child } of peers) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const scriptedPeer = argv.includes('--scripted');
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  switch (positional[0]) {
    case undefined:
      console.log('chat: a scripted conversation between two processes over STREAM data (BTP on 127.0.0.1)');
      return scripted();
    case 'host':
      return runHost({ scripted: scriptedPeer });
    case 'join':
      return runGuest(positional[1], { scripted: scriptedPeer });
    default:
      throw new TypeError(`unknown mode ${JSON.stringify(positional[0])}: use no argument (scripted), "host", or "join <ticket>"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`chat failed: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
