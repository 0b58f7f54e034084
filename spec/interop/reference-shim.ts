/**
 * Loads ilp-protocol-stream 2.7.1 (the reference implementation) so that it runs on Node >= 18.
 *
 * Why: its `DataAndMoneyStream` constructor assigns `this.closed = false`, but Node 18 made
 * `Readable#closed` a getter-only accessor, so the first `createStream()` throws
 * (interledgerjs/interledgerjs#284). We give the reference's class its own read-write `closed`
 * accessor from outside; node_modules is never edited.
 *
 * @example
 * ```ts
 * import { reference } from './reference-shim';
 * const server = await reference.createServer({ plugin, serverSecret });
 * ```
 */
import type * as ReferenceModule from 'ilp-protocol-stream';

const CLOSED = Symbol('referenceStreamClosed');

function applyClosedAccessorShim(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DataAndMoneyStream } = require('ilp-protocol-stream/dist/src/stream') as {
    DataAndMoneyStream: { prototype: object };
  };
  if (Object.prototype.hasOwnProperty.call(DataAndMoneyStream.prototype, 'closed')) return;
  Object.defineProperty(DataAndMoneyStream.prototype, 'closed', {
    configurable: true,
    get(this: Record<symbol, boolean>): boolean {
      return this[CLOSED] ?? false;
    },
    set(this: Record<symbol, boolean>, value: boolean) {
      this[CLOSED] = value;
    },
  });
}

applyClosedAccessorShim();

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const reference = require('ilp-protocol-stream') as typeof ReferenceModule;
