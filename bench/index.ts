/**
 * The side-by-side benchmark: the same scenarios against this library and against
 * ilp-protocol-stream 2.7.1 in one process, over the same in-memory network, printed as one
 * table of medians and ours/ref ratios (money in packets/s, bytes in MiB/s, memory in KiB). The
 * receiver scenario is one exception: there both senders pay @interledger/stream-receiver, and
 * the ref column is @interledger/pay; the connector scenario is the other: there both pay through
 * a real ilp-connector in a child process, over BTP on 127.0.0.1. Speed and memory are measured
 * here, never asserted in tests. How runs are taken (warm-up, interleaving, medians) is in ./harness.ts and follows
 * /work/shared/research/perf-anchor.md.
 *
 * Environment (or the equivalent flags, handy after `npm run bench --`):
 * - `BENCH_QUICK=1` / `--quick`: a ~30 s smoke run (fewer, shorter runs; smaller amounts).
 * - `BENCH_ONLY=codec,money` / `--only=codec,money`: only these scenarios (codec, crypto, money,
 *   receiver, data, connect, connector, soak, memory), still in that order.
 *
 * The memory scenario and the data scenario's paused-reader rows need `global.gc`. Without
 * `--expose-gc` this process re-runs itself as a child with the flag (same argv, ts-node or not)
 * and passes its exit code on; running with the flag skips that extra start-up.
 *
 * Progress goes to stderr, the table to stdout. The process ends on its own: every scenario
 * closes its servers and connections, and leftover handles are reported, not killed.
 *
 * @example
 * ```sh
 * node --expose-gc -r ts-node/register/transpile-only bench/index.ts
 * BENCH_QUICK=1 BENCH_ONLY=crypto,money npx ts-node --transpile-only bench/index.ts
 * npm run bench -- --quick --only=connect,memory
 * BENCH_ONLY=data npm run bench
 * ```
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
// Loaded first so the reference is patched before any scenario touches it.
import '../spec/interop/reference-shim';
import { type BenchSettings, type Row, type Scenario, formatTable, formatTargets, progress } from './harness';
import { codecScenario } from './scenarios/codec';
import { connectScenario } from './scenarios/connect';
import { connectorScenario } from './scenarios/connector';
import { cryptoScenario } from './scenarios/crypto';
import { dataScenario } from './scenarios/data';
import { memoryScenario } from './scenarios/memory';
import { moneyScenario } from './scenarios/money';
import { receiverScenario } from './scenarios/receiver';
import { soakScenario } from './scenarios/soak';

/**
 * In run order; memory is last because its forced GCs would slow whatever ran after it. data
 * forces GCs too, at its end (paused-reader rows); connect, next, warms up for 1.5 s first;
 * connector starts its own connector process; soak forces GCs between its phases.
 */
const SCENARIOS: readonly Scenario[] = [codecScenario, cryptoScenario, moneyScenario, receiverScenario, dataScenario, connectScenario, connectorScenario, soakScenario, memoryScenario];

function selectScenarios(only: string | undefined): Scenario[] {
  if (!only) return [...SCENARIOS];
  const names = only.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_ONLY: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

/** Re-runs this very command with --expose-gc; returns the child's exit code. */
function reexecWithGc(): number {
  if (process.env.BENCH_REEXEC === '1') throw new Error('re-executed with --expose-gc but global.gc is still missing');
  progress('global.gc is missing: re-running with node --expose-gc');
  // Under ts-node, execArgv holds ts-node's own entry point and flags, so this re-runs it too.
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_REEXEC: '1' },
  });
  if (child.error) throw child.error;
  return child.status ?? 1;
}

/** Whatever still keeps the event loop alive besides stdio; should be nothing. */
function reportLeftovers(): void {
  const leftovers = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'PipeWrap' && kind !== 'FSReqCallback');
  if (leftovers.length > 0) progress(`warning: still active after the last scenario: ${leftovers.join(', ')}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const settings: BenchSettings = { quick: process.env.BENCH_QUICK === '1' || args.includes('--quick') };
  const selected = selectScenarios(process.env.BENCH_ONLY ?? args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length));
  if ((selected.includes(memoryScenario) || selected.includes(dataScenario)) && typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    process.exitCode = reexecWithGc();
    return;
  }
  const started = Date.now();
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const scenario of selected) {
    try {
      rows.push(...(await scenario.run(settings)));
    } catch (error: unknown) {
      // One broken scenario should not hide the others' figures.
      failures.push(`${scenario.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      progress(`scenario ${scenario.name} FAILED`);
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const payRows = selected.includes(receiverScenario) ? ' (receiver rows: vs @interledger/pay 0.2.2)' : '';
  console.log(
    `\nilp-stream-rx vs ilp-protocol-stream 2.7.1${payRows} — Node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpus().length} x ${cpu}${settings.quick ? ', QUICK' : ''}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log('Figures: median [min..max] (n runs), runs interleaved ours/ref. Ratios within 0.93-1.07 are noise (perf-anchor A/A).\n');
  console.log(formatTable(rows));
  const targets = formatTargets(rows, settings.quick);
  if (targets) console.log(`\nTargets:\n${targets}`);
  if (failures.length > 0) {
    console.error(`\nFailed scenarios:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
  reportLeftovers();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
