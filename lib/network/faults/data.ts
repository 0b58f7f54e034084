/**
 * Faults on reply data: Fulfills whose data is missing, truncated, bit-flipped or garbage (the
 * fulfillment stays valid, so the money moved: DESIGN §3, E5/E6), and Rejects with garbage data.
 *
 * @example
 * ```ts
 * createPluginPair({ faults: [corruptFulfillData({ probability: 0.1 }), garbageRejectData({ probability: 0.3 })], seed: 5 });
 * ```
 */
import { defer, map } from 'rxjs';
import type { IlpReply } from '../../ilp';
import { IlpPacketType } from '../../wire/types';
import { MemoryNetworkError } from '../errors';
import type { RandomSource } from './random';
import type { Fault } from './types';
import { faultWhen, type FaultWhen, recordFault } from './when';

/** How {@link corruptFulfillData} spoils the data. `random` picks one of the others per packet. */
export type CorruptionMode = 'missing' | 'truncated' | 'bitflip' | 'garbage' | 'random';

/** Options of {@link corruptFulfillData}. */
export interface CorruptFulfillOptions extends FaultWhen {
  /** How to spoil the data. Default `random`. */
  mode?: CorruptionMode;
}

const MODES: readonly Exclude<CorruptionMode, 'random'>[] = ['missing', 'truncated', 'bitflip', 'garbage'];

function spoil(data: Buffer, mode: Exclude<CorruptionMode, 'random'>, random: RandomSource): Buffer {
  if (mode === 'missing' || (mode === 'truncated' && data.length === 0)) return Buffer.alloc(0);
  if (mode === 'truncated') return Buffer.from(data.subarray(0, random.int(0, data.length - 1)));
  if (mode === 'bitflip' && data.length > 0) {
    const out = Buffer.from(data);
    const bit = random.int(0, data.length * 8 - 1);
    out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
    return out;
  }
  return random.bytes(random.int(1, 64));
}

/**
 * Spoils the data of matching Fulfills on their way back (the `when` conditions are checked per
 * Fulfill). The fulfillment is untouched, so the sender must still count the money (at least
 * the minimum it asked for). Records `corruptedFulfill` with the amount and the Prepare, and marks
 * the packet, so the money trail records `corruptFulfillSeen` if the sender gets it.
 *
 * @example
 * ```ts
 * corruptFulfillData({ mode: 'bitflip', every: 4 });
 * ```
 */
export function corruptFulfillData(options: CorruptFulfillOptions = {}): Fault {
  const mode = options.mode ?? 'random';
  if (mode !== 'random' && !MODES.includes(mode)) throw new MemoryNetworkError('INVALID_OPTION', `corruptFulfillData: unknown mode ${String(mode)}`);
  const matcher = faultWhen(options, 'corruptFulfillData');
  return (next) => {
    const applies = matcher();
    return (prepare, ctx) =>
      next(prepare, ctx).pipe(
        map((reply): IlpReply => {
          if (reply.type !== IlpPacketType.Fulfill || !applies(prepare, ctx)) return reply;
          const how = mode === 'random' ? ctx.random.pick(MODES) : mode;
          ctx.packet.corrupted = true;
          recordFault(ctx, 'corruptedFulfill', prepare.amount, { prepare, detail: how });
          return { ...reply, data: spoil(reply.data, how, ctx.random) };
        }),
      );
  };
}

/**
 * Replaces the data of matching Rejects with 1..64 random bytes (the `when` conditions are checked
 * per Reject), as a broken connector or receiver might. Records `garbledReject`.
 *
 * @example
 * ```ts
 * garbageRejectData({ probability: 0.5 });
 * ```
 */
export function garbageRejectData(when?: FaultWhen): Fault {
  const matcher = faultWhen(when, 'garbageRejectData');
  return (next) => {
    const applies = matcher();
    return (prepare, ctx) =>
      defer(() =>
        next(prepare, ctx).pipe(
          map((reply): IlpReply => {
            if (reply.type !== IlpPacketType.Reject || !applies(prepare, ctx)) return reply;
            recordFault(ctx, 'garbledReject', 0n, { detail: reply.code });
            return { ...reply, data: ctx.random.bytes(ctx.random.int(1, 64)) };
          }),
        ),
      );
  };
}
