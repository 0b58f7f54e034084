/**
 * The crypto floor: how many STREAM packet round trips per second one core can do on crypto
 * alone (research/perf-anchor.md, "Crypto floor detail"). One round trip is
 *
 * 1. sender: encrypt the Prepare's packet (fresh 12-byte IV), fulfillment HMAC, condition SHA-256;
 * 2. receiver: decrypt, fulfillment HMAC, SHA-256 check against the condition, encrypt the reply;
 * 3. sender: SHA-256 of the fulfillment against the condition, decrypt the reply;
 *
 * that is 2 encrypt, 2 decrypt, 2 HMAC, 3 SHA-256 and 2 x 12 random bytes, keys derived once.
 * Three variants run the same steps: (a) plain node:crypto calls as perf-anchor.md measured them
 * (`randomBytes(12)` per IV, `createHash`), (b) this library's `StreamKeys`, (c) the reference's
 * (ilp-protocol-stream 2.7.1) async crypto helpers.
 *
 * Run: `npx ts-node --transpile-only bench/crypto-floor.ts [payloadBytes]`
 *
 * @example
 * ```ts
 * import { measureCryptoFloor, formatCryptoFloor } from './crypto-floor';
 * console.log(formatCryptoFloor(await measureCryptoFloor({ payloadBytes: 100 })));
 * ```
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as referenceCrypto from 'ilp-protocol-stream/dist/src/crypto';
import { deriveKeys, fulfillmentMatches } from '../lib/crypto';

/**
 * How to measure.
 *
 * @example
 * ```ts
 * const options: CryptoFloorOptions = { payloadBytes: 1200, runs: 5 };
 * ```
 */
export interface CryptoFloorOptions {
  /** Plaintext bytes of the Prepare's STREAM packet and of the reply. Default 100. */
  readonly payloadBytes?: number;
  /** Timed runs; the median is reported. Default 7. */
  readonly runs?: number;
  /** Length of one run in ms. Default 300. */
  readonly runMs?: number;
  /** Untimed warm-up before the runs, in ms. Default 300. */
  readonly warmupMs?: number;
}

/**
 * One variant's result.
 *
 * @example
 * ```ts
 * const [floor]: CryptoFloorResult[] = await measureCryptoFloor();
 * ```
 */
export interface CryptoFloorResult {
  readonly label: string;
  /** Median over the runs. */
  readonly roundTripsPerSecond: number;
  readonly min: number;
  readonly max: number;
  readonly microsecondsPerRoundTrip: number;
  /** Round trips per second of every run, in run order. */
  readonly runs: readonly number[];
}

type RoundTrip = () => void;
type AsyncRoundTrip = () => Promise<void>;

const SHARED_SECRET = Buffer.alloc(32, 0x2a);
const BATCH = 64;

function fail(what: string): never {
  throw new Error(`crypto floor round trip is broken: ${what}`);
}

/**
 * (a) the raw node:crypto floor, written the way perf-anchor.md measured it.
 *
 * @example
 * ```ts
 * const roundTrip = nodeFloorRoundTrip(100); roundTrip();
 * ```
 */
export function nodeFloorRoundTrip(payloadBytes: number): RoundTrip {
  const encryptionKey = createHmac('sha256', SHARED_SECRET).update('ilp_stream_encryption').digest();
  const fulfillmentKey = createHmac('sha256', SHARED_SECRET).update('ilp_stream_fulfillment').digest();
  const packet = Buffer.alloc(payloadBytes, 1);
  const reply = Buffer.alloc(payloadBytes, 2);
  const encrypt = (plaintext: Buffer): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  };
  const decrypt = (data: Buffer): Buffer => {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
  };
  const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
  return () => {
    const data = encrypt(packet);
    const condition = sha256(createHmac('sha256', fulfillmentKey).update(data).digest());
    decrypt(data);
    const fulfillment = createHmac('sha256', fulfillmentKey).update(data).digest();
    if (!timingSafeEqual(sha256(fulfillment), condition)) fail('receiver condition');
    const replyData = encrypt(reply);
    if (!timingSafeEqual(sha256(fulfillment), condition)) fail('sender condition');
    decrypt(replyData);
  };
}

/**
 * (b) the same round trip through this library's `StreamKeys`.
 *
 * @example
 * ```ts
 * const roundTrip = streamKeysRoundTrip(100); roundTrip();
 * ```
 */
export function streamKeysRoundTrip(payloadBytes: number): RoundTrip {
  const sender = deriveKeys(SHARED_SECRET);
  const receiver = deriveKeys(SHARED_SECRET);
  const packet = Buffer.alloc(payloadBytes, 1);
  const reply = Buffer.alloc(payloadBytes, 2);
  return () => {
    const data = sender.encrypt(packet);
    const condition = sender.condition(data);
    receiver.decrypt(data);
    const fulfillment = receiver.fulfillment(data);
    if (!fulfillmentMatches(fulfillment, condition)) fail('receiver condition');
    const replyData = receiver.encrypt(reply);
    if (!fulfillmentMatches(fulfillment, condition)) fail('sender condition');
    sender.decrypt(replyData);
  };
}

/**
 * (c) the same round trip through ilp-protocol-stream 2.7.1's async helpers, as it calls them.
 *
 * @example
 * ```ts
 * const roundTrip = await referenceRoundTrip(100); await roundTrip();
 * ```
 */
