/**
 * Fault injection around any plugin: `withFaults(plugin, faults)` returns a plugin whose outgoing
 * Prepares (`sendData`) and incoming Prepares (the registered data handler) go through the faults.
 * Wrap an `ilp-plugin-btp` client, or one end of the in-memory network, and a test's own payment
 * flow meets a misbehaving network, repeatably from a seed.
 *
 * @example
 * ```ts
 * const plugin = withFaults(new BtpPlugin({ server }), [dropReply({ probability: 0.05 })], { seed: 7 });
 * const connection = await createConnection({ plugin, destinationAccount, sharedSecret });
 * ```
 */
import { asyncScheduler, defer, firstValueFrom, map, type Observable, type SchedulerLike, tap } from 'rxjs';
import {
  type DataHandler,
  deserializeIlpPrepare,
  deserializeIlpReply,
  type IlpPrepare,
  isIldcpRequest,
  isObservablePlugin,
  type ObservableDataHandler,
  type ObservablePlugin,
  type Plugin,
  serializeIlpPrepare,
  serializeIlpReply,
} from '../../ilp';
import { sendBytes } from '../../ilp/observable-plugin';
import { MemoryNetworkError } from '../errors';
import type { FaultDirection } from './direction';
import { FaultLedger } from './ledger';
import { FaultStage } from './stage';
import type { Fault } from './types';
import { validateFaults, validateSeed } from './validate';

/** Options of {@link withFaults}. */
export interface WithFaultsOptions {
  /** Seed of the faults' random source. Default 0. */
  seed?: number;
  /** Clock and timer for the faults. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where to record; pass one to share it between wrappers. Default: a new one, as `plugin.faultLedger`. */
  ledger?: FaultLedger;
  /** `triggeredBy` of the rejects the faults create. Default `''`. */
  triggeredBy?: string;
}

type Listener = (...args: any[]) => void;

function decode(data: Buffer): IlpPrepare | undefined {
  try {
    const prepare = deserializeIlpPrepare(data);
    return isIldcpRequest(prepare) ? undefined : prepare;
  } catch {
    return undefined;
  }
}

/**
 * A plugin wrapped in faults; see {@link withFaults}. It is an {@link ObservablePlugin}, so over
 * an Observable inner plugin (the in-memory network) every hop stays on the scheduler.
 *
 * @example
 * ```ts
 * const plugin = withFaults(inner, [jitter({ max: 10 })], { scheduler });
 * plugin.faultLedger.count('delayed');
 * ```
 */
export class FaultyPlugin implements ObservablePlugin {
  /** What the faults did, and the money trail (`outgoing` and `incoming`). */
  readonly faultLedger: FaultLedger;
  /** Forwarded to the inner plugin when it has them; absent otherwise. */
  readonly on?: (event: string, listener: Listener) => unknown;
  /** Forwarded to the inner plugin when it has it; absent otherwise. */
  readonly off?: (event: string, listener: Listener) => unknown;
  /** Forwarded to the inner plugin when it has it; absent otherwise. */
  readonly removeListener?: (event: string, listener: Listener) => unknown;
  private readonly stage: FaultStage;

  /** @internal Use {@link withFaults}. */
  constructor(
    private readonly inner: Plugin,
    faults: readonly Fault[],
    options: WithFaultsOptions,
  ) {
    this.faultLedger = options.ledger ?? new FaultLedger();
    this.stage = new FaultStage(faults, {
      scheduler: options.scheduler ?? asyncScheduler,
      seed: options.seed ?? 0,
      ledger: this.faultLedger,
      triggeredBy: options.triggeredBy ?? '',
    });
    for (const name of ['on', 'off', 'removeListener'] as const) {
      const method = inner[name];
      if (typeof method === 'function') Object.defineProperty(this, name, { value: method.bind(inner) });
    }
  }

  /** Connects the inner plugin. */
  connect(): Promise<void> {
    return this.inner.connect();
  }

