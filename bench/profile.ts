/**
 * Runs one money transfer of one implementation in a loop, for a CPU profile of just that: the
 * side-by-side table says which is slower, this says where the time goes.
 *
 * Run: `node --cpu-prof --cpu-prof-dir=artifacts -r ts-node/register/transpile-only bench/profile.ts
 * <ours|ref> [amount=1e7] [runs=3] [latencyMs=0]`, then read the `.cpuprofile` in Chrome DevTools
 * or with `npx ts-node --transpile-only bench/profile-top.ts <file>`. Set-up and ts-node's own
 * compiling are in the profile too, so profile a large amount.
 *
 * @example
 * ```sh
 * node --cpu-prof -r ts-node/register/transpile-only bench/profile.ts ours 1e7 3
 * ```
 */
import { performance } from 'node:perf_hooks';
import { createMemoryNetwork } from '../lib/network';
import { implementations } from './scenarios/drivers';

async function main(): Promise<void> {
  const [which = 'ours', amountArg = '1e7', runsArg = '3', latencyArg = '0'] = process.argv.slice(2);
  if (which !== 'ours' && which !== 'ref') throw new Error(`first argument must be ours or ref, got ${which}`);
  const impl = implementations[which];
  const amount = Number(amountArg);
  const latency = Number(latencyArg);
  for (let run = 0; run < Number(runsArg); run++) {
    const network = createMemoryNetwork({ maxPacketAmount: 1000, latency });
    const server = await impl.startServer(network.server);
    const client = await impl.connect(network.client, server.credentials());
    const start = performance.now();
    await client.createStream().sendTotal(amount);
    const ms = performance.now() - start;
    const packets = network.stats.clientToServer.fulfilled;
    console.log(`${impl.label}: ${packets} packets in ${ms.toFixed(0)} ms = ${((packets * 1000) / ms).toFixed(0)} pps`);
    await client.end();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
