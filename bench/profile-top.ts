/**
 * Prints the top functions by self time of a V8 `.cpuprofile` (from `node --cpu-prof`), and the
 * self time per package or area, so a profile can be read in a terminal.
 *
 * Run: `npx ts-node --transpile-only bench/profile-top.ts <file.cpuprofile> [top=25]`
 *
 * @example
 * ```sh
 * node --cpu-prof --cpu-prof-dir=artifacts -r ts-node/register/transpile-only bench/profile.ts ref 1e7 3
 * npx ts-node --transpile-only bench/profile-top.ts artifacts/CPU.*.cpuprofile
 * ```
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or lib/ area, or V8 category) a frame belongs to. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const lib = url.indexOf('/lib/');
  if (lib >= 0) return `lib/${url.slice(lib + 5).split('/')[0]}`;
  const bench = url.indexOf('/bench/');
  return bench >= 0 ? 'bench' : url;
}

function main(): void {
  const [file, topArg = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Self time per node: each sample's time delta belongs to the node on top of the stack.
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const short = frame.url.replace(/^.*\/(node_modules|lib|bench)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'}  ${short}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const print = (title: string, entries: Map<string, number>, top: number): void => {
    console.log(`\n${title}`);
    for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
    }
  };
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  print('self time by area', byArea, 15);
  print('self time by function', byFunction, Number(topArg));
}

main();
