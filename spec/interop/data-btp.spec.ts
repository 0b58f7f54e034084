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
import { CONNECTION_DEFAULTS } from '../../lib';
import { closeAllBtpPairs, ourClientToRefServerOverBtp, refClientToOurServerOverBtp } from '../helpers/btp-peers';
import type { RefConnection } from '../helpers/reference-peers';
import {
  KiB,
  STALL_MS,
  TRANSFER_SIZES,
  type ToOurServer,
  type ToRefServer,
  expectSlowReaderRun,
  refWritesToOurDataTest,
  sendDataToRefTest,
  slowReaderOnOurSide,
  within,
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

/** Each test's jest timeout: the 16 MiB ones take a few seconds over loopback. */
const TEST_MS = 20_000;

/** Our client → the reference server over BTP, its reference end tracked for teardown. */
const toRefServer: ToRefServer = async (onConnection) => track(await ourClientToRefServerOverBtp({}, { onConnection }));
/** The reference client → our server over BTP, its reference end tracked for teardown. */
const toOurServer: ToOurServer = async (onConnection) => track(await refClientToOurServerOverBtp({}, { onConnection }));

describe('§4.4.3, §5.3.11 over BTP: our client → reference server', () => {
  it.each(TRANSFER_SIZES)(
    "§4.4.3, §5.3.11 StreamData: sendData(%s) over two BTP hops completes once acknowledged; the reference reads every byte via 'data' (sha256 + length equal)",
    sendDataToRefTest(toRefServer),
    TEST_MS,
  );
});

describe('§4.4.3, §5.3.11 over BTP: reference client → our server', () => {
  it.each(TRANSFER_SIZES)(
    '§4.4.3, §5.3.11 StreamData: the reference write()s %s in 64 KiB chunks over two BTP hops and end()s; our data$ emits every byte, then completes',
    refWritesToOurDataTest(toOurServer),
    TEST_MS,
  );
});

describe('§4.4.4 over BTP: a slow reader on our side', () => {
  it(
    '§4.4.4: our server reads twice its default streamReceiveWindow through toDuplex (readableHighWaterMark 16 KiB) into a Writable calling back after 5 ms; every byte arrives and stream.incoming.bufferedBytes never exceeds streamReceiveWindow + readableHighWaterMark',
    async () => {
      const window = CONNECTION_DEFAULTS.streamReceiveWindow;
      // Twice the window, so the sender must be held back by it for half of the transfer at least.
      const run = await slowReaderOnOurSide(toOurServer, { size: 2 * window, readableHighWaterMark: 16 * KiB, delayMs: 5, stallMs: STALL_MS });
      expectSlowReaderRun(run, window);
    },
    TEST_MS,
  );
});
