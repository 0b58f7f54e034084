/**
 * examples/chat, run the way `npm run example:chat` runs it: the scripted conversation between a
 * host and a guest process, and the interactive mode driven through the two processes' stdin as
 * two terminals would. Each case starts real processes (~3 s of ts-node start-up each on a quiet
 * machine); the file takes about 20-40 s.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { from, lastValueFrom, toArray } from 'rxjs';
import { CONVERSATION, linesOf } from '../../examples/chat/conversation';
import { splitLines } from '../../examples/chat/lines';

const execFileAsync = promisify(execFile);
const ROOT = `${__dirname}/../..`;
const CHAT = ['-r', 'ts-node/register/transpile-only', 'examples/chat/run.ts'];
jest.setTimeout(180_000);

/** A chat process in interactive mode, with everything it printed so far. */
interface Terminal {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<number>;
}

const terminals: Terminal[] = [];

function terminal(...args: string[]): Terminal {
  const child = spawn(process.execPath, [...CHAT, ...args], { cwd: ROOT });
  let stdout = '';
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(stdout);
        if (match) {
          child.stdout.off('data', check);
          resolve(match);
        }
        return match !== null;
      };
      if (check()) return;
      child.stdout.on('data', check);
      void exited.then(() => (check() ? undefined : reject(new Error(`exited before printing ${pattern}; printed:\n${stdout}`))));
    });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const opened: Terminal = { child, output: () => stdout, waitFor, exited };
  terminals.push(opened);
  return opened;
}

afterEach(() => {
  // A failed case must not leave a peer running (and holding jest open).
  for (const { child } of terminals.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
});

describe('examples/chat (npm run example:chat)', () => {
  it('plays the scripted conversation between two processes; each heard exactly what the other said, and it exits 0', async () => {
    let result: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, CHAT, { cwd: ROOT, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });
      result = { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      result = { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
    expect(result.stdout).not.toContain('MISMATCH');
    expect(result.stdout).toContain(`OK: each peer heard exactly what the other said (${linesOf('guest').length} + ${linesOf('host').length} lines)`);
    // The peers' logs show the paste of more than one packet arriving whole at the host.
    expect(result.stderr).toMatch(/host: heard €uro €uro .*… \(39999 characters\)/);
    expect(result.code).toBe(0);
  });

  it('interactive: lines typed in one terminal appear in the other, both ways; Ctrl-D leaves, and both exit 0', async () => {
    const host = terminal('host');
    const [, ticket] = await host.waitFor(/npm run example:chat -- join (\S+)/);
    const guest = terminal('join', ticket!);
    await guest.waitFor(/\(joined;/);

    guest.child.stdin.write('hi from the guest, ça va ?\n');
    await host.waitFor(/^guest> hi from the guest, ça va \?$/m);
    host.child.stdin.write('fine, thanks\n');
    await guest.waitFor(/^host> fine, thanks$/m);

    // The guest's last line is typed right before Ctrl-D: end() flushes it before closing.
    guest.child.stdin.end('see you\n');
    await host.waitFor(/^guest> see you\n\(guest left; Ctrl-D to quit\)$/m);
    expect(await guest.exited).toBe(0);
    host.child.stdin.end();
    expect(await host.exited).toBe(0);
  });

  it('interactive: the host quitting ends the guest\'s chat too', async () => {
    const host = terminal('host');
    const [, ticket] = await host.waitFor(/npm run example:chat -- join (\S+)/);
    const guest = terminal('join', ticket!);
    await guest.waitFor(/\(joined;/);
    guest.child.stdin.write('anyone?\n');
    await host.waitFor(/^guest> anyone\?$/m);

    host.child.stdin.end('closing up\n');
    await guest.waitFor(/^host> closing up\n\(host left\)$/m);
    expect(await host.exited).toBe(0);
    expect(host.output()).not.toContain('guest left');
    // The guest's terminal is still open; ending it lets the process go.
    guest.child.stdin.end();
    expect(await guest.exited).toBe(0);
  });
});

describe('splitLines (examples/chat/lines.ts)', () => {
  it('cuts lines on the byte, so a multi-byte character split across chunks decodes whole', async () => {
    const bytes = Buffer.from('a€b\nsecond\r\nend', 'utf8'); // '€' is 3 bytes: offsets 1..3
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3, 9), bytes.subarray(9)];
    const lines = await lastValueFrom(from(chunks).pipe(splitLines(), toArray()));
    expect(lines).toEqual(['a€b', 'second', 'end']);
  });

  it('the script says lines of both peers and one paste longer than a packet', () => {
    expect(linesOf('host').length + linesOf('guest').length).toBe(CONVERSATION.length);
    expect(Math.max(...CONVERSATION.map((line) => Buffer.byteLength(line.text)))).toBeGreaterThan(32_767);
  });
});
