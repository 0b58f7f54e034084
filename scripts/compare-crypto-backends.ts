/**
 * Prints what the noble backend costs against node:crypto, per STREAM packet round trip (the
 * crypto a sender and a receiver do for one fulfilled Prepare: 2 encrypt, 2 decrypt, fulfillment,
 * condition, fulfillment check). A ratio for the report and the README, not a test.
 *
 * @example
 * ```sh
 * npx ts-node --transpile-only scripts/compare-crypto-backends.ts        # 100-byte packets
 * PACKET_BYTES=1200 npx ts-node --transpile-only scripts/compare-crypto-backends.ts
 * ```
 */
import * as path from 'node:path';
import type { CryptoBackend } from '../lib/crypto/backend';
import { nobleBackend } from '../lib/crypto/backend-noble';
import { nodeBackend } from '../lib/crypto/backend-node';

type Layer = typeof import('../lib/crypto');

/** lib/crypto loaded afresh with `backend` active, as the browser build wires it. */
function layerOn(backend: CryptoBackend): Layer {
  const activePath = require.resolve('../lib/crypto/active-backend');
  const cryptoDir = path.dirname(activePath);
  // Forget the crypto layer (not the backends) so that it loads again against the stand-in below.
  for (const id of Object.keys(require.cache)) if (id.startsWith(cryptoDir) && !/backend-no(de|ble)\.ts$/.test(id)) delete require.cache[id];
  require.cache[activePath] = { id: activePath, filename: activePath, loaded: true, exports: { backend } } as NodeJS.Module;
  return require('../lib/crypto') as Layer;
}

/** Microseconds per round trip, median of `runs` timed runs of `rounds` each. */
function roundTripMicros(layer: Layer, packetBytes: number, rounds: number, runs: number): number {
  const keys = layer.deriveKeys(Buffer.alloc(32, 9));
  const packet = Buffer.alloc(packetBytes, 7);
  const round = (): void => {
    const prepareData = keys.encrypt(packet);
    const condition = keys.condition(prepareData);
    keys.decrypt(prepareData);
    const fulfillment = keys.fulfillment(prepareData);
    keys.decrypt(keys.encrypt(packet));
    if (!layer.fulfillmentMatches(fulfillment, condition)) throw new Error('fulfillment does not match');
  };
  for (let i = 0; i < rounds; i++) round();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) round();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / rounds);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

function main(): void {
  const packetBytes = Number(process.env.PACKET_BYTES ?? 100);
  const rounds = Number(process.env.ROUNDS ?? 2000);
  const node = layerOn(nodeBackend);
  if (node.cryptoBackendName() !== 'node') throw new Error('node backend not active');
  const nodeMicros = roundTripMicros(node, packetBytes, rounds, 5);
  const noble = layerOn(nobleBackend);
  if (noble.cryptoBackendName() !== 'noble') throw new Error('noble backend not active');
  const nobleMicros = roundTripMicros(noble, packetBytes, rounds, 5);
  console.log(`crypto per packet round trip, ${packetBytes}-byte packets (median of 5 x ${rounds}):`);
  console.log(`  node   ${nodeMicros.toFixed(1)} us  (${Math.round(1e6 / nodeMicros)} round trips/s)`);
  console.log(`  noble  ${nobleMicros.toFixed(1)} us  (${Math.round(1e6 / nobleMicros)} round trips/s)`);
  console.log(`  noble / node = ${(nobleMicros / nodeMicros).toFixed(1)}x`);
}

main();
