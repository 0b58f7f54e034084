/**
 * The pattern an Angular team copies: one service owns one STREAM connection, opened lazily by
 * the first subscriber and shared by every component through `shareReplay({ bufferSize: 1,
 * refCount: true })`, so it closes (cleanly, with `end()`) when the last one leaves, and
 * `ngOnDestroy()` tears everything down. No Angular runtime is needed: the class is plain
 * TypeScript in Angular's shape, and its timing is pinned by
 * spec/examples/payment-service.marble.spec.ts on the TestScheduler.
 *
 * In an Angular app, add the decorator, with a factory that injects the config (the constructor
 * stays plain, so tests build the service with `new`; see README.md next to this file):
 * ```ts
 * export const PAYMENT_CONFIG = new InjectionToken<PaymentServiceConfig>('PaymentServiceConfig');
 * @Injectable({ providedIn: 'root', useFactory: () => new PaymentService(inject(PAYMENT_CONFIG)) })
 * export class PaymentService implements OnDestroy { ... }
 * ```
 *
 * @example
 * ```ts
 * const payments = new PaymentService({ plugin, credentials$: from(querySpsp('$wallet.example/alice')) });
 * payments.rate$.subscribe((rate) => console.log('rate', rate));
 * payments.pay(1000).subscribe({ complete: () => console.log('paid') });
 * payments.ngOnDestroy();
 * ```
 */
import {
  type Observable,
  ReplaySubject,
  type SchedulerLike,
  defer,
  dematerialize,
  distinctUntilChanged,
  finalize,
  map,
  materialize,
  shareReplay,
  switchMap,
  take,
  takeUntil,
  throwError,
} from 'rxjs';
import {
  type Amount,
  type Connection,
  type ConnectionTotals,
  type ConnectionTuning,
  type MoneyProgress,
  type Plugin,
  connect,
  toU64,
} from '../../lib';

/** Where to pay: what an SPSP lookup (`querySpsp`) or `server.generateAddressAndSecret()` returns. */
export interface PaymentCredentials {
  readonly destinationAccount: string;
  readonly sharedSecret: Uint8Array;
}

/**
 * What the service needs. In Angular, provide it under an `InjectionToken<PaymentServiceConfig>`.
 *
 * @example
 * ```ts
 * const config: PaymentServiceConfig = { plugin: new BtpPlugin({ server }), credentials$: from(querySpsp(pointer)) };
 * ```
 */
export interface PaymentServiceConfig {
  /** The ILP plugin the connection sends through (one connection at a time per plugin). */
  readonly plugin: Plugin;
  /** The receiver's credentials; read once per connection, so an HTTP lookup fits (it is subscribed lazily). */
  readonly credentials$: Observable<PaymentCredentials>;
  /** Drives every wait of the connection; a test passes its TestScheduler. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Connection tuning (slippage, window, expiry, ...), passed to `connect()`. */
  readonly tuning?: Omit<ConnectionTuning, 'scheduler'>;
}

function sameTotals(a: ConnectionTotals, b: ConnectionTotals): boolean {
  return a.sent === b.sent && a.delivered === b.delivered && a.received === b.received && a.inFlight === b.inFlight;
}

/** The shared-replay policy of every public stream: late subscribers get the latest value; no subscribers, no connection. */
const SHARED = { bufferSize: 1, refCount: true } as const;

/**
 * Payments to one receiver, as an Angular service (`@Injectable({ providedIn: 'root' })` in an app).
 *
 * @example
 * ```ts
 * // In a component: totals = toSignal(inject(PaymentService).totals$);
 * payments.totals$.subscribe((totals) => console.log(totals.delivered));
 * ```
 */
export class PaymentService {
  /** Replays its one value, so anything subscribed after ngOnDestroy() completes at once instead of reconnecting. */
  private readonly destroyed$ = new ReplaySubject<void>(1);
  private destroyed = false;

  /**
   * The connection, opened by the first subscriber and ended (`Connection.end()`, via `connect()`'s
   * teardown) when the last one leaves.
   */
  private readonly connection$: Observable<Connection>;

  /** The connection's money totals (sent, delivered, received, in flight); replays the latest. */
  readonly totals$: Observable<ConnectionTotals>;

  /** The path's exchange rate (destination per source unit) each time it changes; replays the latest. */
  readonly rate$: Observable<number>;

  constructor(config: PaymentServiceConfig) {
    if (!config || typeof config !== 'object') throw new TypeError('PaymentService: config must be an object');
    if (!config.credentials$ || typeof config.credentials$.subscribe !== 'function') {
      throw new TypeError('PaymentService: config.credentials$ must be an Observable');
    }
    const { plugin, credentials$, scheduler, tuning } = config;
    this.connection$ = credentials$.pipe(
      take(1),
      switchMap((credentials) => connect({ ...tuning, plugin, ...credentials, ...(scheduler ? { scheduler } : {}) })),
      shareReplay(SHARED),
    );
    this.totals$ = this.connection$.pipe(
      switchMap((connection) => connection.totals$),
      // A packet that moved no money (a stream's close, say) reports the same totals again;
      // a view has nothing to redraw for it.
      distinctUntilChanged(sameTotals),
      shareReplay(SHARED),
      takeUntil(this.destroyed$),
    );
    this.rate$ = this.connection$.pipe(
      switchMap((connection) => connection.exchangeRate$),
      map((rate) => rate.value),
      distinctUntilChanged(),
      shareReplay(SHARED),
      takeUntil(this.destroyed$),
    );
  }

  /**
   * Pays `amount` (source units) on a stream of its own, and closes that stream when done.
   * Cold: nothing happens until subscribed; unsubscribing withdraws what has not left yet. Emits
   * progress after each fulfilled packet and completes when all of it was delivered.
   *
   * @param amount - source units: a bigint, a safe integer or a decimal string; a bad one throws a RangeError
   * @returns the payment's progress
   *
   * @example
   * ```ts
   * payments.pay(5000n).subscribe((progress) => console.log(`${progress.sent}/${progress.amount}`));
   * ```
   */
  pay(amount: Amount): Observable<MoneyProgress> {
    const value = toU64(amount, 'amount');
    return defer(() => {
      if (this.destroyed) return throwError(() => new Error('PaymentService: pay() after ngOnDestroy()'));
      return this.connection$.pipe(
        // The send's completion is materialized so it can complete the payment while this pipe
        // still holds the shared connection: take(1) on connection$ would let go of it at once,
        // and with no other subscriber the connection would start closing before the first packet.
        switchMap((connection) => {
          const stream = connection.createStream();
          return stream.sendMoney(value).pipe(
            finalize(() => void stream.end()),
            materialize(),
          );
        }),
        dematerialize(),
        takeUntil(this.destroyed$),
      );
    });
  }

  /** Angular's teardown hook: completes every stream of the service, which ends the connection. */
  ngOnDestroy(): void {
    this.destroyed = true;
    this.destroyed$.next();
    this.destroyed$.complete();
  }
}
