/**
 * The library side of the dashboard: a STREAM server and a paying client on the in-memory network
 * (USD to CAD at 1.37, packets of at most $10.00, 20 ms each way, a few packets in flight), one
 * payment that streams in hundreds of packets over a few seconds, and the dashboard snapshots of it.
 *
 * @example
 * ```ts
 * const session = await openPaymentSession({ amount: 200_000n });
 * session.snapshots$.subscribe((s) => console.log(s.sent, s.packetsPerSecond));
 * const result = await session.pay();
 * console.log(result.sent, result.received);
 * ```
 */
import { firstValueFrom, lastValueFrom, type Observable, type SchedulerLike } from 'rxjs';
import { type Connection, createConnection, createMemoryNetwork, createServer, type MemoryNetwork, type Server, toU64 } from '../../lib';
import { dashboardState, type DashboardSnapshot } from './dashboard-state';

/**
 * What to pay and over what path. Every field has a default that makes a payment of about five
 * seconds.
 *
 * @example
 * ```ts
 * const options: PaymentOptions = { amount: '100000', exchangeRate: '0.5', latencyMs: 10 };
 * ```
 */
export interface PaymentOptions {
  /** Source base units to send. Default 500,000 (USD 5,000.00 at scale 2). */
  readonly amount?: bigint | number | string;
  /** Client-to-server exchange rate of the network. Default '1.37'. */
  readonly exchangeRate?: number | string;
  /** The network's largest packet, in source units. Default 1,000. */
  readonly maxPacketAmount?: bigint | number | string;
  /** One-way latency in ms. Default 20. */
  readonly latencyMs?: number;
  /** Packets in flight at most (the connection's congestion window cap). Default 4. */
  readonly window?: number;
  /** Source asset. Default USD, scale 2. */
  readonly sourceAsset?: AssetInfo;
  /** Destination asset. Default CAD, scale 2. */
  readonly destinationAsset?: AssetInfo;
  /** Drives the network latency, the connections and the dashboard. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** At most one dashboard snapshot per this many ms (plus the final one). Default 100. */
  readonly uiIntervalMs?: number;
  /** Width of the packets/s window in ms. Default 1,000. */
  readonly windowMs?: number;
}

/**
 * An asset as IL-DCP describes it.
 *
 * @example
 * ```ts
 * const usd: AssetInfo = { code: 'USD', scale: 2 }; // 12345 base units = 123.45 USD
 * ```
 */
export interface AssetInfo {
  /** Asset code, e.g. USD. */
  readonly code: string;
  /** Decimal places of one base unit. */
  readonly scale: number;
}

/**
 * The fixed facts of a session, sent to the page once.
 *
 * @example
 * ```ts
 * session.info; // { amount: 500000n, sourceAsset: { code: 'USD', scale: 2 }, ... }
 * ```
 */
export interface PaymentInfo {
  /** Source units the payment sends in all. */
  readonly amount: bigint;
  /** The sender's asset. */
  readonly sourceAsset: AssetInfo;
  /** The receiver's asset. */
  readonly destinationAsset: AssetInfo;
  /** The network's exchange rate option, as configured (the page shows the probed one). */
  readonly networkRate: string;
  /** The largest packet, in source units. */
  readonly maxPacketAmount: bigint;
}

/**
 * The totals the library reports once both connections closed.
 *
 * @example
 * ```ts
 * const { sent, delivered, received } = await session.pay();
 * ```
 */
export interface PaymentResult {
  /** The sender's `totals.sent`. */
  readonly sent: bigint;
  /** The sender's `totals.delivered`. */
  readonly delivered: bigint;
  /** The receiver's `totals.received`. */
  readonly received: bigint;
  /** The sender's probed rate (`exchangeRate.value`). */
  readonly rate: number | undefined;
}

/**
 * An open connection, ready to pay.
 *
 * @example
 * ```ts
 * const session = await openPaymentSession();
 * await session.pay();
 * ```
 */
