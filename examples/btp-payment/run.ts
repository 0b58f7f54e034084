/**
 * Money between two processes over BTP on 127.0.0.1: starts the receiver, hands its credentials
 * to the sender (on the sender's stdin, as an SPSP lookup would), lets the sender pay with a live
 * progress bar, and exits 0 only if the sender's "delivered" equals what the receiver's
 * application counted and what its connection counted.
 *
 * Run: `npm run example:btp` (or `npm run example:btp -- --amount 2000000 --rate 1.37 --max-packet 5000`).
 *
 * @example
 * ```sh
 * npm run example:btp -- --amount 100000
 * # sent      100000 (sender)
 * # delivered 50000 (sender)
 * # received  50000 (receiver's application), 50000 (receiver's connection)
 * # OK: both processes agree on the total
 * ```
 */
import { toU64 } from '../../lib';
import { type ExampleMessage, type ExampleProcess, argument, describeError, startExample } from './processes';

const DIRECTORY = 'examples/btp-payment';

/** Fails the run if the children take longer than this (a hung child must not hang CI). */
const DEADLINE_MS = 120_000;

function bigintField(message: ExampleMessage, field: string): bigint {
  const value = message[field];
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new Error(`${message.type}.${field} is not an amount: ${String(value)}`);
  return BigInt(value);
}

/** Starts the sender once the receiver is ready (registering it in `children` at once), and waits for both reports. */
async function pay(
  receiver: ExampleProcess,
  amount: bigint,
  children: ExampleProcess[],
): Promise<{ sent: ExampleMessage; received: ExampleMessage; sender: ExampleProcess }> {
  const ready = await receiver.message('ready');
  const sender = startExample(`${DIRECTORY}/sender.ts`, ['--amount', amount.toString()]);
  children.push(sender);
  sender.child.stdin?.end(`${JSON.stringify(ready)}\n`);
  const [sent, received] = await Promise.all([sender.message('sent'), receiver.message('received')]);
  return { sent, received, sender };
}

async function main(argv: readonly string[]): Promise<number> {
  const amount = toU64(argument(argv, 'amount', '500000'), '--amount');
  const rate = argument(argv, 'rate', '0.5');
  const maxPacket = toU64(argument(argv, 'max-packet', '1000'), '--max-packet');
  console.log(`btp-payment: ${amount} units from one process to another over BTP on 127.0.0.1, rate ${rate}, max packet ${maxPacket}`);

  const receiver = startExample(`${DIRECTORY}/receiver.ts`, ['--rate', rate, '--max-packet', maxPacket.toString()]);
  const children: ExampleProcess[] = [receiver];
  const deadline = setTimeout(() => {
    console.error(`btp-payment: no result after ${DEADLINE_MS} ms; stopping the children`);
    for (const { child } of children) child.kill();
  }, DEADLINE_MS);
  try {
    const { sent, received, sender } = await pay(receiver, amount, children);
    // The sender disconnects first; then the receiver is told to stop (end of its stdin).
    const senderCode = await sender.exited;
    receiver.child.stdin?.end();
    const receiverCode = await receiver.exited;

    const delivered = bigintField(sent, 'delivered');
    const total = bigintField(received, 'total');
    const connectionTotal = bigintField(received, 'connectionTotal');
    const agree = receiverCode === 0 && senderCode === 0 && bigintField(sent, 'sent') === amount && delivered === total && total === connectionTotal;
    console.log(
      [
        `sent      ${bigintField(sent, 'sent')} (sender, ${String(sent['packets'])} packets)`,
        `delivered ${delivered} (sender)`,
        `received  ${total} (receiver's application), ${connectionTotal} (receiver's connection)`,
        `exit      receiver ${receiverCode}, sender ${senderCode}`,
        agree ? 'OK: both processes agree on the total' : 'MISMATCH: the processes disagree',
      ].join('\n'),
    );
    return agree ? 0 : 1;
  } finally {
    clearTimeout(deadline);
    // Whatever happened, no child outlives the run.
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`btp-payment failed: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
