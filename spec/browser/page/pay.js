// The page side of spec/browser/browser-payment.spec.ts. It imports only the browser bundle,
// connects over WebSocket BTP with the address and secret from the query string, sends money on
// one stream, and leaves what happened in window.paymentResult for the test to read.
import { BtpWebSocketPlugin, createConnection, cryptoBackendName } from './ilp-stream-rx.js';

const params = new URLSearchParams(location.search);

function base64ToBytes(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function currentTotals(observable) {
  let current;
  observable.subscribe((value) => (current = value)).unsubscribe();
  return current;
}

async function pay() {
  const plugin = new BtpWebSocketPlugin({ server: params.get('server') });
  const connection = await createConnection({
    plugin,
    destinationAccount: params.get('destination'),
    sharedSecret: base64ToBytes(params.get('secret')),
  });
  const stream = connection.createStream();
  await stream.sendTotal(params.get('amount'));
  const streamTotals = currentTotals(stream.totals$);
  const totals = currentTotals(connection.totals$);
  await connection.end();
  await plugin.disconnect();
  return {
    backend: cryptoBackendName(),
    hasNodeProcess: typeof process !== 'undefined',
    sourceAccount: connection.sourceAccount,
    streamSent: String(streamTotals.sent),
    sent: String(totals.sent),
    delivered: String(totals.delivered),
    inFlight: String(totals.inFlight),
  };
}

pay().then(
  (result) => (window.paymentResult = result),
  (error) => (window.paymentResult = { error: `${error && error.name}: ${error && error.message}` }),
);
