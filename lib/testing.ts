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
} from './network';