export interface PaymentSession {
  /** Amount and assets. */
  readonly info: PaymentInfo;
  /** The paying connection. */
  readonly sender: Connection;
  /** The server's side of the same connection. */
  readonly receiver: Connection;
  /** The in-memory network, with its packet counters. */
  readonly network: MemoryNetwork;
  /** Dashboard snapshots (cold; every source replays, so a late subscriber starts from the present). */
  readonly snapshots$: Observable<DashboardSnapshot>;
  /** Sends the whole amount, ends the connection, closes the server; resolves with the final totals. */
  pay(): Promise<PaymentResult>;
  /** Tears everything down at once (for Ctrl-C and test teardown); safe to call more than once. */
  destroy(): Promise<void>;
}

const DEFAULT_SOURCE: AssetInfo = { code: 'USD', scale: 2 };
const DEFAULT_DESTINATION: AssetInfo = { code: 'CAD', scale: 2 };

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return resolved;
}

/**
 * Builds the network, the server and the client connection (its rate probe included) and returns
 * a session ready to pay. Options are validated; a bad one throws before anything starts.
 *
 * @param options - see {@link PaymentOptions}
 * @returns the open session
 *
 * @example
 * ```ts
 * const session = await openPaymentSession({ amount: 100_000n, window: 2 });
 * const done = lastValueFrom(session.snapshots$); // the final snapshot
 * await session.pay();
 * console.log((await done).sent); // 100000n
 * ```
 */
export async function openPaymentSession(options: PaymentOptions = {}): Promise<PaymentSession> {
  const amount = toU64(options.amount ?? 500_000n, 'amount');
  if (amount === 0n) throw new RangeError('amount must be positive');
  const maxPacketAmount = toU64(options.maxPacketAmount ?? 1000n, 'maxPacketAmount');
  const window = positiveInteger(options.window, 4, 'window');
  const networkRate = String(options.exchangeRate ?? '1.37');
  const sourceAsset = options.sourceAsset ?? DEFAULT_SOURCE;
  const destinationAsset = options.destinationAsset ?? DEFAULT_DESTINATION;
  const network = createMemoryNetwork({
    exchangeRate: networkRate,
    maxPacketAmount,
    latency: options.latencyMs ?? 20,
    client: { assetCode: sourceAsset.code, assetScale: sourceAsset.scale },
    server: { assetCode: destinationAsset.code, assetScale: destinationAsset.scale },
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
  });
  const scheduling = options.scheduler ? { scheduler: options.scheduler } : {};
  const server: Server = await createServer({ plugin: network.server, ...scheduling });
  // Subscribed before the client connects, so the server's side of the connection is not missed.
  const receiverReady = firstValueFrom(server.connections$);
  let sender: Connection | undefined;
  let receiver: Connection;
  let snapshots$: Observable<DashboardSnapshot>;
  try {
    sender = await createConnection({ plugin: network.client, ...server.generateAddressAndSecret(), window, ...scheduling });
    receiver = await receiverReady;
    snapshots$ = dashboardState(
      { senderTotals$: sender.totals$, receiverTotals$: receiver.totals$, exchangeRate$: sender.exchangeRate$, state$: sender.state$ },
      { ...scheduling, uiIntervalMs: options.uiIntervalMs, windowMs: options.windowMs },
    );
  } catch (error) {
    await sender?.destroy();
    await server.close();
    throw error;
  }
  const paying = sender;
  let closed: Promise<void> | undefined;
  const closeAll = (connectionClose: () => Promise<void>): Promise<void> => {
    closed ??= (async () => {
      try {
        await connectionClose();
      } finally {
        await server.close();
      }
    })();
    return closed;
  };
  return {
    info: { amount, sourceAsset, destinationAsset, networkRate, maxPacketAmount },
    sender: paying,
    receiver,
    network,
    snapshots$,
    async pay() {
      try {
        await lastValueFrom(paying.createStream().sendMoney(amount), { defaultValue: undefined });
      } catch (error) {
        await closeAll(() => paying.destroy());
        throw error;
      }
      await closeAll(() => paying.end());
      return { sent: paying.totals.sent, delivered: paying.totals.delivered, received: receiver.totals.received, rate: paying.exchangeRate?.value };
    },
    destroy: () => closeAll(() => paying.destroy()),
  };
}
