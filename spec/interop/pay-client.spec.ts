/**
 * @interledger/pay 0.2.2 (a send-only STREAM client) paying our server over the in-memory network
 * (max packet 1000). pay asks for the destination asset with ConnectionNewAddress('') (it has no
 * address to give: our token is not the 24 characters it reserves its own address for), says it
 * receives nothing (StreamMaxMoney(1, 0, 0), ConnectionMaxData(0), ConnectionMaxStreamId(1)),
 * numbers its packets from 0, pays on stream 1 only, and ends with ConnectionClose.
 *
 * pay reports what it sent and delivered in ordinary units; both must equal, unit for unit, what
 * our server connection received and what the network carried in fulfilled packets.
 */
import { type Quote, type Receipt, quote } from '@interledger/pay';
import {
  type Connection,
  type ConnectionTotals,
  type DataAndMoneyStream,
  FrameType,
  ILDCP_DESTINATION,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type Server,
  type StreamPacket,
  createMemoryNetwork,
  createServer,
  decodePacket,
  deriveKeys,
} from '../../lib';

jest.setTimeout(30_000);

const SCALE = 9;

interface Setup {
  network: MemoryNetwork;
  server: Server;
  destinationAccount: string;
  sharedSecret: Buffer;
  /** Our server's connections, in the order they appeared. */
  connections: Connection[];
  /** The last totals each connection's `totals$` emitted, and whether it completed. */
  totals: Map<Connection, { last: ConnectionTotals | undefined; completed: boolean }>;
  streams: DataAndMoneyStream[];
  /** How each connection's `state$` ended: 'complete', the error, or 'running'. */
  outcomes: Map<Connection, 'running' | 'complete' | unknown>;
  /** pay's STREAM packets in the order they reached the network, decrypted. */
  payPackets: StreamPacket[];
  quote?: Quote;
}

const open: Setup[] = [];

afterEach(async () => {
  for (const setup of open.splice(0)) {
    // A quote that was never paid still holds the client plugin; cancel() releases it.
    if (setup.quote) await setup.quote.cancel().catch(() => undefined);
    // destroy first: end() would wait for a client that is gone, and pay gave us no address.
    await Promise.all(setup.connections.map((c) => c.destroy().catch(() => undefined)));
    await setup.server.close();
  }
});

async function ourServer(networkOptions: MemoryNetworkOptions): Promise<Setup> {
  const network = createMemoryNetwork({ maxPacketAmount: 1000, ...networkOptions });
  const server = await createServer({ plugin: network.server });
  const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
  const setup: Setup = {
    network,
    server,
    destinationAccount,
    sharedSecret,
    connections: [],
    totals: new Map(),
    streams: [],
    outcomes: new Map(),
    payPackets: [],
  };
  open.push(setup);
  server.connections$.subscribe((connection) => {
    setup.connections.push(connection);
    const totals = { last: undefined as ConnectionTotals | undefined, completed: false };
    setup.totals.set(connection, totals);
    connection.totals$.subscribe({ next: (t) => (totals.last = t), complete: () => (totals.completed = true) });
    connection.streams$.subscribe((stream) => setup.streams.push(stream));
    setup.outcomes.set(connection, 'running');
    connection.state$.subscribe({
      complete: () => setup.outcomes.set(connection, 'complete'),
      error: (error: unknown) => setup.outcomes.set(connection, error),
    });
  });
  const keys = deriveKeys(sharedSecret);
  network.setOnPrepare((prepare, direction) => {
    // A packet that does not decrypt makes the hook throw, which the network answers T00: loud.
    if (direction === 'clientToServer' && prepare.destination !== ILDCP_DESTINATION) setup.payPackets.push(decodePacket(keys.decrypt(prepare.data)));
    return undefined;
  });
  return setup;
}

/** Quotes (outside of what is measured) and pays `amount` base units with pay; returns the receipt in base units. */
async function payWithPay(
  setup: Setup,
  amount: bigint,
  options: { prices?: Record<string, number> } = {},
): Promise<{ receipt: Receipt; sent: bigint; delivered: bigint }> {
  setup.quote = await quote({
    // pay types its plugin with ilp-protocol-stream's own copy of the plugin interface.
    plugin: setup.network.client as never,
    destinationAddress: setup.destinationAccount,
    sharedSecret: setup.sharedSecret,
    // pay takes ordinary units; the exponent form keeps the amount exact.
    amountToSend: `${amount}e-${SCALE}`,
    ...options,
  });
  const receipt = await setup.quote.pay();
  const { assetScale: sourceScale } = receipt.sourceAccount;
  const { assetScale: destinationScale } = receipt.destinationAccount;
  return {
    receipt,
    sent: BigInt(receipt.amountSent.shiftedBy(sourceScale).toFixed()),
    delivered: BigInt(receipt.amountDelivered.shiftedBy(destinationScale).toFixed()),
  };
}

