/**
 * The live controls every test network offers over its connector: counters and setters for the
 * rate, the max packet amount, the fault hook and the faults. Shared by the in-memory and the BTP networks.
 *
 * @example
 * ```ts
 * const controls = networkControls(connector, { clientToServer: clientEnd.stats, serverToClient: serverEnd.stats });
 * controls.setExchangeRate('1.37');
 * ```
 */
import type { Connector } from './connector';
import { MemoryNetworkError } from './errors';
import { parseExchangeRate } from './exchange-rate';
import type { FaultLedger } from './faults/ledger';
import type { Fault } from './faults/types';
import { validateFaults } from './faults/validate';
import { resolveMaxPacketAmount } from './max-packet-amount';
import type { PrepareHook } from './options';
import { type NetworkStats, resetDirectionStats } from './stats';

/**
 * Counters and setters of a running test network. Setters validate like the options do and apply
 * to Prepares that reach the connector from then on.
 *
 * @example
 * ```ts
 * network.setOnPrepare((prepare) => (prepare.amount > 500n ? ilpReject('T04') : undefined));
 * ```
 */
export interface NetworkControls {
  /** Live traffic counters, per direction. */
  readonly stats: Readonly<NetworkStats>;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Changes the client-to-server rate (same forms as the option); applies to Prepares arriving from now on. */
  setExchangeRate(rate: number | string): void;
  /** Changes the max packet amount; `undefined` removes the limit. */
  setMaxPacketAmount(amount: bigint | number | string | undefined): void;
  /** Replaces the fault-injection hook; `undefined` removes it. */
  setOnPrepare(hook: PrepareHook | undefined): void;
  /** What the faults did, and where the money went while faults were installed. */
  readonly faultLedger: FaultLedger;
  /**
   * Replaces the connector's faults (`[]` or `undefined` removes them). Their schedules (`from`,
   * `until`, packet counts) and the seeded source start over from this call; the ledger keeps counting.
   */
  setFaults(faults: readonly Fault[] | undefined): void;
}

/**
 * Builds the {@link NetworkControls} of `connector`, whose ports count into `stats`. Invalid
 * values throw {@link MemoryNetworkError} `INVALID_OPTION`.
 *
 * @example
 * ```ts
 * const { stats, setMaxPacketAmount } = networkControls(connector, stats);
 * ```
 */
export function networkControls(connector: Connector, stats: NetworkStats): NetworkControls {
  return {
    stats,
    resetStats: () => {
      resetDirectionStats(stats.clientToServer);
      resetDirectionStats(stats.serverToClient);
    },
    setExchangeRate: (rate) => connector.setRate(parseExchangeRate(rate, 'exchangeRate')),
    setMaxPacketAmount: (amount) => connector.setMaxPacketAmount(resolveMaxPacketAmount(amount, 'maxPacketAmount')),
    setOnPrepare: (hook) => {
      if (hook !== undefined && typeof hook !== 'function') throw new MemoryNetworkError('INVALID_OPTION', 'onPrepare must be a function');
      connector.setOnPrepare(hook);
    },
    faultLedger: connector.faultLedger,
    setFaults: (faults) => connector.setFaults(validateFaults(faults ?? [], 'faults')),
  };
}
