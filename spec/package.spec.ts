/**
 * The published shape: `npm run build` compiles lib/ to CommonJS with declarations, and
 * package.json's main/types/exports point at it, so `require('ilp-stream-rx')` works in Node 20
 * and in jest, and `import { createServer } from 'ilp-stream-rx'` works from ES modules. Builds into a temporary folder under artifacts/ so dist/ is left alone.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');
jest.setTimeout(120_000);

describe('package', () => {
  // Inside the repository (artifacts/ is git-ignored) so the build resolves rxjs and friends from node_modules.
  mkdirSync(join(root, 'artifacts'), { recursive: true });
  const outDir = mkdtempSync(join(root, 'artifacts', 'build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('package.json points main, types and exports at the build output; rxjs is a peer dependency', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, any>;
    expect(pkg.main).toBe('./dist/index.js');
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.']).toMatchObject({ types: './dist/index.d.ts', require: './dist/index.js' });
    expect(pkg.exports['./testing']).toMatchObject({ types: './dist/testing.d.ts', require: './dist/testing.js' });
    expect(pkg.peerDependencies.rxjs).toBeDefined();
    expect(pkg.dependencies?.rxjs).toBeUndefined();
    expect(pkg.license).toBe('Apache-2.0');
  });

  it('the build compiles to CommonJS with declarations that Node can require', async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
    expect(existsSync(join(outDir, 'index.d.ts'))).toBe(true);
    const script = `const m = require(${JSON.stringify(join(outDir, 'index.js'))});
      const names = ['createServer', 'createConnection', 'connect', 'listen', 'createPluginPair', 'encodePacket', 'decodePacket', 'deriveKeys'];
      const missing = names.filter((n) => typeof m[n] !== 'function');
      if (missing.length) { console.error('missing', missing); process.exit(1); }
      console.log('ok');`;
    const { stdout } = await run('node', ['-e', script], { cwd: root });
    expect(stdout.trim()).toBe('ok');
    expect(existsSync(join(outDir, 'testing.d.ts'))).toBe(true);
    const testing = `const t = require(${JSON.stringify(join(outDir, 'testing.js'))});
      const [a, b] = t.createPluginPair();
      console.log(typeof t.createMemoryNetwork, a.constructor.name, b.isConnected());`;
    const second = await run('node', ['-e', testing], { cwd: root });
    expect(second.stdout.trim()).toBe('function MemoryPlugin false');

    // An ES module importing the CommonJS build gets every export by name (Node reads the names
    // statically from the build, so a re-export pattern it cannot see would silently be missing).
    for (const entry of ['index.js', 'testing.js']) {
      const file = join(outDir, entry);
      const esm = `import * as m from ${JSON.stringify(pathToFileURL(file).href)};
        import { createRequire } from 'node:module';
        const cjs = Object.keys(createRequire(import.meta.url)(${JSON.stringify(file)}));
        const missing = cjs.filter((name) => !(name in m) || m[name] !== createRequire(import.meta.url)(${JSON.stringify(file)})[name]);
        console.log(cjs.length, JSON.stringify(missing));`;
      const { stdout: esmOut } = await run('node', ['--input-type=module', '-e', esm], { cwd: root });
      const [count, missing] = esmOut.trim().split(' ');
      expect(Number(count)).toBeGreaterThan(20);
      expect(missing).toBe('[]');
    }
  });
});
