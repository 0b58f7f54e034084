import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatProgress } from '../../examples/progress-bar';

const run = promisify(execFile);
jest.setTimeout(60_000);

async function demo(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', 'examples/demo.ts', ...args], { cwd: `${__dirname}/../..` });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

describe('npm run demo', () => {
  it('pays over ilp-plugin-btp on 127.0.0.1 through a connector and exits 0 with agreeing totals', async () => {
    const { code, stdout } = await demo('--amount', '200000', '--rate', '0.5', '--max-packet', '1000');
    expect(stdout).toContain('over ilp-plugin-btp');
    expect(stdout).toMatch(/sent\s+200000\n/);
    expect(stdout).toMatch(/delivered 100000 /);
    expect(stdout).toMatch(/received\s+100000 /);
    expect(stdout).toContain('OK: both ends agree on the totals');
    expect(code).toBe(0);
  });

  it('runs on the in-memory network with --memory', async () => {
    const { code, stdout } = await demo('--memory', '--amount', '50000', '--rate', '1.37');
    expect(stdout).toContain('over the in-memory network');
    expect(stdout).toMatch(/received\s+68500 /);
    expect(code).toBe(0);
  });

  it('refuses a bad amount with a non-zero exit', async () => {
    const { code } = await demo('--amount', '-3');
    expect(code).not.toBe(0);
  });
});

describe('formatProgress', () => {
  it('draws the bar, the percentage, the rate and packets per second', () => {
    const line = formatProgress({ sent: 500n, delivered: 250n, packets: 5, elapsedMs: 100 }, 1000n);
    expect(line).toContain('█'.repeat(15) + '░'.repeat(15));
    expect(line).toContain(' 50.0%');
    expect(line).toContain('rate 0.5000');
    expect(line).toContain('50 packets/s');
  });
});
