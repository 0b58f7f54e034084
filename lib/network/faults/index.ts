/**
 * Composable, seeded fault injection for the test networks and for any plugin.
 *
 * @example
 * ```ts
 * import { createPluginPair, dropPrepare, jitter } from 'ilp-stream-rx/testing';
 * const [client, server] = createPluginPair({ faults: [jitter({ max: 20 }), dropPrepare({ probability: 0.05 })], seed: 42, scheduler });
 * ```
 */
export { rateMoves, type RateStep, skim, type SkimOptions } from './amounts';
export { type CorruptFulfillOptions, corruptFulfillData, type CorruptionMode, garbageRejectData } from './data';
export { disconnect, type DisconnectOptions } from './disconnect';
export { maxPacketAmountSchedule, type MaxPacketAmountStep, rejectBurst, type RejectBurstOptions } from './injected-rejects';
export { type FaultEvent, type FaultEventKind, FaultLedger, type FaultLedgerOptions, type FaultMoney, type FaultTally } from './ledger';
export { dropPrepare, dropReply, expiryReject, stopAnswering, type StopAnsweringOptions } from './loss';
export { type RandomSource, seededRandom } from './random';
export { composeFaults, type FaultRun, FaultStage, type FaultStageOptions } from './stage';
export { type DuplicateOptions, duplicatePrepare, jitter, type JitterOptions } from './timing';
export type { Fault, FaultContext, Forward, PacketTrace } from './types';
export type { FaultDirection } from './direction';
export { faultWhen, type FaultMatcher, type FaultWhen, recordFault } from './when';
export { FaultyPlugin, withFaults, type WithFaultsOptions } from './with-faults';