describe.each([
  { label: 'rate 1, XRP → XRP', rate: 1, serverAsset: 'XRP', prices: undefined, amount: 100_000n, expected: 100_000n },
  // pay enforces a minimum rate from external prices: 0.5 XRP per XYZ makes the 0.5 path rate fair.
  { label: 'rate 0.5, XRP → XYZ', rate: 0.5, serverAsset: 'XYZ', prices: { XRP: 0.5, XYZ: 1 }, amount: 100_000n, expected: 50_000n },
])('@interledger/pay → our server, $label, max packet 1000', ({ rate, serverAsset, prices, amount, expected }) => {
  it(`29-3.4-b, 29-5.2-g: ${amount} units: pay's amountSent and amountDelivered equal what our connection received, unit for unit`, async () => {
    const setup = await ourServer({ exchangeRate: rate, server: { assetCode: serverAsset, assetScale: SCALE } });
    const { receipt, sent, delivered } = await payWithPay(setup, amount, prices ? { prices } : {});

    expect(receipt.error).toBeUndefined();
    expect(setup.connections).toHaveLength(1);
    const ours = setup.connections[0]!;
    const carried = setup.network.stats.clientToServer;
    expect(sent).toBe(amount);
    expect(carried.sourceAmountFulfilled).toBe(amount);
    expect(delivered).toBe(expected);
    expect(ours.totals.received).toBe(delivered);
    expect(setup.totals.get(ours)?.last?.received).toBe(delivered);
    expect(carried.destinationAmountFulfilled).toBe(delivered);
    // pay pays on stream 1 only, and we pay nothing back.
    expect(setup.streams.map((s) => [s.id, s.totals.received])).toEqual([[1n, delivered]]);
    expect(ours.totals).toEqual({ sent: 0n, delivered: 0n, received: delivered, inFlight: 0n });
    expect(carried.fulfilled).toBeGreaterThanOrEqual(Number(amount / 1000n));
  });
});

describe("pay's send-only handshake against our server", () => {
  it("I-8, 29-4.3.1-a, 29-3.3-c: pay numbers from 0, sends ConnectionNewAddress('') and ConnectionMaxStreamId(1); our server still answers with ConnectionAssetDetails", async () => {
    const setup = await ourServer({ server: { assetCode: 'USD', assetScale: SCALE } });
    // An asset code unlike the client's, so the quote shows it came from our server's reply.
    await payWithPay(setup, 10_000n, { prices: { XRP: 1, USD: 1 } });

    const first = setup.payPackets[0]!;
    expect(first.sequence).toBe(0n);
    expect(first.frames).toEqual(
      expect.arrayContaining([
        { type: FrameType.ConnectionNewAddress, sourceAccount: '' },
        { type: FrameType.ConnectionMaxStreamId, maxStreamId: 1n },
      ]),
    );
    // Every packet has its own sequence, counted up from 0 (the network may see them reordered).
    const sequences = setup.payPackets.map((p) => p.sequence).sort((a, b) => (a < b ? -1 : 1));
    expect(sequences).toEqual(sequences.map((_, i) => BigInt(i)));
    // pay could only quote because our reply told it our asset (29-4.3.3-d).
    expect(setup.quote?.destinationAccount).toEqual({ ilpAddress: setup.destinationAccount, assetCode: 'USD', assetScale: SCALE });
    // With no address from pay, our server never sent it a packet.
    expect(setup.network.stats.serverToClient.prepares).toBe(0);
  });

  it("E33, 29-5.3.1-a: pay's closing ConnectionClose(NoError) closes our server connection cleanly; totals$ completes on the final totals", async () => {
    const setup = await ourServer({});
    const { delivered } = await payWithPay(setup, 20_000n);

    const last = setup.payPackets[setup.payPackets.length - 1]!;
    expect(last.frames).toContainEqual({ type: FrameType.ConnectionClose, errorCode: 1, errorMessage: '' });
    const ours = setup.connections[0]!;
    // pay resolves on the reply to its close packet, by which time we have handled it.
    expect(setup.outcomes.get(ours)).toBe('complete');
    expect(ours.state).toBe('closed');
    expect(setup.totals.get(ours)).toEqual({ last: { sent: 0n, delivered: 0n, received: delivered, inFlight: 0n }, completed: true });
    expect(delivered).toBe(20_000n);
  });
});
