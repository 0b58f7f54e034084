/**
 * examples/btp-payment, run the way `npm run example:btp` runs it: a parent process starting a
 * receiver and a sender as child processes that pay each other over BTP on 127.0.0.1 (ephemeral
 * ports, so parallel runs do not collide). Each case starts real processes (~3 s of ts-node
 * start-up each on a quiet machine); the whole file takes about 20 s.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = `${__dirname}/../..`;
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
jest.setTimeout(180_000);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runNode(args: readonly string[], input?: string): Promise<Outcome> {
  if (input === undefined) {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [...TS_NODE, ...args], { cwd: ROOT, timeout: 170_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }
  // With input on stdin: execFile cannot write it, so spawn.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TS_NODE, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('examples/btp-payment (npm run example:btp)', () => {
  it('pays 100000 at rate 0.5 from a sender process to a receiver process over BTP; both report 50000 and it exits 0', async () => {
    const { code, stdout, stderr } = await runNode(['examples/btp-payment/run.ts', '--amount', '100000', '--rate', '0.5', '--max-packet', '1000']);
    expect(stdout).toMatch(/^sent\s+100000 \(sender, \d+ packets\)$/m);
    expect(stdout).toMatch(/^delivered 50000 \(sender\)$/m);
    expect(stdout).toMatch(/^received\s+50000 \(receiver's application\), 50000 \(receiver's connection\)$/m);
    expect(stdout).toContain('exit      receiver 0, sender 0');
    expect(stdout).toContain('OK: both processes agree on the total');
    // The sender's progress bar went to stderr, and its last line shows the whole amount.
    expect(stderr).toMatch(/100\.0%\s+sent 100000\s+delivered 50000/);
    expect(code).toBe(0);
  });

  it('refuses a bad amount with a non-zero exit before starting anything', async () => {
    const { code, stdout } = await runNode(['examples/btp-payment/run.ts', '--amount', '-3']);
    expect(stdout).not.toContain('OK');
    expect(code).not.toBe(0);
  });

  it('the sender refuses credentials that are not the receiver\'s handshake, with exit code 1', async () => {
    const { code, stdout, stderr } = await runNode(['examples/btp-payment/sender.ts', '--amount', '10'], '{"btpUrl":"http://x","destinationAccount":"a","sharedSecret":""}\n');
    expect(stderr).toContain('btpUrl must be a btp+ws:// URL');
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it('the receiver stops with exit code 1 (and no hanging process) when its parent goes away before the payment', async () => {
    const { code, stdout, stderr } = await runNode(['examples/btp-payment/receiver.ts'], '');
    expect(stdout).toMatch(/^\{"type":"ready","btpUrl":"btp\+ws:\/\/:[0-9a-f]+@127\.0\.0\.1:\d+"/m);
    expect(stderr).toContain('stdin closed before the payment finished');
    expect(code).toBe(1);
  });
});
