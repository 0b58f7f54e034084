/**
 * Traffic counters of the in-memory network, one set per direction, so tests can count round
 * trips and check what was paid.
 *
 * @example
 * ```ts
 * expect(network.stats.clientToServer.prepares).toBe(3);
 * ```
 */

/** What crossed the network in one direction. Rejects include those the network itself created. */
export interface DirectionStats {
  /** Valid Prepares the sending end handed to the network, IL-DCP requests excluded. */
  prepares: number;
  /** Of those, how many reached the other end's data handler. */
  delivered: number;
  /** Fulfills returned to the sending end. */
  fulfilled: number;
  /** Rejects returned to the sending end, whoever created them. */
  rejected: number;
  /** IL-DCP requests from the sending end that the network answered. */
  ildcp: number;
  /** Sum of the fulfilled Prepares' amounts in the sender's units. */
  sourceAmountFulfilled: bigint;
  /** Sum of the fulfilled Prepares' amounts as delivered, in the receiver's units. */
  destinationAmountFulfilled: bigint;
}

/** Both directions' counters. */
export interface NetworkStats {
  /** Prepares sent by the client end. */
  clientToServer: DirectionStats;
  /** Prepares sent by the server end. */
  serverToClient: DirectionStats;
}

/**
 * A fresh set of zeroed counters.
 *
 * @example
 * ```ts
 * const stats = emptyDirectionStats(); // { prepares: 0, ... }
 * ```
 */
export function emptyDirectionStats(): DirectionStats {
  return { prepares: 0, delivered: 0, fulfilled: 0, rejected: 0, ildcp: 0, sourceAmountFulfilled: 0n, destinationAmountFulfilled: 0n };
}

/**
 * Zeroes `stats` in place, so references held by tests stay live.
 *
 * @example
 * ```ts
 * resetDirectionStats(network.stats.clientToServer);
 * ```
 */
export function resetDirectionStats(stats: DirectionStats): void {
  Object.assign(stats, emptyDirectionStats());
}
