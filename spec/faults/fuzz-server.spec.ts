/**
 * Fuzzes a real server with random and mutated Prepares (issue 6, "Bad input and attacks"):
 * FUZZ_PREPARES of them (default 100,000), from the seed FUZZ_SEED (default: a fresh one, printed
 * with any failure; rerun with the printed FUZZ_SEED and FUZZ_PREPARES to replay it exactly).
 * FUZZ_REPORT=1 prints what the replies were and the memory figures.
 *
 * What each input is and what the server must answer is described in spec/faults/fuzz/inputs.ts
 * and predicted in spec/faults/fuzz/packet-spec.ts. Beyond each reply, the spec checks:
 * - nothing throws out of the server's data handler, and every Prepare is answered exactly once,
 *   synchronously (Jest 30 also fails the test on any unhandled rejection raised while it runs,
 *   and the loop yields to the event loop regularly so one would surface here);
 * - money: after every input, what the streams emitted on money$ equals the sum of the amounts of
 *   the Prepares the server fulfilled, and at the end the connections' totals agree;
 * - data: every byte delivered on data$ is the byte the client sent at that offset, in order;
 * - memory: live connections never exceed the client sessions that may hold one, buffered bytes
 *   stay within the receive windows, everything closes at the idle timeout, and the heap after a
 *   forced GC does not grow with the number of Prepares.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CONNECTION_DEFAULTS } from '../../lib';
import { startHarness } from './fuzz/harness';
import { FuzzInputs } from './fuzz/inputs';
import { judge } from './fuzz/oracle';
import { fuzzCount, fuzzSeed, Random } from './fuzz/random';

const COUNT = fuzzCount(100_000);
const SEED = fuzzSeed();
/** Stop collecting after this many failing inputs: the first ones are the interesting ones. */
const MAX_REPORTED = 8;
/** Heap growth allowed between the first quarter and the end, after forced GCs. */
const HEAP_GROWTH_LIMIT = 24 * 1024 * 1024;

// A safety net for a hung loop, not a speed check: 100,000 Prepares took 18-25 s on a 2-core
// machine, but shared CI machines can stretch that several times.
jest.setTimeout(600_000);

/** Forces a full GC without --expose-gc (the flag can be set at run time for new contexts). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('fuzzing the server with random and mutated Prepares', () => {
  it(`E1 E2 E3 E4 E7 E9 E10 E12 E13 E14 E15 E16 E17 E18 E19 E20 E21 E22 E24 E26 E34 E39 E40: ${COUNT} Prepares (FUZZ_SEED=${SEED}) get the right reject or an exact fulfill, money and memory stay exact and bounded`, async () => {
    const replay = `FUZZ_SEED=${SEED} FUZZ_PREPARES=${COUNT}`;
    const harness = await startHarness();
    const inputs = new FuzzInputs(harness, new Random(SEED));
    const gc = collectGarbage();
    const failures: string[] = [];
    const tally = new Map<string, number>();
    let expectedCredit = 0n;
    let maxLive = 0;
    let maxBuffered = 0;
    let heapAtQuarter = 0;
    let heapGrowth = 0;

    for (let index = 0; index < COUNT && failures.length < MAX_REPORTED; index++) {
      if (index % 4096 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (index === Math.floor(COUNT / 4)) heapAtQuarter = heapAfterGc(gc);

      const input = inputs.next();
      let problems: string[];
      try {
        const verdict = judge(harness, input, harness.deliver(input.bytes));
        problems = verdict.problems;
        expectedCredit += verdict.fulfilledAmount;
        tally.set(verdict.outcome, (tally.get(verdict.outcome) ?? 0) + 1);
      } catch (error) {
        problems = [`threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
      }
      if (harness.credited !== expectedCredit) {
        problems.push(`credited ${harness.credited} on money$, but fulfilled Prepares carried ${expectedCredit}`);
        expectedCredit = harness.credited; // report the first divergence only
      }
      inputs.retireClosed();
      maxLive = Math.max(maxLive, harness.liveConnections);
      if (harness.liveConnections > inputs.openSessions) {
        problems.push(`${harness.liveConnections} live connections for ${inputs.openSessions} sessions that may hold one`);
      }
      if (index % 256 === 0) maxBuffered = Math.max(maxBuffered, harness.bufferedBytes());
      problems.push(...harness.problems.splice(0));
      if (problems.length > 0) failures.push(`#${index} ${input.label}:\n    ${problems.join('\n    ')}`);
    }
    if (heapAtQuarter > 0) heapGrowth = heapAfterGc(gc) - heapAtQuarter;

    // Every connection's own totals agree with what its streams emitted.
    const totalsReceived = harness.totalsReceived();

    // Past the idle timeout every connection closes and nothing stays behind.
    harness.advance(CONNECTION_DEFAULTS.idleTimeoutMs + 1);
    const liveAfterIdle = harness.liveConnections;
    await harness.stop();

    const summary = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, n]) => `${outcome}: ${n}`).join(', ');
    const report = `${replay}\n${summary}\nmax live connections ${maxLive}, max buffered bytes ${maxBuffered}, heap growth ${heapGrowth}\n`;
    // FUZZ_REPORT=1 prints the tally and the memory figures even when everything passed.
    if (process.env['FUZZ_REPORT']) console.log(report);
    expect({ failures, report }).toEqual({ failures: [], report });
    expect(totalsReceived).toBe(harness.credited);
    expect(liveAfterIdle).toBe(0);
    expect(maxBuffered).toBeLessThanOrEqual(inputs.openSessions * CONNECTION_DEFAULTS.connectionReceiveWindow);
    expect(heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT);
    // The mix really reached every kind of answer.
    for (const outcome of ['fulfill', 'F00', 'F02', 'F06', 'F99', 'R00']) expect([outcome, tally.get(outcome) ?? 0]).not.toEqual([outcome, 0]);
  });
});
