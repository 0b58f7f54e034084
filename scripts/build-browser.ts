/**
 * Builds the browser bundle: `lib/browser.ts` as one ES module for `<script type="module">`,
 * with the noble crypto backend and the `buffer` package, and no Node built-in.
 *
 * How the backend is swapped: an esbuild plugin resolves `lib/crypto/active-backend` to
 * `active-backend.browser.ts`. esbuild's `alias` option only rewrites package paths, not a
 * relative import inside the package, and the package.json `"browser"` field would need
 * package.json edits and would reach only bundlers that honour it; the plugin keeps the swap in
 * this one script (the lead may add the matching `"browser"` field for downstream bundlers).
 *
 * How Node built-ins are kept out: `platform: 'browser'`, a plugin that fails the build on any
 * `node:*` or built-in module import (naming the importer), and a scan of the output for
 * `node:` specifiers and node:crypto's API names.
 *
 * @example
 * ```sh
 * npx ts-node --transpile-only scripts/build-browser.ts            # dist/browser/ilp-stream-rx.js
 * npx ts-node --transpile-only scripts/build-browser.ts out/x.js   # elsewhere
 * ```
 */
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build, type Plugin as EsbuildPlugin } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const ACTIVE_BACKEND = path.join(ROOT, 'lib', 'crypto', 'active-backend.ts');
const BROWSER_BACKEND = path.join(ROOT, 'lib', 'crypto', 'active-backend.browser.ts');

/** Where `npm run build:browser` writes the bundle. */
export const DEFAULT_BROWSER_BUNDLE = path.join(ROOT, 'dist', 'browser', 'ilp-stream-rx.js');

/** Strings that must not appear in the bundle: Node specifiers and node:crypto's API. */
export const FORBIDDEN_IN_BUNDLE: readonly string[] = ['node:', 'createCipheriv', 'createDecipheriv', 'createSecretKey', 'randomFillSync'];

/**
 * What a build produced.
 *
 * @example
 * ```ts
 * const { outfile, bytes, inputs } = await buildBrowserBundle();
 * ```
 */
export interface BrowserBuild {
  /** Absolute path of the bundle. */
  readonly outfile: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /** Source files in the bundle, relative to the repository root. */
  readonly inputs: readonly string[];
}

/**
 * Options of {@link buildBrowserBundle}.
 *
 * @example
 * ```ts
 * await buildBrowserBundle({ outfile: 'artifacts/browser/ilp-stream-rx.js', minify: false });
 * ```
 */
export interface BrowserBuildOptions {
  /** Where to write the bundle; default {@link DEFAULT_BROWSER_BUNDLE}. */
  readonly outfile?: string;
  /** Minify (default true). */
  readonly minify?: boolean;
  /** The entry, relative to the repository root; default `lib/browser.ts`. Tests use it to prove the guard. */
  readonly entryPoint?: string;
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Resolves the crypto backend seam to the noble backend. */
const nobleBackendPlugin: EsbuildPlugin = {
  name: 'noble-crypto-backend',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /[\\/]active-backend$/ }, (args) => {
      const resolved = path.resolve(args.resolveDir, `${args.path}.ts`);
      return resolved === ACTIVE_BACKEND ? { path: BROWSER_BACKEND } : undefined;
    });
  },
};

/** Fails the build on any import of a Node built-in, naming who imported it. */
const forbidNodeBuiltins: EsbuildPlugin = {
  name: 'forbid-node-builtins',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      // `buffer` is the npm polyfill (a dependency), which is what the bundle wants.
      if (args.path === 'buffer' || args.path === 'buffer/') return undefined;
      const bare = args.path.split('/')[0] as string;
      if (!builtins.has(args.path) && !builtins.has(bare)) return undefined;
      return { errors: [{ text: `Node built-in "${args.path}" imported by ${path.relative(ROOT, args.importer)}: the browser build must not use it` }] };
    });
  },
};

/**
 * Bundles lib/browser.ts into `outfile` (ESM, ES2020, minified, with a source map) and checks
 * the result. Rejects if anything imports a Node built-in or the output mentions one.
 *
 * @example
 * ```ts
 * const { outfile } = await buildBrowserBundle({ outfile: 'artifacts/browser/ilp-stream-rx.js' });
 * ```
 */
export async function buildBrowserBundle(options: BrowserBuildOptions = {}): Promise<BrowserBuild> {
  const outfile = path.resolve(options.outfile ?? DEFAULT_BROWSER_BUNDLE);
  const result = await build({
    entryPoints: [path.resolve(ROOT, options.entryPoint ?? path.join('lib', 'browser.ts'))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: options.minify ?? true,
    sourcemap: true,
    legalComments: 'none',
    inject: [path.join(__dirname, 'buffer-global.ts')],
    // Dependencies' `process.env.NODE_ENV` checks, if any, read as production.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    plugins: [nobleBackendPlugin, forbidNodeBuiltins],
    metafile: true,
    write: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles === undefined ? await readText(outfile) : '';
  const forbidden = FORBIDDEN_IN_BUNDLE.filter((word) => output.includes(word));
  if (forbidden.length > 0) throw new Error(`the browser bundle mentions ${forbidden.join(', ')}: a Node-only module got in`);
  const inputs = Object.keys(result.metafile.inputs);
  if (inputs.some((input) => input.endsWith('backend-node.ts'))) throw new Error('the browser bundle contains the node crypto backend');
  return { outfile, bytes: Buffer.byteLength(output), inputs };
}

async function readText(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}

if (require.main === module) {
  buildBrowserBundle({ outfile: process.argv[2] })
    .then(({ outfile, bytes }) => console.log(`${path.relative(process.cwd(), outfile)}: ${(bytes / 1024).toFixed(1)} KiB, no Node built-ins`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
