/**
 * The ledger of what faults did, so that tests can state money invariants exactly instead of
 * loosely. Faults record their actions (a dropped Prepare, a corrupted Fulfill); the fault stage
 * itself records where money went: every Fulfill the receiver gave, and every Fulfill the sender
 * actually got back.
 *
 * @example
 * ```ts
 * const { arrived, seen, unseen } = network.faultLedger.money('clientToServer');
 * ```
 */
import type { IlpPrepare } from '../../ilp';
import type { FaultDirection } from './direction';

/**
 * What happened. The first group is recorded by faults; the second, the money trail, by the fault
 * stage (so it is complete whichever faults are installed):
 * - `droppedPrepare`: never reached the receiver (`stopAnswering` included);
 * - `droppedReply`: reached the receiver, its reply was lost;
 * - `injectedReject`: a fault answered in the receiver's place (`rejectBurst`, `maxPacketAmountSchedule`);
 * - `delayed`: held back by `jitter` (`detail` is the delay);
 * - `duplicatedPrepare`: a second copy was sent to the receiver;
 * - `corruptedFulfill`: a Fulfill's data was replaced (`detail` says how);
 * - `garbledReject`: a Reject's data was replaced with garbage;
 * - `skimmed`: `amount` is what a skimming connector kept;
 * - `rateMoved`: the amount was converted at a moved rate (`detail` is the rate);
 * - `refusedWhileDown`: a send failed because the link was down;
 * - `failedByDisconnect`: a send in flight failed when the link went down;
 * - `fulfilledAtReceiver`: the receiver fulfilled; `amount` is what it received;
 * - `fulfilledTwice`: ... and it had already fulfilled a copy of this same Prepare;
 * - `fulfillSeen`: the sender got a Fulfill with intact data; `amount` is what the receiver received;
 * - `corruptFulfillSeen`: the sender got a Fulfill whose data a fault corrupted; `prepare` is the
 *   Prepare as delivered, so a test holding the keys can read the minimum the sender counts.
 */
export type FaultEventKind =
  | 'droppedPrepare'
  | 'droppedReply'
  | 'injectedReject'
  | 'delayed'
  | 'duplicatedPrepare'
  | 'corruptedFulfill'
  | 'garbledReject'
  | 'skimmed'
  | 'rateMoved'
  | 'refusedWhileDown'
  | 'failedByDisconnect'
  | 'fulfilledAtReceiver'
  | 'fulfilledTwice'
  | 'fulfillSeen'
  | 'corruptFulfillSeen';

/** One entry of the ledger. */
export interface FaultEvent {
  /** What happened. */
  readonly kind: FaultEventKind;
  /** Which way the Prepare was going. */
  readonly direction: FaultDirection;
  /** The Prepare's {@link PacketTrace.id}. */
  readonly packet: number;
  /** Milliseconds since the faults were installed. */
  readonly atMs: number;
  /** The amount concerned (0 where none is). */
  readonly amount: bigint;
  /** The Prepare, for the money events and `corruptedFulfill`. */
  readonly prepare?: IlpPrepare;
  /** Free-form detail, for failure messages. */
  readonly detail?: string;
}

/** A count and a sum of amounts. */
export interface FaultTally {
  /** How many events. */
  readonly count: number;
  /** Sum of their amounts. */
  readonly amount: bigint;
}

/**
 * Where the money went in one direction (amounts as the receiver got them):
 * `arrived = seen + seenCorrupted + unseen`; `twice` is part of `unseen` (the sender sees one
 * reply per Prepare, however many copies the receiver fulfilled).
 */
export interface FaultMoney {
  /** Sum of what the receiver got in the Fulfills it gave. */
  readonly arrived: bigint;
  /** Of that, in Fulfills the sender got back intact. */
  readonly seen: bigint;
  /** Of that, in Fulfills the sender got back with corrupted data (it counts only its minimum). */
  readonly seenCorrupted: bigint;
  /** Of that, in Fulfills the sender never got (reply lost, late, a duplicate's, or the sender stopped waiting). */
  readonly unseen: bigint;
  /** Of `arrived`, in second (or later) Fulfills of one Prepare: money credited twice. */
  readonly twice: bigint;
}

/** Options of a {@link FaultLedger}. */
export interface FaultLedgerOptions {
  /** Events kept in {@link FaultLedger.events}; the tallies count all of them. Default 10,000. */
  maxEvents?: number;
}

const ZERO: FaultTally = { count: 0, amount: 0n };

/**
 * Records fault events; counts and sums them per kind and direction.
 *
 * @example
 * ```ts
 * const ledger = new FaultLedger();
 * const network = createMemoryNetwork({ faults: [dropPrepare({ every: 3 })], ledger });
 * // ... run a payment ...
 * expect(ledger.count('droppedPrepare')).toBeGreaterThan(0);
 * ```
 */
export class FaultLedger {
  private readonly tallies = new Map<string, FaultTally>();
  private readonly kept: FaultEvent[] = [];
  private readonly maxEvents: number;

  constructor(options: FaultLedgerOptions = {}) {
    const maxEvents = options.maxEvents ?? 10_000;
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 0) throw new RangeError(`maxEvents must be an integer >= 0, got ${String(maxEvents)}`);
    this.maxEvents = maxEvents;
  }

  /** The first `maxEvents` events, in the order they happened. */
  get events(): readonly FaultEvent[] {
    return this.kept;
  }

  /** Adds `event` to the tallies (and to {@link events} while there is room). */
  record(event: FaultEvent): void {
    for (const key of [event.kind, `${event.direction}:${event.kind}`]) {
      const tally = this.tallies.get(key) ?? ZERO;
      this.tallies.set(key, { count: tally.count + 1, amount: tally.amount + event.amount });
    }
    if (this.kept.length < this.maxEvents) this.kept.push(event);
  }

  /** Count and amount of `kind`, in one direction or all. */
  tally(kind: FaultEventKind, direction?: FaultDirection): FaultTally {
    return this.tallies.get(direction === undefined ? kind : `${direction}:${kind}`) ?? ZERO;
  }

  /** How many `kind` events, in one direction or all. */
  count(kind: FaultEventKind, direction?: FaultDirection): number {
    return this.tally(kind, direction).count;
  }

  /** Sum of the amounts of `kind` events, in one direction or all. */
  amount(kind: FaultEventKind, direction?: FaultDirection): bigint {
    return this.tally(kind, direction).amount;
  }

  /** Where the money went; see {@link FaultMoney}. */
  money(direction?: FaultDirection): FaultMoney {
    const arrived = this.amount('fulfilledAtReceiver', direction);
    const seen = this.amount('fulfillSeen', direction);
    const seenCorrupted = this.amount('corruptFulfillSeen', direction);
    return { arrived, seen, seenCorrupted, unseen: arrived - seen - seenCorrupted, twice: this.amount('fulfilledTwice', direction) };
  }

  /** One line per kind that happened, e.g. `droppedPrepare 3 (amount 3000)`, for failure messages. */
  summary(): string {
    return [...this.tallies.entries()]
      .filter(([key]) => !key.includes(':'))
      .map(([kind, { count, amount }]) => `${kind} ${count}${amount === 0n ? '' : ` (amount ${amount})`}`)
      .join('\n');
  }

  /** Forgets everything. */
  reset(): void {
    this.tallies.clear();
    this.kept.length = 0;
  }
}
