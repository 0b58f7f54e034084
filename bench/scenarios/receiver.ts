/**
 * Receiver (run after money): two senders pay the same third-party receiver,
 * @interledger/stream-receiver 0.2.2, behind the in-memory network's server plugin (rate 1, max
 * packet amount 1000): ours (`createConnection`, one stream, `sendTotal`) against
 * @interledger/pay 0.2.2 (`quote`, then `pay()`). The table's ref column is pay here, not
 * ilp-protocol-stream.
 *
 * Every run builds a fresh network, receiver and sender. Set-up is outside the timed region: ours'
 * IL-DCP, handshake and rate probe (`createConnection`), pay's IL-DCP, asset request and rate
 * probe (`quote`). The timed region is `sendTotal` for ours and `pay()` for pay (which includes
 * pay's closing packet and plugin disconnect, a single round trip). "pps" counts the Fulfills of
 * the timed region from the network's counters; a run throws unless the network's fulfilled
 * destination amounts and the receiver's own credit both equal the amount, so a broken run
 * cannot post a fast figure.
 *
 * Amounts: the money scenario's 1e6 at 1 ms and 2e5 at 10 ms one-way latency, but **1e6 instead
 * of 1e7 at 0 ms**: pay paces itself (starting at 40 packets/s, +0.5 per Fulfill, at most 200, and
 * at most 20 in flight; see its `controllers/pacer.js`), so 1e7 = 10,000 packets would take over
 * 50 s per run, whatever the latency. For the same reason pay's pps grows with the amount (the
 * ramp to 200 is amortized over more packets) and is bound by that pacer, not by CPU: the ratio
 * compares a windowed sender with a paced one, not code speed.
 *
 * @example
 * ```ts
 * const rows = await receiverScenario.run({ quick: true });
 * ```
 */
import { performance } from 'node:perf_hooks';
import { quote, type Quote } from '@interledger/pay';
import { type Connection, createConnection } from '../../lib';
import { createMemoryNetwork, DEFAULT_CLIENT_END, type MemoryNetwork } from '../../lib/network';
import { type StreamReceiverPeer, startStreamReceiver } from '../../spec/helpers/stream-receiver-peer';
import { type LatencyVariant, type RunDetail, describeRuns } from './money-runs';
import { type BenchSettings, type Row, type Run, type Scenario, interleave, progress } from '../harness';

const MAX_PACKET_AMOUNT = 1000;

function variants(quick: boolean): LatencyVariant[] {
  return quick
    ? [
        { label: 'receiver 2e5, 0 ms', amount: 2e5, warmupAmount: 2e4, latency: 0, warmupMs: 300, runs: 3, note: 'money quick: 2e6' },
        { label: 'receiver 1e5, 1 ms', amount: 1e5, warmupAmount: 1e4, latency: 1, warmupMs: 0, runs: 3, note: 'money quick: 2e5' },
        { label: 'receiver 5e4, 10 ms', amount: 5e4, warmupAmount: 1e4, latency: 10, warmupMs: 0, runs: 2, note: '' },
      ]
    : [
        { label: 'receiver 1e6, 0 ms', amount: 1e6, warmupAmount: 1e5, latency: 0, warmupMs: 1500, runs: 5, note: 'money scenario: 1e7, too slow for pay (see TSDoc)' },
        { label: 'receiver 1e6, 1 ms', amount: 1e6, warmupAmount: 1e5, latency: 1, warmupMs: 0, runs: 5, note: '' },
        { label: 'receiver 2e5, 10 ms', amount: 2e5, warmupAmount: 2e4, latency: 10, warmupMs: 0, runs: 3, note: '' },
      ];
}


/** A fresh network with stream-receiver behind its server plugin. */
async function freshReceiver(latency: number): Promise<{ network: MemoryNetwork; peer: StreamReceiverPeer }> {
  const network = createMemoryNetwork({ maxPacketAmount: MAX_PACKET_AMOUNT, latency, exchangeRate: 1 });
  return { network, peer: await startStreamReceiver(network.server) };
}

/**
 * Times `send` and returns packets/s. Throws unless exactly `amount` arrived by both the network's
 * count and the receiver's, so a sender that stops early or loses money cannot post a figure.
 */
