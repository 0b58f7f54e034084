/**
 * `ilp-stream-rx/testing`: what an app needs to test its own payment flows, kept apart from the
 * main entry so production bundles never carry it. The in-memory network runs on any
 * `SchedulerLike`, so under a `TestScheduler` every latency, expiry, retry and idle timer is
 * virtual time, and the fault injectors make a misbehaving network repeatable from a seed.
 *
 * @example
 * ```ts
 * import { createPluginPair } from 'ilp-stream-rx/testing';
 * const [clientPlugin, serverPlugin] = createPluginPair({ latency: 5, scheduler: testScheduler });
 * ```
 */
export {
  createMemoryNetwork,
  createPluginPair,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryNetworkEnd,
  type Direction,
  type PrepareHook,
  type NetworkStats,
  type DirectionStats,
  MemoryPlugin,
  type NetworkControls,
  // fault injection
  composeFaults,
  corruptFulfillData,
  disconnect,
  dropPrepare,
  dropReply,
  duplicatePrepare,
  garbageRejectData,
  jitter,
  maxPacketAmountSchedule,
  rateMoves,
  rejectBurst,
  seededRandom,
  skim,
  stopAnswering,
  withFaults,
  expiryReject,
  faultWhen,
  recordFault,
  FaultLedger,
  FaultStage,
  FaultyPlugin,
  type CorruptFulfillOptions,
  type CorruptionMode,
  type DisconnectOptions,
  type DuplicateOptions,
  type Fault,
  type FaultContext,
  type FaultDirection,
  type FaultEvent,
  type FaultEventKind,
  type FaultLedgerOptions,
  type FaultMatcher,
  type FaultMoney,
  type FaultRun,
  type FaultStageOptions,
  type FaultTally,
  type FaultWhen,
  type Forward,
  type JitterOptions,
  type MaxPacketAmountStep,
  type PacketTrace,
  type RandomSource,
  type RateStep,
  type RejectBurstOptions,
  type SkimOptions,
  type StopAnsweringOptions,
  type WithFaultsOptions,
} from './network';
