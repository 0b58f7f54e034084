/**
 * Data streams between our library and ilp-protocol-stream 2.7.1 over real WebSockets: each end
 * on its own ilp-plugin-btp client of `createBtpNetwork` on 127.0.0.1, so every packet, up to
 * 32 KiB of StreamData, crosses two BTP hops and the connector in between. RFC 29 §4.4.3 (stream
 * data), §4.4.4 (flow control), §5.3.11 (StreamData).
 *
 * A subset of data-memory.spec.ts (which explains the reference's data behaviour): 1 MiB and
 * 16 MiB each way, byte-identical (SHA-256 and length of everything read against the random
 * payload written), and one slow reader on our side with the default windows (the BTP pair
 * helpers take no tuning), reading twice the default stream window. Transfers are
 * watched for progress: one that stalls fails within seconds, saying how far it got.
 */
import { lastValueFrom } from 'rxjs';
import { CONNECTION_DEFAULTS } from '../../lib';
import { closeAllBtpPairs, ourClientToRefServerOverBtp, refClientToOurServerOverBtp } from '../helpers/btp-peers';
import type { RefConnection } from '../helpers/reference-peers';
import {
  KiB,
  LARGEST_CHUNK,
  MiB,
  digestOf,
  errorsOf,
  ourStreams,
  payload,
  quiet,
  readOurs,
  refStreams,
  slowReaderOnOurSide,
  unlessStalled,
  within,
  writeRef,
} from '../helpers/data-peers';

jest.setTimeout(20_000);

/** The reference end of every pair this test made. */
const referenceEnds: RefConnection[] = [];

/** Registers a pair's reference end so that it is ended first at teardown. */
function track<P extends { ref: RefConnection }>(pair: P): P {
  referenceEnds.push(pair.ref);
  return pair;
}

afterEach(async () => {
  // The reference closes first: its ConnectionClose reaches us, we answer it and close, and then
  // closeAllBtpPairs' destroy() of our end has nothing left to do. The other way round, our
  // destroy() sends a ConnectionClose that a reference client may never answer (it disconnects
  // its plugin as it closes), and the reply timer of that Prepare keeps jest alive until the
  // Prepare's 30 s expiry (the same happens in btp-money.spec.ts).
  await Promise.all(referenceEnds.splice(0).map((ref) => within(ref.end(), 3000, 'the reference connection to end').catch(() => undefined)));
  await closeAllBtpPairs();
});

/** A transfer that moved no byte for this long has stalled. */
const STALL_MS = 3000;
/** How long the receiving stream may take to appear once the sender started. */
const APPEAR_MS = 3000;
/** Each test's jest timeout: the 16 MiB ones take a few seconds over loopback. */
const TEST_MS = 20_000;

describe('§4.4.3, §5.3.11 over BTP: our client → reference server', () => {
  it.each([
    ['1 MiB', MiB],
    ['16 MiB', 16 * MiB],
  ])(
    "§4.4.3, §5.3.11 StreamData: sendData(%s) over two BTP hops completes once acknowledged; the reference reads every byte via 'data' (sha256 + length equal)",
    async (_label, size) => {
      const data = payload(size);
      const ref = refStreams();
      const pair = track(await ourClientToRefServerOverBtp({}, { onConnection: ref.onConnection }));
      const errors = errorsOf(pair);
      const stream = pair.ours.createStream();

      const sent = quiet(lastValueFrom(stream.sendData(data)));
      const { reader } = await within(ref.first, APPEAR_MS, 'the reference stream to appear');
      const last = await unlessStalled(sent, () => reader.sink.length, `the reference reading our ${size} bytes`, STALL_MS);
      expect(last).toEqual({ sent: size, acknowledged: size, length: size });
      await unlessStalled(reader.sink.reached(size), () => reader.sink.length, 'the reference emitting the acknowledged bytes', STALL_MS);
      expect(reader.sink.digest()).toEqual(digestOf(data));
      expect(errors()).toEqual({ ours: [], ref: [] });
      expect(pair.ours.state).toBe('open');
    },
    TEST_MS,
  );
});

describe('§4.4.3, §5.3.11 over BTP: reference client → our server', () => {
  it.each([
    ['1 MiB', MiB],
    ['16 MiB', 16 * MiB],
  ])(
    '§4.4.3, §5.3.11 StreamData: the reference write()s %s in 64 KiB chunks over two BTP hops and end()s; our data$ emits every byte, then completes',
    async (_label, size) => {
      const data = payload(size);
      const ours = ourStreams((stream) => ({ stream, reader: readOurs(stream) }));
      const pair = track(await refClientToOurServerOverBtp({}, { onConnection: ours.onConnection }));
      const errors = errorsOf(pair);
      const refStream = pair.ref.createStream();

      const written = quiet(writeRef(refStream, data, 64 * KiB, { end: true }));
      const { stream, reader } = await within(ours.first, APPEAR_MS, 'our server stream to appear');
      const end = await unlessStalled(reader.ended, () => reader.sink.length, `our data$ reading ${size} bytes`, STALL_MS);
      expect(end).toEqual({ kind: 'end' });
      expect(reader.lengthAtEnd()).toBe(size);
      expect(reader.sink.digest()).toEqual(digestOf(data));
      await within(written, 2000, "the reference stream's end() callback");
      expect(stream.state).toBe('closed');
      expect(errors()).toEqual({ ours: [], ref: [] });
      expect(pair.ours.state).toBe('open');
    },
    TEST_MS,
  );
});

describe('§4.4.4 over BTP: a slow reader on our side', () => {
  it(
    '§4.4.4: our server reads twice its default streamReceiveWindow through toDuplex (readableHighWaterMark 16 KiB) into a Writable calling back after 5 ms; every byte arrives and stream.incoming.bufferedBytes never exceeds streamReceiveWindow + readableHighWaterMark',
    async () => {
      const window = CONNECTION_DEFAULTS.streamReceiveWindow;
      const highWaterMark = 16 * KiB;
      const delayMs = 5;
      // Twice the window, so the sender must be held back by it for half of the transfer at least.
      const size = 2 * window;
      const run = await slowReaderOnOurSide(async (onConnection) => track(await refClientToOurServerOverBtp({}, { onConnection })), {
        size,
        readableHighWaterMark: highWaterMark,
        delayMs,
        stallMs: STALL_MS,
      });
      expect(run.sink.digest()).toEqual(digestOf(run.data));
      expect(run.stream.state).toBe('closed');
      expect(run.errors).toEqual({ ours: [], ref: [] });
      expect(run.maxHeld).toBeLessThanOrEqual(window + highWaterMark);
      // The reader was the bottleneck: at least size / 32 KiB chunks (none is larger) at 5 ms
      // each, and bytes waited in the stream meanwhile.
      expect(run.elapsed).toBeGreaterThanOrEqual((size / LARGEST_CHUNK) * delayMs);
      expect(run.maxHeld).toBeGreaterThan(0);
    },
    TEST_MS,
  );
});
