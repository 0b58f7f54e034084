/**
 * The browser build's replacement for `active-backend.ts` (scripts/build-browser.ts swaps the
 * file when bundling): the noble backend, so the bundle contains no `node:crypto`.
 *
 * @example
 * ```ts
 * import { backend } from './active-backend'; // resolves here in the browser bundle
 * backend.name // 'noble'
 * ```
 */
import type { CryptoBackend } from './backend';
import { nobleBackend } from './backend-noble';

/**
 * The backend every crypto function of the browser build calls.
 *
 * @example
 * ```ts
 * backend.name // 'noble'
 * ```
 */
export const backend: CryptoBackend = nobleBackend;
