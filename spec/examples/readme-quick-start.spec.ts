/**
 * The README's quick start is code users paste: this runs it as written. The ```ts blocks under
 * "### Receiving" and "### Sending" are joined into one program (the sending half uses the
 * plugin and credentials the receiving half set up), type-checked against lib/, and run in a child
 * process that must exit by itself: money and bytes cross the in-memory network at rate 0.5 and
 * both ends report the same amounts. A second program pairs the receiving half with a sender that
 * destroys its connection: the receiver must report it and keep running, as the README promises.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProgramOutput, ROOT, blockUnder, removePrograms, runProgram, typeCheck, writeProgram } from '../docs/code-blocks';

jest.setTimeout(180_000);

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const receiving = blockUnder(readme, '### Receiving');
const sending = blockUnder(readme, '### Sending');

/** Sum of the amounts printed by lines `received 500`. */
function receivedTotal(stdout: string): bigint {
  return [...stdout.matchAll(/^received (\d+)$/gm)].reduce((sum, match) => sum + BigInt(match[1] ?? '0'), 0n);
}

/** The receiving half with a sender that pays a little, then destroys its connection with an error. */
const failingSender = [
  "import { lastValueFrom } from 'rxjs';",
  "import { createConnection } from 'ilp-stream-rx';",
  'const connection = await createConnection({ plugin: clientPlugin, destinationAccount, sharedSecret });',
  'await lastValueFrom(connection.createStream().sendMoney(1_000));',
  "await connection.destroy(new Error('sender gave up'));",
  // The close travels on the network's scheduler (a 0 ms timer): let it arrive before closing.
  'await new Promise((resolve) => setTimeout(resolve, 50));',
  'await server.close();',
].join('\n');

/** Settled, so a failed run is reported by its test, never as an unhandled rejection. */
function settle(run: Promise<ProgramOutput>): Promise<() => ProgramOutput> {
  return run.then(
    (output) => () => output,
    (error: unknown) => () => {
      throw error;
    },
  );
}

describe('README quick start', () => {
  const file = writeProgram('readme-quick-start', [receiving, sending]);
  const peerFails = writeProgram('readme-quick-start-peer-fails', [receiving, failingSender]);
  // Two independent child processes: run them side by side.
  let quickStart: Promise<() => ProgramOutput>;
  let peerFailure: Promise<() => ProgramOutput>;
  afterAll(removePrograms);
  beforeAll(() => {
    quickStart = settle(runProgram(file));
    peerFailure = settle(runProgram(peerFails));
  });

  it('type-checks against the library as written', () => {
    expect(typeCheck([file, peerFails])).toEqual([]);
  });

  it('runs: the receiver gets 50,000 of the 100,000 sent at rate 0.5, and the printed totals match the comments', async () => {
    const { stdout } = (await quickStart)();
    // Receiving half: each packet's money and the bytes, and no failure.
    expect(receivedTotal(stdout)).toBe(50_000n);
    expect(stdout).toMatch(/^read hello$/m);
    expect(stdout).not.toMatch(/connection failed/);
    // Sending half: the quote and the totals its comments promise.
    expect(stdout).toMatch(/^expected 50000n$/m);
    expect(stdout).toMatch(/sent: 100000n,\s+delivered: 50000n,\s+received: 0n,\s+inFlight: 0n/);
  });

  it('survives a peer that closes with an error: the receiving half reports it, and the process exits cleanly', async () => {
    const { stdout } = (await peerFailure)();
    expect(receivedTotal(stdout)).toBe(500n);
    expect(stdout).toMatch(/^connection failed: StreamError: CONNECTION_CLOSED: REMOTE_CLOSED: peer closed the connection: sender gave up$/m);
  });

  it('keeps the halves apart: receiving does not send, sending does not set up the server', () => {
    // The sending half must rely on what the receiving half created, as the README says.
    expect(receiving).toMatch(/createServer/);
    expect(receiving).not.toMatch(/createConnection/);
    expect(sending).toMatch(/createConnection/);
    expect(sending).not.toMatch(/createServer|createPluginPair/);
  });
});
