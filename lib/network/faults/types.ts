/**
 * The shapes of fault injection: a {@link Forward} is one hop "Prepare -> Observable of its
 * reply", and a {@link Fault} is middleware around it, the way an HTTP middleware wraps a handler.
 * Faults compose (`composeFaults`), so a test states its network's misbehaviour as a list.
 *
 * @example
 * ```ts
 * const logging: Fault = (next) => (prepare, ctx) => { console.log(prepare.amount); return next(prepare, ctx); };
 * ```
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { IlpPrepare, IlpReply } from '../../ilp';
import type { FaultDirection } from './direction';
import type { FaultLedger } from './ledger';
import type { RandomSource } from './random';

/** What the faults know about the one Prepare they are handling. */
export interface PacketTrace {
  /** 1-based number of the Prepare among those the faults saw, in arrival order. */
  readonly id: number;
  /** Set by a fault that corrupted this Prepare's Fulfill data (the money still moved). */
  corrupted: boolean;
}

/**
 * Everything a fault may use besides the Prepare. All time is read from `scheduler`, all chance
 * from `random`, so one seed and one scheduler give one outcome.
 */
export interface FaultContext {
  /** Which way the Prepare travels. */
  readonly direction: FaultDirection;
  /** Clock and timer for delays and expiry. */
  readonly scheduler: SchedulerLike;
  /** The seeded source every random decision draws from. */
  readonly random: RandomSource;
  /** Where faults record what they did, for exact accounting in tests. */
  readonly ledger: FaultLedger;
  /** `triggeredBy` for the rejects faults create. */
  readonly triggeredBy: string;
  /** This Prepare. */
  readonly packet: PacketTrace;
  /** Milliseconds on `scheduler` since the faults were installed; schedules are in this time. */
  elapsed(): number;
}

/**
 * One hop: sends `prepare` on and emits its one reply, then completes. An Observable that
 * completes without a value means "no reply, ever" (the sender's own expiry timer answers); an
 * error notification means the link failed, as a plugin's `sendData` rejecting does.
 */
export type Forward = (prepare: IlpPrepare, ctx: FaultContext) => Observable<IlpReply>;

/**
 * Middleware around a {@link Forward}. A fault is installed once per network or wrapper: state
 * it keeps (a packet counter, a burst in progress) belongs in the closure of the `(next) =>` call,
 * so one fault value can be installed in several networks without them sharing state.
 *
 * @example
 * ```ts
 * const everyTenthT04: Fault = (next) => {
 *   let n = 0;
 *   return (prepare, ctx) => (++n % 10 === 0 ? of(ilpReject('T04')) : next(prepare, ctx));
 * };
 * ```
 */
export interface Fault {
  (next: Forward): Forward;
  /** For link faults (`disconnect`): true while the link is down, `elapsed` as in {@link FaultContext}. */
  readonly linkDown?: (elapsed: number) => boolean;
}
