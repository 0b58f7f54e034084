/**
 * Injected into the browser bundle by scripts/build-browser.ts: every free `Buffer` in the
 * library and in its dependencies (ilp-packet, oer-utils, btp-packet) becomes this import from
 * the `buffer` package, so the page needs no global polyfill.
 *
 * @example
 * ```ts
 * // esbuild: { inject: ['scripts/buffer-global.ts'] }
 * ```
 */
export { Buffer } from 'buffer';