  /** Disconnects the inner plugin. */
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }

  /** The inner plugin's state, and false while a `disconnect` fault holds the link down. */
  isConnected(): boolean {
    return this.inner.isConnected() && !this.stage.linkDown();
  }

  /** {@link sendDataObservable} as a promise. */
  sendData(data: Buffer): Promise<Buffer> {
    return firstValueFrom(this.sendDataObservable(data));
  }

  /**
   * Sends a Prepare through the faults, then the inner plugin. IL-DCP requests and bytes that are
   * not a Prepare skip the faults. A reply the inner plugin returns that is not a Fulfill or a
   * Reject errors the send.
   */
  sendDataObservable(data: Buffer): Observable<Buffer> {
    return defer(() => {
      if (!Buffer.isBuffer(data)) throw new MemoryNetworkError('INVALID_ARGUMENT', 'sendData(data) needs a Buffer');
      return this.through(data, 'outgoing', (bytes) => sendBytes(this.inner, bytes));
    });
  }

  /** Installs a Promise handler; incoming Prepares reach it through the faults. */
  registerDataHandler(handler: DataHandler): void {
    if (typeof handler !== 'function') throw new MemoryNetworkError('INVALID_ARGUMENT', 'registerDataHandler(handler) needs a function');
    this.install((bytes) => defer(() => handler(bytes)));
  }

  /** Installs an Observable handler; incoming Prepares reach it through the faults. */
  registerObservableDataHandler(handler: ObservableDataHandler): void {
    if (typeof handler !== 'function') throw new MemoryNetworkError('INVALID_ARGUMENT', 'registerObservableDataHandler(handler) needs a function');
    this.install((bytes) => defer(() => handler(bytes)));
  }

  /** Removes the inner plugin's handler. */
  deregisterDataHandler(): void {
    this.inner.deregisterDataHandler();
  }

  private install(handle: (bytes: Buffer) => Observable<Buffer>): void {
    const inner = this.inner;
    const incoming = (data: Buffer): Observable<Buffer> => this.through(data, 'incoming', handle);
    if (isObservablePlugin(inner)) inner.registerObservableDataHandler(incoming);
    else inner.registerDataHandler((data) => firstValueFrom(incoming(data)));
  }

  private through(data: Buffer, direction: FaultDirection, onward: (bytes: Buffer) => Observable<Buffer>): Observable<Buffer> {
    const prepare = decode(data);
    if (prepare === undefined) return onward(data);
    const run = this.stage.send(prepare, direction, (copy) =>
      onward(copy === prepare ? data : serializeIlpPrepare(copy)).pipe(map((bytes) => deserializeIlpReply(bytes))),
    );
    return run.reply$.pipe(
      tap((reply) => run.seen(reply.type)),
      map((reply) => serializeIlpReply(reply)),
    );
  }
}

/**
 * Wraps `plugin` so that its outgoing and incoming Prepares pass through `faults` (outermost
 * first). Faults see `direction` `outgoing` or `incoming`; IL-DCP passes untouched. The result
 * works wherever a plugin does, and records into `faultLedger`.
 *
 * @param plugin - any plugin (ilp-plugin-btp, a memory network end, ...)
 * @param faults - the faults, outermost first
 * @param options - seed, scheduler, ledger, triggeredBy
 * @returns the wrapped plugin
 *
 * @example
 * ```ts
 * const [client, server] = createPluginPair({ latency: 5, scheduler });
 * const flaky = withFaults(client, [rejectBurst({ probability: 0.1 }), jitter({ max: 15 })], { seed: 3, scheduler });
 * ```
 */
export function withFaults(plugin: Plugin, faults: readonly Fault[], options: WithFaultsOptions = {}): FaultyPlugin {
  if (typeof plugin !== 'object' || plugin === null || typeof plugin.sendData !== 'function') {
    throw new MemoryNetworkError('INVALID_ARGUMENT', 'withFaults(plugin) needs a plugin');
  }
  validateFaults(faults, 'faults');
  validateSeed(options.seed ?? 0, 'seed');
  return new FaultyPlugin(plugin, faults, options);
}
