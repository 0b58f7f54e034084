/**
 * Options of the in-memory network, their defaults, and their validation.
 *
 * @example
 * ```ts
 * const network = createMemoryNetwork({ exchangeRate: '1.37', maxPacketAmount: 1000n, latency: 10 });
 * ```
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { IlpPrepare, IlpReject } from '../ilp';
import { isIlpAddress } from '../wire/address';
import type { Direction } from './direction';
import { MemoryNetworkError } from './errors';
import { type ExactRate, parseExchangeRate } from './exchange-rate';
import type { Fault } from './faults/types';
import { validateFaults, validateSeed } from './faults/validate';
import { resolveMaxPacketAmount } from './max-packet-amount';

/** One end of the network: what IL-DCP tells it, and where Prepares for it are routed. */
export interface MemoryNetworkEnd {
  /** The end's ILP address; Prepares to it, or to `address + '.' + anything`, reach it. */
  address: string;
  /** Its asset code, answered over IL-DCP. */
  assetCode: string;
  /** Its asset scale (0..255), answered over IL-DCP. */
  assetScale: number;
}

/**
 * Fault-injection hook: called for every Prepare that reaches the connector in the middle
 * (IL-DCP requests included, expired Prepares excluded), before routing. Return a Reject to answer
 * with it instead of forwarding; return `undefined` to let the Prepare through.
 */
export type PrepareHook = (prepare: IlpPrepare, direction: Direction) => IlpReject | undefined;

/** Options for `createMemoryNetwork` and `createPluginPair`. All are validated. */
export interface MemoryNetworkOptions {
  /**
   * Client-to-server rate, as a number (`0.5`), a decimal string (`'1.37'`) or a fraction string
   * (`'1/3'`). Applied exactly; the destination amount is floored. Server-to-client uses the exact
   * inverse. Default: 1.
   */
  exchangeRate?: number | string;
  /**
   * The largest Prepare amount the connector forwards, in the sending end's units, checked before
   * conversion; larger Prepares get F08 with `receivedAmount | maximumAmount` data. Applies to both
   * directions. Default: no limit beyond what the exchange rate can convert into a u64.
   */
  maxPacketAmount?: bigint | number | string;
  /**
   * One-way latency in ms, timed on `scheduler` (packets that leave in the same millisecond share
   * one scheduled action): a Prepare
   * reaches the other end after `latency` and its reply returns after another `latency`. At 0 (the
   * default) there is no hop at all: through the Observable API (`sendDataObservable`, which the
   * ILP layer uses) a synchronous receiver answers before `subscribe` returns; `sendData`'s promise
   * still settles on a microtask, as promises do.
   */
  latency?: number;
  /** Clock for expiry checks and timer for latency. Default: `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** The client end. Default: `test.memory.client`, XRP, scale 9. */
  client?: Partial<MemoryNetworkEnd>;
  /** The server end. Default: `test.memory.server`, XRP, scale 9. */
  server?: Partial<MemoryNetworkEnd>;
  /** `triggeredBy` of the rejects the network creates. Default: `test.memory`. */
  connectorAddress?: string;
  /** Fault-injection hook; see {@link PrepareHook}. */
  onPrepare?: PrepareHook;
  /**
   * Faults in the connector's middle, outermost first (see `composeFaults`): applied to every
   * routed Prepare after the max packet amount check and the exchange rate, before delivery, so
   * amounts there are the receiver's units. What they do is recorded in the network's
   * `faultLedger`. Default: none (the plain, faster path).
   */
  faults?: readonly Fault[];
  /** Seed of the random source the faults draw from. Same seed and scheduler, same run. Default 0. */
  seed?: number;
  /**
   * Reject (F05) a Fulfill whose SHA-256 is not the Prepare's condition, as a real connector does.
   * Default: false, because a STREAM sender must check this itself (RFC 27 §overview step 10,
   * checklist 27-Flow-11, E38) and tests of that check need bad fulfillments to get through.
   */
  verifyFulfillments?: boolean;
}