export async function referenceRoundTrip(payloadBytes: number): Promise<AsyncRoundTrip> {
  const encryptionKey = await referenceCrypto.generatePskEncryptionKey(SHARED_SECRET);
  const fulfillmentKey = await referenceCrypto.generateFulfillmentKey(SHARED_SECRET);
  const packet = Buffer.alloc(payloadBytes, 1);
  const reply = Buffer.alloc(payloadBytes, 2);
  return async () => {
    const data = await referenceCrypto.encrypt(encryptionKey, packet);
    const condition = await referenceCrypto.hash(await referenceCrypto.generateFulfillment(fulfillmentKey, data));
    await referenceCrypto.decrypt(encryptionKey, data);
    const fulfillment = await referenceCrypto.generateFulfillment(fulfillmentKey, data);
    if (!(await referenceCrypto.hash(fulfillment)).equals(condition)) fail('receiver condition');
    const replyData = await referenceCrypto.encrypt(encryptionKey, reply);
    if (!(await referenceCrypto.hash(fulfillment)).equals(condition)) fail('sender condition');
    await referenceCrypto.decrypt(encryptionKey, replyData);
  };
}

/**
 * Measures a round-trip function: warm-up, then `runs` timed runs of `runMs` each.
 *
 * @example
 * ```ts
 * const result = await measure('(b) StreamKeys', streamKeysRoundTrip(100));
 * ```
 */
export async function measure(label: string, roundTrip: RoundTrip | AsyncRoundTrip, options: CryptoFloorOptions = {}): Promise<CryptoFloorResult> {
  const { runs = 7, runMs = 300, warmupMs = 300 } = options;
  const isAsync = roundTrip() instanceof Promise;
  const runFor = async (ms: number): Promise<number> => {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      if (isAsync) for (let i = 0; i < BATCH; i++) await roundTrip();
      else for (let i = 0; i < BATCH; i++) roundTrip();
      count += BATCH;
      elapsed = performance.now() - start;
    }
    return (count * 1000) / elapsed;
  };
  await runFor(warmupMs);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) rates.push(await runFor(runMs));
  const sorted = [...rates].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return {
    label,
    roundTripsPerSecond: median,
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    microsecondsPerRoundTrip: 1e6 / median,
    runs: rates,
  };
}

/**
 * Measures (a), the raw node:crypto floor.
 *
 * @example
 * ```ts
 * const { roundTripsPerSecond } = await measureNodeFloor();
 * ```
 */
export function measureNodeFloor(options: CryptoFloorOptions = {}): Promise<CryptoFloorResult> {
  return measure('(a) node:crypto floor', nodeFloorRoundTrip(options.payloadBytes ?? 100), options);
}

/**
 * Measures (b), this library's StreamKeys.
 *
 * @example
 * ```ts
 * const { roundTripsPerSecond } = await measureStreamKeys({ payloadBytes: 1200 });
 * ```
 */
export function measureStreamKeys(options: CryptoFloorOptions = {}): Promise<CryptoFloorResult> {
  return measure('(b) ilp-stream-rx StreamKeys', streamKeysRoundTrip(options.payloadBytes ?? 100), options);
}

/**
 * Measures (c), ilp-protocol-stream 2.7.1's crypto helpers.
 *
 * @example
 * ```ts
 * const { roundTripsPerSecond } = await measureReference();
 * ```
 */
export async function measureReference(options: CryptoFloorOptions = {}): Promise<CryptoFloorResult> {
  return measure('(c) ilp-protocol-stream 2.7.1 crypto', await referenceRoundTrip(options.payloadBytes ?? 100), options);
}

/**
 * Measures all three, in order (a), (b), (c).
 *
 * @example
 * ```ts
 * const [floor, ours, theirs] = await measureCryptoFloor({ runs: 5 });
 * ```
 */
export async function measureCryptoFloor(options: CryptoFloorOptions = {}): Promise<CryptoFloorResult[]> {
  return [await measureNodeFloor(options), await measureStreamKeys(options), await measureReference(options)];
}

/**
 * A small table: round trips/s (median [min..max]), us per round trip, ratio to the first row.
 *
 * @example
 * ```ts
 * console.log(formatCryptoFloor(results));
 * ```
 */
export function formatCryptoFloor(results: readonly CryptoFloorResult[]): string {
  const floor = results[0]?.roundTripsPerSecond ?? 1;
  const rows = results.map((result) => {
    const rate = `${Math.round(result.roundTripsPerSecond)} rt/s [${Math.round(result.min)}..${Math.round(result.max)}]`;
    const ratio = (result.roundTripsPerSecond / floor).toFixed(2);
    return `${result.label.padEnd(40)} ${rate.padEnd(28)} ${result.microsecondsPerRoundTrip.toFixed(1).padStart(6)} us  x${ratio}`;
  });
  return rows.join('\n');
}

async function main(): Promise<void> {
  const payloadBytes = Number(process.argv[2] ?? 100);
  if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0 || payloadBytes > 32_739) {
    throw new Error(`payloadBytes must be an integer from 0 to 32739, got ${process.argv[2]}`);
  }
  console.log(`crypto floor: one STREAM round trip (2 enc, 2 dec, 2 HMAC, 3 SHA-256, 2 IVs), ${payloadBytes}-byte payloads, Node ${process.version}`);
  console.log(formatCryptoFloor(await measureCryptoFloor({ payloadBytes })));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
