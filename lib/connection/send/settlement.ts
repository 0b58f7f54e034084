/**
 * Settling a packet's money and bytes with its streams, exactly: a fulfilled packet credits each
 * stream its share of what arrived; a rejected one, or one that never left, hands the money and
 * bytes back to be sent again. The connection's totals move first, because settling a stream can
 * re-enter the sender and send the next packet.
 *
 * @example
 * ```ts
 * if (outcome.fulfilled) settleFulfilled(plan, outcome, connection);
 * else settleRejected(plan, controlFramesSent, connection, controlQueue);
 * ```
 */
import { FrameType, type Frame } from '../../wire/types';
import type { PacketPlan } from '../packet-builder';
import type { Outcome } from '../transmit';
import type { ControlQueue } from './control-queue';
import type { SenderHost } from './host';

/**
 * Credits a fulfilled packet: to the connection's totals, then to each stream its share.
 *
 * @example
 * ```ts
 * // a packet of 1,000 whose receiver reports 500 arrived:
 * settleFulfilled(plan, outcome, connection); // totals: sent +1000, delivered +500, inFlight -1000
 * ```
 */
export function settleFulfilled(plan: PacketPlan, outcome: Outcome, host: Pick<SenderHost, 'addToTotals'>): void {
  // The receiver reports what arrived; it accepted at least our minimum (E28).
  const claimed = outcome.replyPacket?.prepareAmount ?? 0n;
  const delivered = claimed > outcome.packet.prepareAmount ? claimed : outcome.packet.prepareAmount;
  const shares = splitDelivered(delivered, plan);
  host.addToTotals({ sent: plan.amount, delivered, inFlight: -plan.amount });
  plan.allocations.forEach(({ stream, allocation }, i) => stream.settleMoney(allocation, true, shares[i] ?? 0n));
  for (const { stream, segment } of plan.segments) stream.settleData(segment, true);
}

/**
 * Settles a rejected packet: its money and bytes go back to the streams, and since a Reject NACKs
 * every frame (29-3.6-a) its stream closes and limits are owed again.
 *
 * @example
 * ```ts
 * settleRejected(plan, control, connection, controlQueue); // the next packet carries them again
 * ```
 */
export function settleRejected(plan: PacketPlan, control: readonly Frame[], host: Pick<SenderHost, 'addToTotals' | 'registry'>, queue: ControlQueue): void {
  refund(plan, host);
  queue.requeueAfterReject(control);
  for (const frame of plan.frames) if (frame.type === FrameType.StreamMaxMoney) host.registry.streams.get(frame.streamId)?.readvertiseReceiveMax();
}

/**
 * Hands a packet's money and bytes back to its streams, as they were, to be sent again.
 *
 * @example
 * ```ts
 * refund(plan, connection); // the packet could not be built into a Prepare
 * ```
 */
export function refund(plan: PacketPlan, host: Pick<SenderHost, 'addToTotals'>): void {
  if (plan.amount > 0n) host.addToTotals({ inFlight: -plan.amount });
  for (const { stream, allocation } of plan.allocations) stream.settleMoney(allocation, false, 0n);
  for (const { stream, segment } of plan.segments) stream.settleData(segment, false);
}

/**
 * Splits what arrived among the streams of a packet the way the receiver does (RFC 29 §5.3.8):
 * in proportion, rounded down, with the remainder to the first.
 *
 * @example
 * ```ts
 * // streams with 300 and 700 of a 1,000 packet that delivered 499:
 * splitDelivered(499n, plan); // [150n, 349n]: 149 and 349 rounded down, the 1 left over to the first
 * ```
 */
export function splitDelivered(delivered: bigint, plan: Pick<PacketPlan, 'amount' | 'allocations'>): bigint[] {
  if (plan.amount === 0n) return plan.allocations.map(() => 0n);
  const shares = plan.allocations.map(({ allocation }) => (delivered * allocation.amount) / plan.amount);
  const remainder = delivered - shares.reduce((a, b) => a + b, 0n);
  if (shares.length > 0) shares[0] = (shares[0] ?? 0n) + remainder;
  return shares;
}

/**
 * True when a packet carries only money, and every order that money came from was withdrawn (its
 * subscriber left) or its stream closed: retrying it would deliver money the application gave up.
 *
 * @example
 * ```ts
 * retryTemporary(policy, scheduler, { isTemporary, cancelled: () => nobodyWants(plan) });
 * ```
 */
export function nobodyWants(plan: Pick<PacketPlan, 'segments' | 'allocations'>): boolean {
  if (plan.segments.length > 0 || plan.allocations.length === 0) return false;
  return plan.allocations.every(({ stream, allocation }) => stream.state === 'closed' || allocation.parts.every(([order]) => order.withdrawn));
}
