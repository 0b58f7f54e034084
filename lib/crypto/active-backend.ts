/**
 * The crypto backend this build uses: `node:crypto`. The browser build (scripts/build-browser.ts)
 * replaces this file by `active-backend.browser.ts`, so nothing else in lib/ names a backend.
 *
 * @example
 * ```ts
 * import { backend } from './active-backend';
 * const digest = backend.sha256(data);
 * ```
 */
import type { CryptoBackend } from './backend';
import { nodeBackend } from './backend-node';

/**
 * The backend every crypto function of this build calls.
 *
 * @example
 * ```ts
 * backend.name // 'node'
 * ```
 */
export const backend: CryptoBackend = nodeBackend;
