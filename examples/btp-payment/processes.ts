/**
 * The plumbing between an example's parent script and its child processes: each child writes
 * one JSON object per line on stdout (its messages to the parent) and keeps stderr for people
 * (logs, the progress bar), so a terminal sees the live output while the parent reads the facts.
 * The chat example uses it too.
 *
 * @example
 * ```ts
 * const receiver = startExample('examples/btp-payment/receiver.ts', []);
 * const ready = await receiver.message('ready');
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Observable, ReplaySubject, filter, firstValueFrom } from 'rxjs';

/** One line a child wrote on stdout: a JSON object with a `type`. */
export interface ExampleMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A running child: its messages, a way to give it input, and its exit. */
export interface ExampleProcess {
  readonly child: ChildProcess;
  /** Every message the child wrote, replayed to late subscribers; completes when its stdout closes. */
  readonly messages$: Observable<ExampleMessage>;
  /** The first message of `type`; rejects if the child's stdout closes without one. */
  message(type: string): Promise<ExampleMessage>;
  /** Resolves with the exit code (a signal counts as 1). */
  readonly exited: Promise<number>;
}

const ROOT = `${__dirname}/../..`;

/**
 * Runs a TypeScript example file with ts-node (transpile-only, as the npm scripts do), stdout piped
 * for messages, stderr passed through to ours so a terminal sees the child's progress live.
 *
 * @param script - path from the repository root
 * @param args - command-line arguments for the script
 * @returns the running child
 *
 * @example
 * ```ts
 * const sender = startExample('examples/btp-payment/sender.ts', ['--amount', '1000']);
 * sender.child.stdin?.end(JSON.stringify(credentials) + '\n');
 * console.log(await sender.message('sent'), await sender.exited);
 * ```
 */
export function startExample(script: string, args: readonly string[]): ExampleProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Unbounded on purpose: a child writes a handful of messages in its life.
  const messages = new ReplaySubject<ExampleMessage>();
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const message = parseMessage(line);
    if (message) messages.next(message);
    else process.stderr.write(`${line}\n`);
  });
  lines.on('close', () => messages.complete());
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
  return {
    child,
    messages$: messages.asObservable(),
    message: (type) => firstValueFrom(messages.pipe(filter((message) => message.type === type))),
    exited,
  };
}

function parseMessage(line: string): ExampleMessage | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
      ? (value as ExampleMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes one message to the parent (a JSON line on stdout). Bigints become decimal strings.
 *
 * @example
 * ```ts
 * tellParent({ type: 'received', total: 5000n }); // {"type":"received","total":"5000"}
 * ```
 */
export function tellParent(message: ExampleMessage): void {
  process.stdout.write(`${JSON.stringify(message, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`);
}

/**
 * The value after `--name` on the command line, or `fallback`.
 *
 * @example
 * ```ts
 * argument(['--amount', '5'], 'amount', '1') // '5'
 * ```
 */
export function argument(argv: readonly string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  const value = index >= 0 ? argv[index + 1] : undefined;
  return value === undefined ? fallback : value;
}

/**
 * The first line of stdin, parsed as JSON: how a parent hands a child its credentials without
 * putting the shared secret on a command line (where `ps` would show it).
 *
 * @example
 * ```ts
 * const { destinationAccount } = (await readFirstLine()) as { destinationAccount: string };
 * ```
 */
export function readFirstLine(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      try {
        resolve(JSON.parse(line));
      } catch (error) {
        reject(new Error(`stdin: expected a JSON line, got ${JSON.stringify(line.slice(0, 80))}`, { cause: error }));
      }
    });
    lines.once('close', () => {
      if (!answered) reject(new Error('stdin closed before the credentials arrived'));
    });
  });
}

/**
 * Whatever was thrown, as one line for a log.
 *
 * @example
 * ```ts
 * describeError(new RangeError('bad')) // 'RangeError: bad'
 * ```
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
