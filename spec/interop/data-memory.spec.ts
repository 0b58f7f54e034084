/**
 * Data streams between our library and ilp-protocol-stream 2.7.1 (the reference), over the
 * in-memory network: RFC 29 §4.4.3 (stream data), §4.4.4 (flow control), §5.3.11 (StreamData).
 *
 * Every transfer is checked byte for byte: the SHA-256 and length of everything the receiving
 * application read, in read order, must equal those of the random payload the sender wrote.
 * Transfers are watched for progress, so one that stalls fails within seconds saying how far it
 * got (`unlessStalled`), instead of running into the jest timeout.
 *
 * Our side writes with `sendData()` or through `toDuplex()` (Node `pipeline`), and reads with
 * `data$` or `toDuplex()`. The reference's streams are Node Duplexes: it writes with
 * `write()`/`end()` and reads through `'data'` (flowing mode), its stream receive window being
 * its readable highWaterMark, 16,384 bytes, and its connection window 65,534 bytes.
 *
 * What the reference does that matters here (research notes reference-js.md §1.4, §3):
 * - as a receiver it advertises its windows (StreamMaxData = bytes read + 16,384 - bytes held,
 *   ConnectionMaxData) only in replies to packets, and in packets its own send loop sends; a
 *   reader in flowing mode never starts that loop, so a sender that waits for an unsolicited
 *   window update from it waits forever: the sender has to ask (StreamDataBlocked, §4.4.4);
 * - as a sender it keeps one packet in flight and, when blocked, still sends one packet of
 *   control frames whose reply carries the receiver's current window;
 * - a reference stream that accepts money (`setReceiveMax`) starts the reference's send loop,
 *   whose packets carry its windows too; so only the money-and-data tests raise it, and the
 *   data-only readers are pure readers, as an application that only reads would be.
 */
import { pipeline } from 'node:stream/promises';
import { lastValueFrom } from 'rxjs';
import { CONNECTION_DEFAULTS, toDuplex } from '../../lib';
import { closeAllPairs, ourClientToRefServer, refClientToOurServer, waitUntil } from '../helpers/reference-peers';
import {
  ByteSink,
  KiB,
  LARGEST_CHUNK,
  MiB,
  type Reader,
  STALL_MS,
  type SlowReaderRun,
  type ToOurServer,
  type ToRefServer,
  TRANSFER_SIZES,
  digestOf,
  expectEndedAfter,
  expectSlowReaderRun,
  ourStreamToRef,
  payload,
  quiet,
  readOurs,
  readRef,
  readableOf,
  refStreamToOurs,
  refWritesToOurDataTest,
  sendDataToRefTest,
  sinkWritable,
  slowReaderOnOurSide,
  unlessStalled,
  within,
  writeRef,
} from '../helpers/data-peers';

afterEach(closeAllPairs);

/** Each test's jest timeout (a stalled transfer fails long before, see STALL_MS). */
const TEST_MS = 20_000;
jest.setTimeout(TEST_MS);

/** Our client → the reference server over the in-memory network. */
const toRefServer: ToRefServer = (onConnection) => ourClientToRefServer({}, { onConnection });
/** The reference client → our server over the in-memory network. */
const toOurServer: ToOurServer = (onConnection) => refClientToOurServer({}, { onConnection });

/**
 * Waits until an echo finished both ways: each reader got `size` bytes and each writer is done,
 * failing once neither reader moved for STALL_MS.
 */
function bothWays(refReader: Reader, ourReader: Reader, size: number, writers: Array<Promise<unknown>>): Promise<unknown> {
  return unlessStalled(
    Promise.all([...writers, refReader.sink.reached(size), ourReader.sink.reached(size)]),
    () => refReader.sink.length + ourReader.sink.length,
    'the echo in both directions',
    STALL_MS,
  );
}

