/**
 * Exact settlement of a packet with its streams (DESIGN §4): a fulfilled packet splits what
 * arrived the way the receiver does (RFC 29 §5.3.8); a rejected or unsent one hands everything back.
 */
import { nobodyWants, refund, settleFulfilled, settleRejected, splitDelivered } from '../../../lib/connection/send/settlement';
import { ControlQueue } from '../../../lib/connection/send/control-queue';
import type { PacketPlan } from '../../../lib/connection/packet-builder';
import type { DataAndMoneyStream } from '../../../lib/stream/stream';
import type { Allocation } from '../../../lib/stream/send-orders';
import type { DataSegment } from '../../../lib/stream/outgoing-data';
import type { ConnectionTotals } from '../../../lib/connection/types';
import { ErrorCode, FrameType } from '../../../lib/wire/types';
import { fulfilled } from './outcomes';

type Settled = [string, bigint, boolean, bigint?];

/** A stream that records how it was settled. */
function fakeStream(id: bigint, log: Settled[], state = 'open') {
  const stream = {
    id,
    state,
    readvertised: 0,
    settleMoney: (allocation: Allocation, ok: boolean, delivered: bigint) => log.push(['money', id, ok, delivered]),
    settleData: (_segment: DataSegment, ok: boolean) => log.push(['data', id, ok]),
    readvertiseReceiveMax: () => (stream.readvertised += 1),
  };
  return stream;
}
const asStream = (stream: ReturnType<typeof fakeStream>): DataAndMoneyStream => stream as unknown as DataAndMoneyStream;
const allocation = (amount: bigint, withdrawn = false): Allocation => ({ amount, parts: [[{ withdrawn } as never, amount]] });
const segment = {} as DataSegment;

function host() {
  const totals: Partial<ConnectionTotals>[] = [];
  return { totals, addToTotals: (delta: Partial<ConnectionTotals>) => totals.push(delta) };
}

describe('splitDelivered (RFC 29 §5.3.8)', () => {
  it('splits in proportion, rounding down, the remainder to the first stream', () => {
    const log: Settled[] = [];
    const plan = { amount: 1000n, allocations: [300n, 700n].map((a, i) => ({ stream: asStream(fakeStream(BigInt(i), log)), allocation: allocation(a) })) };
    expect(splitDelivered(499n, plan)).toEqual([150n, 349n]);
    expect(splitDelivered(1000n, plan)).toEqual([300n, 700n]);
    expect(splitDelivered(0n, plan)).toEqual([0n, 0n]);
    expect(splitDelivered(5n, { amount: 0n, allocations: plan.allocations })).toEqual([0n, 0n]);
  });
});

describe('settling a packet', () => {
  it('a fulfill counts the larger of claimed and minimum as delivered, totals first, then money, then bytes', () => {
    const log: Settled[] = [];
    const connection = host();
    const one = fakeStream(1n, log);
    const plan: PacketPlan = { amount: 1000n, frames: [], allocations: [{ stream: asStream(one), allocation: allocation(1000n) }], segments: [{ stream: asStream(one), segment }], newBytes: 0n };
    settleFulfilled(plan, fulfilled(495n, 400n), connection); // a lying receiver claims 400 (E28)
    expect(connection.totals).toEqual([{ sent: 1000n, delivered: 495n, inFlight: -1000n }]);
    expect(log).toEqual([
      ['money', 1n, true, 495n],
      ['data', 1n, true],
    ]);
  });

  it('a reject hands money and bytes back, requeues closes and readvertises StreamMaxMoney', () => {
    const log: Settled[] = [];
    const connection = host();
    const one = fakeStream(1n, log);
    const registry = { streams: new Map([[1n, asStream(one)]]) };
    const queue = new ControlQueue({ maxStreamIdChanged: false, localMaxStreamId: 20n });
    const close = { type: FrameType.StreamClose, streamId: 3n, errorCode: ErrorCode.NoError, errorMessage: '' } as const;
    const plan: PacketPlan = {
      amount: 300n,
      frames: [{ type: FrameType.StreamMaxMoney, streamId: 1n, receiveMax: 10n, totalReceived: 0n }],
      allocations: [{ stream: asStream(one), allocation: allocation(300n) }],
      segments: [{ stream: asStream(one), segment }],
      newBytes: 0n,
    };
    settleRejected(plan, [close], { ...connection, registry } as never, queue);
    expect(connection.totals).toEqual([{ inFlight: -300n }]);
    expect(log).toEqual([
      ['money', 1n, false, 0n],
      ['data', 1n, false],
    ]);
    expect(queue.take()).toEqual([close]);
    expect(one.readvertised).toBe(1);
  });

  it('refund of a packet without money leaves the totals alone', () => {
    const log: Settled[] = [];
    const connection = host();
    refund({ amount: 0n, frames: [], allocations: [], segments: [{ stream: asStream(fakeStream(1n, log)), segment }], newBytes: 5n }, connection);
    expect(connection.totals).toEqual([]);
    expect(log).toEqual([['data', 1n, false]]);
  });
});

describe('nobodyWants', () => {
  const log: Settled[] = [];
  const open = asStream(fakeStream(1n, log));
  const closed = asStream(fakeStream(3n, log, 'closed'));

  it('is true only for a money-only packet whose orders were all withdrawn or whose streams closed', () => {
    expect(nobodyWants({ segments: [], allocations: [{ stream: open, allocation: allocation(5n, true) }, { stream: closed, allocation: allocation(5n) }] })).toBe(true);
    expect(nobodyWants({ segments: [], allocations: [{ stream: open, allocation: allocation(5n) }] })).toBe(false);
    expect(nobodyWants({ segments: [{ stream: open, segment }], allocations: [{ stream: open, allocation: allocation(5n, true) }] })).toBe(false);
    expect(nobodyWants({ segments: [], allocations: [] })).toBe(false);
  });
});
