/**
 * docs/migration.md promises that its "after" blocks are real: every ```ts block marked
 * `<!-- test: name -->` is type-checked against lib/ (all in one TypeScript program) and run in
 * its own child process, which must exit by itself, and what it prints must include the lines
 * the guide's comments show. A marked block without expectations here, or expectations for a
 * block the guide no longer has, fails too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProgramOutput, ROOT, removePrograms, runProgram, testedBlocks, typeCheck, writeProgram } from './code-blocks';

jest.setTimeout(180_000);

/** Whole lines each block must print (in any order; other lines may come between them). */
const EXPECTED_LINES: Record<string, readonly string[]> = {
  'receive-money': ['connection for order-42', 'got 1000 on stream 1', 'stream 1 closed after 1000'],
  'send-money': ['sent 1000 of 2000, delivered 500', 'sent 2000 of 2000, delivered 1000', 'in all: sent 5000, delivered 2500'],
  'data-duplex': ['server read: hello, world'],
  'receive-limits': ['received 500; raising the limit', 'delivered 1000'],
  closing: ['server: stream 1 ended cleanly', 'client: DESTROYED', 'server: REMOTE_CLOSED: peer closed the connection: user logged out'],
  'exchange-rate': ['EXCHANGE_RATE: the path rate 0.5 is below minExchangeRate 0.6'],
};

const guide = readFileSync(join(ROOT, 'docs', 'migration.md'), 'utf8');
const blocks = testedBlocks(guide);
const programs = new Map(blocks.map((block) => [block.name, writeProgram(`migration-${block.name}`, [block.code])]));

/** Outcomes are settled values, so a failed run is reported by its test, never as an unhandled rejection. */
type Outcome = { readonly output: ProgramOutput } | { readonly error: unknown };
let runs: Map<string, Promise<Outcome>> | undefined;

/**
 * Starts every program once, side by side (each is a child process), when the first run test
 * asks: after the type-check, whose synchronous work would otherwise stall this process while
 * the children run.
 */
function startRuns(): Map<string, Promise<Outcome>> {
  runs ??= new Map(
    [...programs].map(([name, file]) => [name, runProgram(file).then((output) => ({ output }), (error: unknown) => ({ error }))]),
  );
  return runs;
}

describe('docs/migration.md', () => {
  afterAll(removePrograms);

  it('marks exactly the blocks this spec has expectations for, each name once', () => {
    const names = blocks.map((block) => block.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(EXPECTED_LINES).sort());
  });

  it('every marked block type-checks against the library as written', () => {
    expect(typeCheck([...programs.values()])).toEqual([]);
  });

  it.each(Object.entries(EXPECTED_LINES))('block "%s" runs, exits by itself and prints what the guide says', async (name, lines) => {
    const run = startRuns().get(name);
    if (!run) throw new Error(`docs/migration.md has no block marked <!-- test: ${name} -->`);
    const outcome = await run;
    if ('error' in outcome) throw outcome.error;
    const printed = outcome.output.stdout.split('\n');
    for (const line of lines) expect(printed).toContain(line);
  });
});
