/**
 * Turns ```ts blocks of the user docs (README.md, docs/*.md) into programs that run against lib/,
 * so that code users paste is code that works: the blocks are type-checked together in one
 * TypeScript program, then each runs in a child process that must exit on its own (a connection,
 * server or timer left open makes it hang, and the run fails at its timeout).
 *
 * A block's `'ilp-stream-rx'` and `'ilp-stream-rx/testing'` imports are pointed at lib/, and its
 * body is wrapped in an async function because the docs use top-level await.
 *
 * @example
 * ```ts
 * const [block] = testedBlocks(readFileSync('docs/migration.md', 'utf8'));
 * const file = writeProgram('migration-receive', [block.code]);
 * expect(typeCheck([file])).toEqual([]);
 * const { stdout } = await runProgram(file);
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/**
 * Where this process writes generated programs (git-ignored). One folder per process: two test
 * runs at once (two engineers, or a watch run beside `npm test`) must not overwrite each other's
 * programs while they run.
 */
export const PROGRAM_DIR = join(ROOT, 'artifacts', 'doc-blocks', `run-${process.pid}`);

/** A fenced ```ts block marked `<!-- test: name -->` on the line before it. */
export interface TestedBlock {
  /** The name in the marker. */
  readonly name: string;
  /** The code between the fences. */
  readonly code: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
}

const MARKED_BLOCK = /<!--\s*test:\s*([\w-]+)\s*-->\s*\n```ts\n([\s\S]*?)\n```/g;

/**
 * Every ```ts block preceded by a `<!-- test: name -->` comment, in document order.
 *
 * @example
 * ```ts
 * testedBlocks('<!-- test: hi -->\n```ts\nconsole.log(1)\n```').map((b) => b.name); // ['hi']
 * ```
 */
export function testedBlocks(markdown: string): TestedBlock[] {
  return [...markdown.matchAll(MARKED_BLOCK)].map((match) => ({
    name: match[1] ?? '',
    code: match[2] ?? '',
    line: markdown.slice(0, (match.index ?? 0) + match[0].indexOf('```')).split('\n').length,
  }));
}

/**
 * The first ```ts block after the heading line `heading` (e.g. `'### Receiving'`), before the next
 * heading of any level.
 *
 * @example
 * ```ts
 * blockUnder(readme, '### Receiving');
 * ```
 */
export function blockUnder(markdown: string, heading: string): string {
  const start = markdown.split('\n').findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const section = markdown.split('\n').slice(start + 1);
  const end = section.findIndex((line) => /^#{1,6} /.test(line));
  const body = (end < 0 ? section : section.slice(0, end)).join('\n');
  const match = /```ts\n([\s\S]*?)\n```/.exec(body);
  if (!match?.[1]) throw new Error(`no \`\`\`ts block under "${heading}"`);
  return match[1];
}

/** Printed by a generated program once its main function resolved; `runProgram` strips it. */
const DONE = '[doc-block finished]';

const IMPORT = /^import\s[\s\S]*?\sfrom\s+'([^']+)';?[ \t]*$/gm;

/**
 * Joins `blocks` into one module: their imports first (package imports pointed at lib/), then
 * their bodies, in order, inside `async function main()`. An error in main sets exit code 1; when
 * main resolves, the program prints a marker, so that a program whose awaited Promise never
 * settled (Node then exits 0 with nothing left to run) is told apart from one that finished.
 *
 * @example
 * ```ts
 * toProgram(["import { createServer } from 'ilp-stream-rx';\nawait createServer({ plugin });"], 'artifacts/x.ts');
 * ```
 */
export function toProgram(blocks: readonly string[], file: string): string {
  const libPath = relative(dirname(file), join(ROOT, 'lib')).split('\\').join('/');
  const imports: string[] = [];
  const bodies: string[] = [];
  for (const block of blocks) {
    for (const match of block.matchAll(IMPORT)) {
      imports.push(match[0].replace(/'ilp-stream-rx(\/testing)?'/, (_all, testing: string | undefined) => `'${libPath}${testing ?? ''}'`));
    }
    bodies.push(block.replace(IMPORT, '').trim());
  }
  return [
    ...imports,
    '',
    'async function main(): Promise<void> {',
    ...bodies.join('\n\n').split('\n').map((line) => (line ? `  ${line}` : line)),
    '}',
    '',
    'main().then(',
    `  () => console.log(${JSON.stringify(DONE)}),`,
    '  (error: unknown) => {',
    '    console.error(error);',
    '    process.exitCode = 1;',
    '  },',
    ');',
    '',
  ].join('\n');
}

/**
 * Writes the program made of `blocks` to `PROGRAM_DIR`/`name`.ts and returns its path.
 *
 * @example
 * ```ts
 * const file = writeProgram('readme-quick-start', [receiving, sending]);
 * ```
 */
export function writeProgram(name: string, blocks: readonly string[]): string {
  mkdirSync(PROGRAM_DIR, { recursive: true });
  const file = join(PROGRAM_DIR, `${name}.ts`);
  writeFileSync(file, toProgram(blocks, file));
  return file;
}

/**
 * Deletes this process's generated programs; call it in `afterAll`.
 *
 * @example
 * ```ts
 * afterAll(removePrograms);
 * ```
 */
export function removePrograms(): void {
  rmSync(PROGRAM_DIR, { recursive: true, force: true });
}

/**
 * Type-checks `files` in one program with the repository's compiler options; returns the
 * diagnostics as `file:line: message` strings (empty when all is well).
 *
 * @example
 * ```ts
 * expect(typeCheck([file])).toEqual([]);
 * ```
 */
export function typeCheck(files: readonly string[]): string[] {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  const program = ts.createProgram([...files], { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${relative(ROOT, diagnostic.file.fileName)}:${line + 1}: ${message}`;
  });
}

/** What a program printed. */
export interface ProgramOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` with ts-node (transpile only: `typeCheck` did the checking) and resolves with its
 * output (without the finish marker) once it exits 0 by itself after its main function resolved.
 * Rejects, with the output, on a non-zero exit, on an exit before main resolved, or when it is
 * still running after `timeoutMs` (something was left open).
 *
 * @example
 * ```ts
 * const { stdout } = await runProgram(file);
 * ```
 */
export function runProgram(file: string, timeoutMs = 120_000): Promise<ProgramOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', file],
      { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const finished = stdout.split('\n').includes(DONE);
        if (error || !finished) {
          const why = error?.killed
            ? `still running after ${timeoutMs} ms (left something open?)`
            : error
              ? `exited with ${String(error.code)}`
              : 'exited before its main function finished (it awaited a Promise that never settled)';
          reject(new Error(`${relative(ROOT, file)} ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        } else {
          resolve({ stdout: stdout.split('\n').filter((line) => line !== DONE).join('\n'), stderr });
        }
      },
    );
  });
}
