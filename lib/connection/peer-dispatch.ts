/**
 * Applies what the peer told a connection: the receiver's decision on one of the peer's Prepares
 * (credit money, close streams, hand bytes to readers), and the frames of the peer's authentic
 * replies to our packets (limits, asset details, closes). The receiver and the packet builder
 * decide; this is where their decisions reach the streams and the connection's state.
 *
 * @example
 * ```ts
 * const { reply, decision } = answerPrepare(context, prepare);
 * if (decision) applyDecision(target, decision);
 * applyReplyFrames(target, replyPacket.frames); // in the sender, for replies to our packets
 * ```
 */
import { ErrorCode, FrameType, type Frame } from '../wire/types';
import { ConnectionError } from '../errors';
import type { ConnectionClosing } from './connection-closing';
import type { ConnectionDataContext, ReceiveDecision } from './receiver';
import type { RemotePeer } from './remote-peer';
import type { StreamRegistry } from './stream-registry';
import type { ConnectionTotals } from './types';

/**
 * The parts of a connection the peer's frames change.
 *
 * @example
 * ```ts
 * const target: DispatchTarget = { registry, data, closing, remote, idle, sender, addToTotals: (delta) => connection.addToTotals(delta) }; // the connection's, which also counts money as activity
 * ```
 */
export interface DispatchTarget {
  readonly registry: StreamRegistry;
  readonly data: Pick<ConnectionDataContext, 'applyRemoteLimit'>;
  readonly closing: Pick<ConnectionClosing, 'finish' | 'closeFor' | 'closeStreamFromRemote'>;
  readonly remote: Pick<RemotePeer, 'setAssetDetails'>;
  /** Money or data arriving is progress for the idle timeout. */
  readonly idle: { touch(): void };
  readonly sender: { wake(): void; sendFinalClose(code: ErrorCode, message: string): void };
  addToTotals(delta: Partial<ConnectionTotals>): void;
}

/**
 * Carries out the receiver's decision on an authentic Prepare, after its reply was built.
 *
 * @example
 * ```ts
 * applyDecision(target, decision); // credits each stream, then closes streams, then delivers bytes
 * ```
 */
export function applyDecision(target: DispatchTarget, decision: ReceiveDecision): void {
  // Only progress keeps a connection alive: pings and blocked probes alone let it go idle.
  if (decision.fulfill && (decision.credits.some(([, amount]) => amount > 0n) || decision.dataStreams.length > 0)) target.idle.touch();
  if (decision.fulfill) {
    let received = 0n;
    for (const [stream, amount] of decision.credits) {
      stream.receiveMoney(amount);
      received += amount;
    }
    if (received > 0n) target.addToTotals({ received });
  }
  for (const [stream, code, message] of decision.closedStreams) target.closing.closeStreamFromRemote(stream, code, message);
  for (const stream of decision.dataStreams) stream.deliverData();
  if (decision.close) target.closing.closeFor(decision.close);
  else target.sender.wake();
}

/**
 * Applies the frames of the peer's authentic reply to one of our packets. Stops at a frame that
 * closes the connection.
 *
 * @example
 * ```ts
 * applyReplyFrames(target, [{ type: FrameType.ConnectionMaxStreamId, maxStreamId: 40n }]);
 * ```
 */
export function applyReplyFrames(target: DispatchTarget, frames: readonly Frame[]): void {
  for (const frame of frames) {
    switch (frame.type) {
      case FrameType.StreamMaxMoney:
        target.registry.streams.get(frame.streamId)?.applyRemoteMaxMoney(frame.receiveMax, frame.totalReceived);
        break;
      case FrameType.ConnectionMaxStreamId:
        target.registry.raiseRemoteMax(frame.maxStreamId);
        break;
      case FrameType.StreamMaxData:
        target.registry.streams.get(frame.streamId)?.outgoing.applyRemoteMax(frame.maxOffset);
        break;
      case FrameType.ConnectionMaxData:
        target.data.applyRemoteLimit(frame.maxOffset);
        break;
      case FrameType.ConnectionAssetDetails:
        if (!target.remote.setAssetDetails(frame.sourceAssetCode, frame.sourceAssetScale)) {
          target.sender.sendFinalClose(ErrorCode.ProtocolViolation, 'asset details changed during the connection');
          target.closing.finish(new ConnectionError('ASSET_MISMATCH', 'the peer changed its asset details', ErrorCode.ProtocolViolation));
          return;
        }
        break;
      case FrameType.StreamClose: {
        const stream = target.registry.streams.get(frame.streamId);
        if (stream) target.closing.closeStreamFromRemote(stream, frame.errorCode, frame.errorMessage);
        break;
      }
      case FrameType.ConnectionClose:
        target.closing.closeFor({ code: frame.errorCode, message: frame.errorMessage, byRemote: true });
        return;
      default:
        break;
    }
  }
}
