/**
 * Where a fault runs, kept apart from the fault shapes so that the ledger, which records it, does
 * not depend on the shapes that in turn carry a ledger.
 *
 * @example
 * ```ts
 * const onlyOutgoing: FaultDirection = 'outgoing';
 * dropPrepare({ direction: onlyOutgoing });
 * ```
 */
import type { Direction } from '../direction';

/**
 * Where a fault runs: in the in-memory (or BTP) network's connector, per direction; or in a
 * `withFaults` wrapper, on the Prepares the wrapped plugin sends (`outgoing`) or receives
 * (`incoming`).
 *
 * @example
 * ```ts
 * const way: FaultDirection = 'clientToServer';
 * ledger.count('droppedPrepare', way);
 * ```
 */
export type FaultDirection = Direction | 'outgoing' | 'incoming';
