/**
 * Which crypto backend this build runs on, for diagnostics and for tests that must prove the
 * browser bundle really uses noble.
 *
 * @example
 * ```ts
 * import { cryptoBackendName } from 'ilp-stream-rx';
 * console.log(cryptoBackendName()); // 'node', or 'noble' in the browser bundle
 * ```
 */
import { backend } from './active-backend';
import type { CryptoBackendName } from './backend';

/**
 * `'node'` when the library runs on `node:crypto`, `'noble'` in the browser build.
 *
 * @example
 * ```ts
 * if (cryptoBackendName() === 'noble') console.log('pure-JS crypto: expect fewer packets/s');
 * ```
 */
export function cryptoBackendName(): CryptoBackendName {
  return backend.name;
}
