/**
 * The README's quick start is code users paste: this runs it as written. The ```ts block under
 * "## Quick start" is taken from README.md, its `'ilp-stream-rx'` import pointed at lib/, its body
 * wrapped in an async function (the README uses top-level await), and run in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
jest.setTimeout(60_000);

function quickStartBlock(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md has no ```ts block under "## Quick start"');
  return match[1];
}

function runnable(block: string): string {
  const lines = block.split('\n');
  const imports = lines.filter((line) => line.startsWith('import ')).map((line) => line.replace("'ilp-stream-rx'", "'../lib'"));
  const body = lines.filter((line) => !line.startsWith('import '));
  return `${imports.join('\n')}\nasync function main(): Promise<void> {\n${body.join('\n')}\n}\nmain().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });\n`;
}

describe('README quick start', () => {
  it('runs as written: money and bytes arrive, and the printed totals match the comment', async () => {
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    const file = join(root, 'artifacts', 'readme-quick-start.ts');
    writeFileSync(file, runnable(quickStartBlock()));
    const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', file], { cwd: root });
    const received = [...stdout.matchAll(/^received (\d+)n$/gm)].reduce((sum, m) => sum + BigInt(m[1] ?? '0'), 0n);
    expect(received).toBe(50_000n);
    expect(stdout).toContain('expected 50000n');
    expect(stdout).toContain('read hello');
    expect(stdout).toMatch(/sent: 100000n,\s+delivered: 50000n/);
  });
});
