/**
 * The two directions of a test network, in a file of their own because the options, the connector,
 * its ports and the faults all name them, and none of those should depend on another just for this.
 *
 * @example
 * ```ts
 * const hook: PrepareHook = (prepare, direction: Direction) => (direction === 'serverToClient' ? ilpReject('F99') : undefined);
 * ```
 */

/**
 * Which way a Prepare travels: from the client end to the server end, or back.
 *
 * @example
 * ```ts
 * const way: Direction = 'clientToServer';
 * network.stats[way].prepares;
 * ```
 */
export type Direction = 'clientToServer' | 'serverToClient';