describe('§4.4.3, §5.3.11: our client → reference server, every byte identical', () => {
  it.each(TRANSFER_SIZES)(
    '§4.4.3, §5.3.11 StreamData: sendData(%s) completes once acknowledged; the reference reads every byte via \'data\' (sha256 + length equal)',
    sendDataToRefTest(toRefServer),
    TEST_MS,
  );

  it.each(TRANSFER_SIZES)(
    '§4.4.3, §5.3.11 StreamData: pipeline(Readable of 64 KiB chunks, toDuplex(stream)) with %s; the reference reads every byte, then sees \'end\'',
    async (_label, size) => {
      const data = payload(size);
      const { errors, stream, refSide } = await ourStreamToRef(toRefServer);

      // pipeline resolves once the Duplex finished: end() → every byte acknowledged → StreamClose.
      const piped = quiet(pipeline(readableOf(data, 64 * KiB), toDuplex(stream, { writableHighWaterMark: 64 * KiB })));
      const { reader } = await refSide();
      await unlessStalled(piped, () => reader.sink.length, `the reference reading our ${size} bytes`, STALL_MS);
      expect(stream.state).toBe('closed');
      await expectEndedAfter(reader, data, "the reference stream's 'end'");
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );
});

describe('§4.4.3, §5.3.11: reference client → our server, every byte identical', () => {
  it.each(TRANSFER_SIZES)(
    "§4.4.3, §5.3.11 StreamData: the reference write()s %s in 64 KiB chunks and end()s; our data$ emits every byte, then completes",
    refWritesToOurDataTest(toOurServer),
    TEST_MS,
  );

  it.each(TRANSFER_SIZES)(
    '§4.4.3, §5.3.11 StreamData: the reference write()s %s and end()s; pipeline(toDuplex(stream), Writable) on our side gets every byte and resolves',
    async (_label, size) => {
      const data = payload(size);
      const { errors, refStream, ourSide } = await refStreamToOurs(toOurServer, (stream) => {
        const sink = new ByteSink();
        return { stream, sink, piped: quiet(pipeline(toDuplex(stream), sinkWritable(sink))) };
      });

      const written = quiet(writeRef(refStream, data, 64 * KiB, { end: true }));
      const { stream, sink, piped } = await ourSide();
      await unlessStalled(piped, () => sink.length, `our Duplex reading ${size} bytes`, STALL_MS);
      expect(sink.digest()).toEqual(digestOf(data));
      await within(written, 2000, "the reference stream's end() callback");
      expect(stream.state).toBe('closed');
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );
});

/** The slow reader on our side: stream window, Duplex highWaterMark, Writable delay per chunk. */
const SLOW_WINDOW = 64 * KiB;
const SLOW_HIGH_WATER_MARK = 16 * KiB;
const SLOW_DELAY_MS = 10;
/** The pausing reference reader stops after every this many bytes. */
const PAUSE_EVERY = 192 * KiB;

/** Reference client → our server (window {@link SLOW_WINDOW}) with a slow Duplex reader on our side. */
function slowReaderOverMemory(): Promise<SlowReaderRun> {
  return slowReaderOnOurSide(
    (onConnection) => refClientToOurServer({}, { server: { streamReceiveWindow: SLOW_WINDOW }, onConnection }),
    { size: MiB, readableHighWaterMark: SLOW_HIGH_WATER_MARK, delayMs: SLOW_DELAY_MS, stallMs: STALL_MS },
  );
}

describe('§4.4.4 flow control: a slow reader on either side', () => {
  it(
    "§4.4.4, §5.3.11: the reference server pause()s its stream for 100 ms at its first byte and after every 192 KiB it read, while our client sends 1 MiB; every byte arrives, no connection error",
    async () => {
      const size = MiB;
      const data = payload(size);
      /** Bytes the reference had read when each pause began, and when its resume() came. */
      const pauses: Array<{ before: number; after: number }> = [];
      let pausesStarted = 0;
      const { pair, errors, stream, refSide } = await ourStreamToRef(toRefServer, {
        onStream: (stream, reader) => {
          const pauseFor100ms = (): void => {
            pausesStarted += 1;
            stream.pause();
            const before = reader.sink.length;
            setTimeout(() => {
              pauses.push({ before, after: reader.sink.length });
              stream.resume();
            }, 100);
          };
          pauseFor100ms();
          let nextPause = PAUSE_EVERY;
          // Registered after readRef's listener, so the sink already counts the chunk.
          stream.on('data', () => {
            if (reader.sink.length < nextPause || reader.sink.length >= size) return;
            nextPause += PAUSE_EVERY;
            pauseFor100ms();
          });
        },
      });

      const sent = quiet(lastValueFrom(stream.sendData(data)));
      const { reader } = await refSide();
      const progress = (): number => reader.sink.length + pauses.length;
      const last = await unlessStalled(sent, progress, 'our sendData to a pausing reader', STALL_MS);
      expect(last).toEqual({ sent: size, acknowledged: size, length: size });
      await unlessStalled(reader.sink.reached(size), progress, 'the reference emitting the acknowledged bytes', STALL_MS);
      await waitUntil(() => pauses.length === pausesStarted, 'the last pause ended');
      expect(reader.sink.digest()).toEqual(digestOf(data));
      // The reader did stop several times mid-transfer (at 0, 192 KiB, …, 960 KiB), and held still.
      expect(pauses.length).toBe(Math.ceil(size / PAUSE_EVERY));
      expect(pauses.every((p) => p.after === p.before && p.before < size)).toBe(true);
      // No FlowControlError either way: we never sent beyond the window the paused reader advertised.
      expect(errors()).toEqual({ ours: [], ref: [] });
      expect(pair.ours.state).toBe('open');
    },
    TEST_MS,
  );

  it(
    '§4.4.4: our server reads through toDuplex (readableHighWaterMark 16 KiB) into a Writable calling back after 10 ms, streamReceiveWindow 64 KiB, while the reference sends 1 MiB; every byte arrives and stream.incoming.bufferedBytes never exceeds streamReceiveWindow + readableHighWaterMark',
    async () => {
      expectSlowReaderRun(await slowReaderOverMemory(), SLOW_WINDOW);
    },
    TEST_MS,
  );

  it(
    '§4.4.4: with the same slow Duplex reader, the stream and the Duplex together never hold more than streamReceiveWindow + readableHighWaterMark + one chunk: pauseData() from a full Duplex stops delivery at once',
    async () => {
      const { data, sink, maxHeldWithDuplex, errors } = await slowReaderOverMemory();
      expect(sink.digest()).toEqual(digestOf(data));
      expect(errors).toEqual({ ours: [], ref: [] });
      // The peer may send up to consumed + window, so the stream holds at most the window; the
      // Duplex takes chunks until push() returns false, so it holds at most its highWaterMark plus
      // the one chunk that crossed it. Anything beyond means bytes kept flowing after pauseData().
      expect(maxHeldWithDuplex).toBeLessThanOrEqual(SLOW_WINDOW + SLOW_HIGH_WATER_MARK + LARGEST_CHUNK);
    },
    TEST_MS,
  );
});

describe('§4.4.3: both directions at once on one stream (echo)', () => {
  it(
    '§4.4.3, §5.3.11: our client sends 1 MiB (sendData) while the reference server write()s its own 1 MiB back on the same stream; each side reads the other\'s bytes identical',
    async () => {
      const ours = payload(MiB);
      const theirs = payload(MiB);
      let refWritten: Promise<void> = Promise.resolve();
      const { errors, stream, refSide } = await ourStreamToRef(toRefServer, {
        onStream: (stream) => (refWritten = quiet(writeRef(stream, theirs, 64 * KiB, { end: false }))),
      });
      const ourReader = readOurs(stream);

      const sent = quiet(lastValueFrom(stream.sendData(ours)));
      const { reader: refReader } = await refSide();
      await bothWays(refReader, ourReader, MiB, [sent, refWritten]);
      expect(refReader.sink.digest()).toEqual(digestOf(ours));
      expect(ourReader.sink.digest()).toEqual(digestOf(theirs));
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );

  it(
    '§4.4.3, §5.3.11: the reference client write()s 1 MiB while our server stream sends its own 1 MiB back (sendData); each side reads the other\'s bytes identical',
    async () => {
      const ourBytes = payload(MiB);
      const theirs = payload(MiB);
      const { errors, refStream, ourSide } = await refStreamToOurs(toOurServer, (stream) => ({
        stream,
        reader: readOurs(stream),
        sent: quiet(lastValueFrom(stream.sendData(ourBytes))),
      }));
      const refReader = readRef(refStream);

      const refWritten = quiet(writeRef(refStream, theirs, 64 * KiB, { end: false }));
      const { reader: ourReader, sent } = await ourSide();
      await bothWays(refReader, ourReader, MiB, [sent, refWritten]);
      expect(refReader.sink.digest()).toEqual(digestOf(ourBytes));
      expect(ourReader.sink.digest()).toEqual(digestOf(theirs));
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );
});

describe('§4.4.3: the writer ends the stream after writing', () => {
  it(
    "§4.4.3, §4.4.5: our client sendData(1 MiB) then stream.end(): end() resolves after the last byte was acknowledged, and the reference sees 'end' after the last byte",
    async () => {
      const data = payload(MiB);
      const { errors, stream, refSide } = await ourStreamToRef(toRefServer);

      let acknowledged = 0;
      let completed = false;
      stream.sendData(data).subscribe({ next: (p) => (acknowledged = p.acknowledged), complete: () => (completed = true), error: () => undefined });
      const ended = quiet(stream.end().then(() => ({ acknowledged, completed })));
      const { reader } = await refSide();
      expect(await unlessStalled(ended, () => reader.sink.length, 'our end() after 1 MiB', STALL_MS)).toEqual({ acknowledged: MiB, completed: true });
      await expectEndedAfter(reader, data, "the reference stream's 'end'");
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );

  it(
    '§4.4.3, §4.4.5: the reference client write()s 200 KiB and end()s before anyone reads on our side; a data$ subscriber that comes later gets every byte, then completes',
    async () => {
      // Less than our default stream window, so the reference can send it all and close while
      // nobody reads: the close arrives while every byte still waits in our stream.
      const size = 200 * KiB;
      expect(size).toBeLessThan(CONNECTION_DEFAULTS.streamReceiveWindow);
      const data = payload(size);
      const { errors, refStream, ourSide } = await refStreamToOurs(toOurServer, (stream) => stream);
      const refClosed = new Promise<void>((resolve) => refStream.once('close', () => resolve()));

      await within(writeRef(refStream, data, 64 * KiB, { end: true }), 5000, "the reference stream's end() callback");
      await within(refClosed, 2000, "the reference stream's 'close'");
      const stream = await ourSide();
      // The StreamClose travels in the reference's next packet; give it a moment to arrive.
      await within(
        new Promise<void>((resolve) => stream.totals$.subscribe({ complete: resolve, error: () => resolve() })),
        2000,
        'our stream to learn of the close',
      );
      expect(stream.state).toBe('closed');

      const reader = readOurs(stream);
      await expectEndedAfter(reader, data, 'our data$ to complete');
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );
});

describe('§4.4.3 with §5.3.8: money and data on the same stream at the same time', () => {
  const NETWORK = { exchangeRate: 0.5, maxPacketAmount: 1000 };

  it(
    "§4.4.3, §5.3.8, §5.3.11: our client sends 100,000 units and 1 MiB on one stream to the reference server at rate 0.5, max packet 1000; money totals exact on both ends, bytes identical",
    async () => {
      const data = payload(MiB);
      let refMoney = 0n;
      const { pair, errors, stream, refSide } = await ourStreamToRef((onConnection) => ourClientToRefServer(NETWORK, { onConnection }), {
        acceptMoney: true,
        onStream: (stream) => stream.on('money', (amount: string) => (refMoney += BigInt(amount))),
      });

      const paid = quiet(lastValueFrom(stream.sendMoney(100_000)));
      const sent = quiet(lastValueFrom(stream.sendData(data)));
      const { stream: refStream, reader } = await refSide();
      const progress = (): number => reader.sink.length + Number(refMoney);
      const [money] = await unlessStalled(Promise.all([paid, sent, reader.sink.reached(MiB)]), progress, 'money and bytes together', STALL_MS);
      expect(money).toEqual({ amount: 100_000n, sent: 100_000n, delivered: 50_000n });
      expect(stream.totals).toEqual({ sent: 100_000n, delivered: 50_000n, received: 0n, inFlight: 0n });
      expect(refMoney).toBe(50_000n);
      expect(refStream.totalReceived).toBe('50000');
      expect(pair.ref.totalReceived).toBe('50000');
      expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(50_000n);
      expect(reader.sink.digest()).toEqual(digestOf(data));
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );

  it(
    '§4.4.3, §5.3.8, §5.3.11: the reference client sends 100,000 units and write()s 1 MiB on one stream to our server at rate 0.5, max packet 1000; money totals exact on both ends, bytes identical',
    async () => {
      const data = payload(MiB);
      const { pair, errors, refStream, ourSide } = await refStreamToOurs(
        (onConnection) => refClientToOurServer(NETWORK, { onConnection }),
        (stream) => {
          let money = 0n;
          stream.money$.subscribe((amount) => (money += amount));
          return { stream, reader: readOurs(stream), money: () => money };
        },
      );

      const paid = quiet(refStream.sendTotal(100_000));
      const written = quiet(writeRef(refStream, data, 64 * KiB, { end: false }));
      const { stream, reader, money } = await ourSide();
      const progress = (): number => reader.sink.length + Number(money());
      await unlessStalled(Promise.all([paid, written, reader.sink.reached(MiB)]), progress, 'money and bytes together', STALL_MS);
      expect(refStream.totalSent).toBe('100000');
      expect(pair.ref.totalDelivered).toBe('50000');
      expect(money()).toBe(50_000n);
      expect(stream.totals.received).toBe(50_000n);
      expect(pair.ours.totals.received).toBe(50_000n);
      expect(pair.network.stats.clientToServer.destinationAmountFulfilled).toBe(50_000n);
      expect(reader.sink.digest()).toEqual(digestOf(data));
      expect(errors()).toEqual({ ours: [], ref: [] });
    },
    TEST_MS,
  );
});
