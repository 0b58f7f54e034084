/**
 * The IL-DCP requester (IL-RFC 31, checklist I-17): ask the parent for this node's address and asset.
 *
 * @example
 * ```ts
 * fetchIldcp(plugin).subscribe(({ clientAddress }) => console.log(clientAddress));
 * ```
 */
import { asyncScheduler, defer, map, type Observable, type SchedulerLike } from 'rxjs';
import { IlpPacketType } from '../wire/types';
import { IldcpError, IlpArgumentError } from './errors';
import { decodeIldcpInfo, type IldcpInfo, ildcpRequest, isIldcpFulfillment } from './ildcp';
import { describe } from './oer';
import type { ObservablePlugin } from './observable-plugin';
import type { Plugin } from './plugin';
import { requirePlugin, sendPrepare } from './send-prepare';

/** Options for {@link fetchIldcp}. */
export interface FetchIldcpOptions {
  /** Clock for the request's expiry and timer for the timeout. Default: `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** How long the request lives, in ms; also how long to wait for the answer. Default: 30000. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Asks the parent at the other end of `plugin` for this node's ILP address, asset code and scale,
 * emits the answer once and completes.
 *
 * Cold: each subscription sends one request Prepare to `peer.config`, expiring `timeoutMs` after
 * subscription on the scheduler. Failure is an error notification with {@link IldcpError}:
 * `ILDCP_REJECTED` when the parent rejects (or when `sendPrepare` synthesizes a reject: T00 for a
 * plugin failure, R00 for a timeout, F01 for garbage; `ilpCode` says which), and
 * `ILDCP_INVALID_RESPONSE` when the Fulfill is not a valid IL-DCP response.
 *
 * Over an {@link ObservablePlugin} the request never leaves the scheduler (see `sendPrepare`), so
 * the answer arrives at an exact virtual time in marble tests: `2 x latency` on the in-memory
 * network.
 *
 * @param plugin - the plugin to the parent; only `sendDataObservable` or `sendData` is used
 * @param options - scheduler and timeout
 * @returns an Observable that emits one {@link IldcpInfo} and completes, or errors
 *
 * @example
 * ```ts
 * fetchIldcp(plugin).subscribe((info) => console.log(info));
 * // Output: { clientAddress: 'test.memory.client', assetCode: 'XRP', assetScale: 9 }
 * ```
 */
export function fetchIldcp(plugin: Plugin, options: FetchIldcpOptions = {}): Observable<IldcpInfo> {
  requirePlugin(plugin, 'plugin');
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new IlpArgumentError('options.scheduler', 'must be a SchedulerLike');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new IlpArgumentError('options.timeoutMs', `must be a finite number > 0, got ${describe(timeoutMs)}`);
  }

  return defer(() => sendPrepare(plugin, ildcpRequest(new Date(scheduler.now() + timeoutMs)), { scheduler })).pipe(
    map((reply) => {
      if (reply.type === IlpPacketType.Reject) {
        throw new IldcpError('ILDCP_REJECTED', `IL-DCP request rejected with ${reply.code}: ${reply.message}`, reply.code);
      }
      if (!isIldcpFulfillment(reply.fulfillment)) {
        throw new IldcpError('ILDCP_INVALID_RESPONSE', 'IL-DCP response has the wrong fulfillment (must be 32 zero bytes)');
      }
      return decodeIldcpInfo(reply.data);
    }),
  );
}
