/**
 * `npm run docs` (TypeDoc with typedoc.json) must build the API reference from the TSDoc of every
 * export without a single warning: typedoc.json treats warnings as errors and requires
 * documentation (validation.notDocumented), so an export, member or enum value without TSDoc, a
 * broken `{@link}`, or a public signature that names an unexported type fails this spec. It builds
 * into a scratch folder under artifacts/ so it never disturbs a real `npm run docs` output.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './code-blocks';

jest.setTimeout(180_000);

interface TypedocRun {
  readonly exitCode: number;
  readonly output: string;
}

function runTypedoc(out: string): Promise<TypedocRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', join(ROOT, 'typedoc.json'), '--out', out],
      { cwd: ROOT, timeout: 170_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ exitCode, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('API docs (typedoc.json)', () => {
  let out = '';
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('builds from lib/index.ts and lib/testing.ts with no warnings or errors', async () => {
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    out = mkdtempSync(join(ROOT, 'artifacts', 'typedoc-spec-'));
    const { exitCode, output } = await runTypedoc(out);
    // Strip colour codes, then list what TypeDoc complained about, so a failure names every item.
    const problems = output
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => /^\[(warning|error)\]/.test(line) && !/^\[(warning|error)\] Found \d+ errors and \d+ warnings/.test(line));
    expect(problems).toEqual([]);
    expect(exitCode).toBe(0);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });
});