/** The default client end. */
export const DEFAULT_CLIENT_END: Readonly<MemoryNetworkEnd> = { address: 'test.memory.client', assetCode: 'XRP', assetScale: 9 };
/** The default server end. */
export const DEFAULT_SERVER_END: Readonly<MemoryNetworkEnd> = { address: 'test.memory.server', assetCode: 'XRP', assetScale: 9 };
/** The default `triggeredBy` of network rejects. */
export const DEFAULT_CONNECTOR_ADDRESS = 'test.memory';

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  rate: ExactRate;
  maxPacketAmount: bigint;
  latency: number;
  scheduler: SchedulerLike;
  client: MemoryNetworkEnd;
  server: MemoryNetworkEnd;
  connectorAddress: string;
  onPrepare: PrepareHook | undefined;
  verifyFulfillments: boolean;
  faults: readonly Fault[];
  seed: number;
}

function invalid(detail: string): MemoryNetworkError {
  return new MemoryNetworkError('INVALID_OPTION', detail);
}

function resolveEnd(value: unknown, defaults: Readonly<MemoryNetworkEnd>, argument: string): MemoryNetworkEnd {
  if (value === undefined) return { ...defaults };
  if (typeof value !== 'object' || value === null) throw invalid(`${argument} must be an object`);
  const end = { ...defaults, ...(value as Partial<MemoryNetworkEnd>) };
  if (!isIlpAddress(end.address)) throw invalid(`${argument}.address must be a valid ILP address, got ${String(end.address)}`);
  if (typeof end.assetCode !== 'string' || Buffer.byteLength(end.assetCode) > 255) {
    throw invalid(`${argument}.assetCode must be a string of at most 255 UTF-8 bytes`);
  }
  if (!Number.isInteger(end.assetScale) || end.assetScale < 0 || end.assetScale > 255) {
    throw invalid(`${argument}.assetScale must be an integer in 0..255, got ${String(end.assetScale)}`);
  }
  return end;
}

/**
 * Validates `options` and fills in the defaults; a bad option throws
 * {@link MemoryNetworkError} `INVALID_OPTION` naming it.
 *
 * @example
 * ```ts
 * resolveOptions({ latency: 5 }).client.address // 'test.memory.client'
 * ```
 */
export function resolveOptions(options: MemoryNetworkOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  const latency = options.latency ?? 0;
  if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0) {
    throw invalid(`latency must be a finite number of ms >= 0, got ${String(latency)}`);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof scheduler !== 'object' || typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw invalid('scheduler must be a SchedulerLike');
  }
  const connectorAddress = options.connectorAddress ?? DEFAULT_CONNECTOR_ADDRESS;
  if (!isIlpAddress(connectorAddress)) throw invalid(`connectorAddress must be a valid ILP address, got ${String(connectorAddress)}`);
  if (options.onPrepare !== undefined && typeof options.onPrepare !== 'function') throw invalid('onPrepare must be a function');
  if (options.verifyFulfillments !== undefined && typeof options.verifyFulfillments !== 'boolean') {
    throw invalid('verifyFulfillments must be a boolean');
  }
  return {
    rate: options.exchangeRate === undefined ? { numerator: 1n, denominator: 1n } : parseExchangeRate(options.exchangeRate, 'exchangeRate'),
    maxPacketAmount: resolveMaxPacketAmount(options.maxPacketAmount, 'maxPacketAmount'),
    latency,
    scheduler,
    client: resolveEnd(options.client, DEFAULT_CLIENT_END, 'client'),
    server: resolveEnd(options.server, DEFAULT_SERVER_END, 'server'),
    connectorAddress,
    onPrepare: options.onPrepare,
    verifyFulfillments: options.verifyFulfillments ?? false,
    faults: validateFaults(options.faults ?? [], 'faults'),
    seed: validateSeed(options.seed ?? 0, 'seed'),
  };
}