async function timeSend(
  label: string,
  network: MemoryNetwork,
  peer: StreamReceiverPeer,
  amount: number,
  send: () => Promise<void>,
  details?: RunDetail[],
): Promise<number> {
  const stats = network.stats.clientToServer;
  const fulfilledBefore = stats.fulfilled;
  const deliveredBefore = stats.destinationAmountFulfilled;
  const creditedBefore = peer.credited;
  const start = performance.now();
  await send();
  const ms = performance.now() - start;
  const packets = stats.fulfilled - fulfilledBefore;
  const delivered = stats.destinationAmountFulfilled - deliveredBefore;
  const credited = peer.credited - creditedBefore;
  if (delivered !== BigInt(amount) || credited !== delivered) {
    throw new Error(`${label} delivered ${delivered} of ${amount} (stream-receiver credited ${credited})`);
  }
  details?.push({ packets, ms });
  return (packets * 1000) / ms;
}

async function oursOnce(amount: number, latency: number, details?: RunDetail[]): Promise<number> {
  const { network, peer } = await freshReceiver(latency);
  let connection: Connection | undefined;
  let sent = false;
  try {
    connection = await createConnection({ plugin: network.client, ...peer.credentials() });
    const stream = connection.createStream();
    const pps = await timeSend('ilp-stream-rx', network, peer, amount, () => stream.sendTotal(amount), details);
    sent = true;
    return pps;
  } finally {
    // end() would wait for money a failed run left queued; destroy() does not.
    if (sent) await connection?.end();
    else await connection?.destroy();
    await peer.close();
  }
}

async function payOnce(amount: number, latency: number, details?: RunDetail[]): Promise<number> {
  const { network, peer } = await freshReceiver(latency);
  const { destinationAccount, sharedSecret } = peer.credentials();
  let pending: Quote | undefined;
  try {
    pending = await quote({
      // pay types its plugin with ilp-protocol-stream's own copy of the plugin interface.
      plugin: network.client as never,
      destinationAddress: destinationAccount,
      sharedSecret,
      // pay takes ordinary units; the exponent form keeps the amount exact.
      amountToSend: `${amount}e-${DEFAULT_CLIENT_END.assetScale}`,
    });
    const paying = pending;
    // pay() disconnects the plugin itself when it ends, so nothing is left to cancel after it.
    pending = undefined;
    return await timeSend(
      '@interledger/pay',
      network,
      peer,
      amount,
      async () => {
        const receipt = await paying.pay();
        if (receipt.error) throw new Error(`@interledger/pay failed: ${receipt.error}`);
      },
      details,
    );
  } finally {
    await pending?.cancel();
    await peer.close();
  }
}


/**
 * The receiver scenario: ours vs @interledger/pay, each paying @interledger/stream-receiver.
 *
 * @example
 * ```ts
 * // BENCH_ONLY=receiver npm run bench
 * ```
 */
export const receiverScenario: Scenario = {
  name: 'receiver',
  async run(settings: BenchSettings) {
    const rows: Row[] = [];
    for (const variant of variants(settings.quick)) {
      progress(`${variant.label}: ${variant.runs} runs each, interleaved (pay is paced at <= 200 pkt/s, so its runs are slow)`);
      const oursDetails: RunDetail[] = [];
      const payDetails: RunDetail[] = [];
      const runOf =
        (once: typeof oursOnce, details: RunDetail[]): Run =>
        (warmup) =>
          once(warmup ? variant.warmupAmount : variant.amount, variant.latency, warmup ? undefined : details);
      const { ours, pay } = await interleave(
        { ours: runOf(oursOnce, oursDetails), pay: runOf(payOnce, payDetails) },
        { warmupMs: variant.warmupMs, runs: variant.runs },
      );
      rows.push({
        scenario: variant.label,
        unit: 'pps',
        ours,
        ref: pay,
        better: 'higher',
        notes: `ref = @interledger/pay 0.2.2; ours ${describeRuns(oursDetails)}, pay ${describeRuns(payDetails)}${variant.note ? `; ${variant.note}` : ''}`,
      });
    }
    return rows;
  },
};
