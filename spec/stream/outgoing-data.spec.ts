/**
 * OutgoingData (lib/stream/outgoing-data.ts): the sending half of a stream's bytes, RFC 29
 * §4.4.3, §4.4.4 and §5.3.11. Pure and synchronous, so everything here is exact.
 */
import fc from 'fast-check';
import { type DataProgress, type DataSegment, DEFAULT_REMOTE_STREAM_WINDOW, OutgoingData, type WriteListener } from '../../lib/stream/outgoing-data';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';

const UNLIMITED = 1n << 62n;

function recorder(): WriteListener & { progress: jest.Mock<void, [DataProgress]>; done: jest.Mock<void, []> } {
  return { progress: jest.fn<void, [DataProgress]>(), done: jest.fn<void, []>() };
}

/** Bytes 0, 1, 2, ... (mod 251, so no two nearby windows look alike). */
function pattern(length: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + seed) % 251;
  return bytes;
}

function take(out: OutgoingData, maxBytes: number, room = UNLIMITED): DataSegment {
  const segment = out.take(maxBytes, room);
  if (!segment) throw new Error(`expected a segment of up to ${maxBytes} bytes`);
  return segment;
}

describe('OutgoingData', () => {
  it('29-5.3.11-a: the first segment of a stream starts at offset 0', () => {
    const out = new OutgoingData();
    out.write(Buffer.from('hello'));
    const segment = take(out, 1000);
    expect(segment.offset).toBe(0n);
    expect(segment.data.toString()).toBe('hello');
    expect(out.nextOffset).toBe(5n);
  });

  it('29-5.3.11-a: the first offset is 0 even when the first write was withdrawn before any byte left', () => {
    const out = new OutgoingData();
    const first = out.write(Buffer.from('never sent'));
    out.withdraw(first);
    out.write(Buffer.from('sent'));
    expect(take(out, 1000)).toMatchObject({ offset: 0n, data: Buffer.from('sent') });
  });

  it('29-5.3.11-b: consecutive segments are contiguous and never overlap, across writes', () => {
    const out = new OutgoingData();
    out.write(pattern(10, 0));
    out.write(pattern(7, 50));
    out.write(pattern(20, 100));
    const segments = [take(out, 4), take(out, 9), take(out, 100)];
    expect(segments.map((s) => [s.offset, s.data.length])).toEqual([
      [0n, 4],
      [4n, 9],
      [13n, 24],
    ]);
    expect(Buffer.concat(segments.map((s) => s.data))).toEqual(Buffer.concat([pattern(10, 0), pattern(7, 50), pattern(20, 100)]));
    expect(out.take(100, UNLIMITED)).toBeUndefined();
  });

  it('29-5.3.11-b, 29-5.3.11-c: whatever the cuts and rejects, new segments tile the bytes and re-sends repeat a segment exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ maxBytes: fc.integer({ min: 1, max: 200 }), fulfil: fc.boolean(), settleNow: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        (writeLengths, steps) => {
          const out = new OutgoingData();
          out.applyRemoteMax(UNLIMITED);
          const written = Buffer.concat(writeLengths.map((length, i) => pattern(length, i * 37)));
          let cursor = 0;
          for (const length of writeLengths) {
            out.write(Buffer.from(written.subarray(cursor, cursor + length)));
            cursor += length;
          }
          const firstSeen = new Map<bigint, Buffer>();
          let expectedNext = 0n;
          const unsettled: DataSegment[] = [];
          const acknowledged: DataSegment[] = [];
          const settleOne = (segment: DataSegment, fulfil: boolean): void => {
            out.settle(segment, fulfil);
            if (fulfil) acknowledged.push(segment);
          };
          // Random cuts and outcomes, then everything drains with every packet fulfilled.
          for (const step of steps) {
            const segment = out.take(step.maxBytes, UNLIMITED);
            if (segment) {
              expect(segment.data.length).toBeGreaterThan(0);
              expect(segment.data.length).toBeLessThanOrEqual(step.maxBytes);
              const earlier = firstSeen.get(segment.offset);
              if (earlier) {
                // A re-send: the same offset and the same bytes.
                expect(segment.data.equals(earlier)).toBe(true);
              } else {
                // New bytes: they start exactly where the last new bytes ended (no overlap, no gap).
                expect(segment.offset).toBe(expectedNext);
                expectedNext += BigInt(segment.data.length);
                firstSeen.set(segment.offset, Buffer.from(segment.data));
              }
              unsettled.push(segment);
            }
            if (step.settleNow && unsettled.length > 0) settleOne(unsettled.shift() as DataSegment, step.fulfil);
          }
          while (unsettled.length > 0) settleOne(unsettled.shift() as DataSegment, true);
          for (let segment = out.take(200, UNLIMITED); segment; segment = out.take(200, UNLIMITED)) {
            const earlier = firstSeen.get(segment.offset);
            if (earlier) expect(segment.data.equals(earlier)).toBe(true);
            else {
              expect(segment.offset).toBe(expectedNext);
              expectedNext += BigInt(segment.data.length);
              firstSeen.set(segment.offset, Buffer.from(segment.data));
            }
            settleOne(segment, true);
          }
          expect(out.idle).toBe(true);
          // The acknowledged segments reassemble the written bytes exactly, each byte once.
          const sorted = [...acknowledged].sort((a, b) => (a.offset < b.offset ? -1 : 1));
          let offset = 0n;
          for (const segment of sorted) {
            expect(segment.offset).toBe(offset);
            offset += BigInt(segment.data.length);
          }
          expect(Buffer.concat(sorted.map((s) => s.data))).toEqual(written);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('29-5.3.11-c: a rejected segment is sent again first, whole, with the same offset and bytes', () => {
    const out = new OutgoingData();
    out.write(pattern(100));
    const first = take(out, 30);
    const second = take(out, 30);
    out.settle(first, false);
    const again = take(out, 1000);
    expect(again.offset).toBe(first.offset);
    expect(again.data.equals(pattern(100).subarray(0, 30))).toBe(true);
    expect(again.data.length).toBe(30); // whole, though 1000 bytes were allowed
    // Only then new bytes, from where the new bytes stopped.
    const next = take(out, 1000);
    expect(next.offset).toBe(60n);
    expect(next.data.equals(pattern(100).subarray(60))).toBe(true);
    out.settle(second, true);
  });

  it('29-5.3.11-c: several rejected segments go out again lowest offset first', () => {
    const out = new OutgoingData();
    out.write(pattern(90));
    const a = take(out, 30);
    const b = take(out, 30);
    const c = take(out, 30);
    out.settle(c, false);
    out.settle(a, false);
    out.settle(b, true);
    expect(take(out, 1000).offset).toBe(0n);
    expect(take(out, 1000).offset).toBe(60n);
    expect(out.take(1000, UNLIMITED)).toBeUndefined();
  });

  it('29-5.3.11-c: a re-send that does not fit waits; it is neither cut nor overtaken by new bytes', () => {
    const out = new OutgoingData();
    out.write(pattern(200));
    const first = take(out, 100);
    out.settle(first, false);
    expect(out.hasSendable(UNLIMITED)).toBe(true);
    expect(out.take(99, UNLIMITED)).toBeUndefined();
    expect(out.take(10, UNLIMITED)).toBeUndefined();
    expect(out.nextOffset).toBe(100n); // no new bytes were handed out meanwhile
    const again = take(out, 100);
    expect(again).toMatchObject({ offset: 0n });
    expect(again.data.equals(first.data)).toBe(true);
  });

  it('29-5.3.11-c: a re-send ignores the connection room (its bytes were counted when they first left)', () => {
    const out = new OutgoingData();
    out.write(pattern(50));
    const first = take(out, 50);
    out.settle(first, false);
    expect(out.hasSendable(0n)).toBe(true);
    expect(take(out, 50, 0n).offset).toBe(0n);
  });

  it(`29-4.4.4: the peer's StreamMaxData is assumed to be ${DEFAULT_REMOTE_STREAM_WINDOW} until it says, and caps new bytes`, () => {
    const out = new OutgoingData();
    expect(out.remoteMaxOffset).toBe(16_384n);
    out.write(pattern(40_000));
    const first = take(out, 32_000);
    expect(first.data.length).toBe(16_384);
    expect(out.hasSendable(UNLIMITED)).toBe(false);
    expect(out.take(32_000, UNLIMITED)).toBeUndefined();
    out.applyRemoteMax(20_000n);
    out.settle(first, true); // (nothing in flight, so a part-packet may go: see the sliver test)
    const second = take(out, 32_000);
    expect([second.offset, second.data.length]).toEqual([16_384n, 3_616]);
    expect(out.take(32_000, UNLIMITED)).toBeUndefined();
  });

  it('29-5.3.3-a: new bytes stay within the connection room given', () => {
    const out = new OutgoingData();
    out.write(pattern(1000));
    expect(out.hasSendable(0n)).toBe(false);
    expect(out.take(1000, 0n)).toBeUndefined();
    expect(take(out, 1000, 10n).data.length).toBe(10);
    expect(take(out, 1000, 1000n).data.length).toBe(990);
  });

  it('E23, 29-4.4.4-c: the peer limit only grows; a smaller (reordered) StreamMaxData is ignored', () => {
    const out = new OutgoingData();
    out.applyRemoteMax(30_000n);
    out.applyRemoteMax(20_000n);
    out.applyRemoteMax(10n);
    expect(out.remoteMaxOffset).toBe(30_000n);
    out.write(pattern(50_000));
    out.settle(take(out, 20_000), true);
    expect(take(out, 20_000).data.length).toBe(10_000);
    expect(out.take(20_000, UNLIMITED)).toBeUndefined();
  });

  it('withdraw: unsent bytes of a write are dropped; bytes already sent still settle and report done', () => {
    const out = new OutgoingData();
    const listener = recorder();
    const write = out.write(pattern(100), listener);
    const sent = take(out, 40);
    out.withdraw(write);
    expect(out.pendingBytes).toBe(0);
    expect(out.take(1000, UNLIMITED)).toBeUndefined();
    out.settle(sent, true);
    expect(listener.progress).toHaveBeenLastCalledWith({ sent: 40, acknowledged: 40, length: 40 });
    expect(listener.done).toHaveBeenCalledTimes(1);
    expect(out.idle).toBe(true);
  });

  it('withdraw: a write with nothing sent leaves no gap; the next write takes its offsets', () => {
    const out = new OutgoingData();
    const a = out.write(Buffer.from('aaaa'));
    out.write(Buffer.from('bbbb'));
    const c = out.write(Buffer.from('cccc'));
    out.withdraw(c);
    const first = take(out, 2);
    out.withdraw(a); // 'aa' left already; 'aa' more is dropped
    const rest = take(out, 1000);
    expect([first.offset, first.data.toString()]).toEqual([0n, 'aa']);
    expect([rest.offset, rest.data.toString()]).toEqual([2n, 'bbbb']);
    expect(out.take(1000, UNLIMITED)).toBeUndefined();
  });

  it('withdraw: a rejected segment is still re-sent (the peer may hold the bytes after it)', () => {
    const out = new OutgoingData();
    const write = out.write(pattern(100));
    const first = take(out, 40);
    const second = take(out, 40);
    out.settle(first, false);
    out.withdraw(write);
    expect(out.pendingBytes).toBe(40);
    const again = take(out, 1000);
    expect([again.offset, again.data.length]).toEqual([0n, 40]);
    expect(out.take(1000, UNLIMITED)).toBeUndefined();
    out.settle(second, true);
    out.settle(again, true);
    expect(out.idle).toBe(true);
  });

  it('withdrawAll drops unsent bytes and pending re-sends', () => {
    const out = new OutgoingData();
    out.write(pattern(100));
    const first = take(out, 40);
    out.settle(first, false);
    out.withdrawAll();
    expect(out.pendingBytes).toBe(0);
    expect(out.take(1000, UNLIMITED)).toBeUndefined();
    expect(out.idle).toBe(true);
  });

  it('progress after each packet that carried or acknowledged bytes, done once every byte was acknowledged', () => {
    const out = new OutgoingData();
    const a = recorder();
    const b = recorder();
    out.write(pattern(30), a);
    out.write(pattern(50), b);
    const first = take(out, 20); // a: 20
    const second = take(out, 40); // a: 10, b: 30
    const third = take(out, 40); // b: 20
    expect(a.progress.mock.calls.map(([p]) => p)).toEqual([
      { sent: 20, acknowledged: 0, length: 30 },
      { sent: 30, acknowledged: 0, length: 30 },
    ]);
    out.settle(second, false); // a rejection reports nothing
    expect(a.progress).toHaveBeenCalledTimes(2);
    out.settle(first, true);
    expect(a.progress).toHaveBeenLastCalledWith({ sent: 30, acknowledged: 20, length: 30 });
    expect(a.done).not.toHaveBeenCalled();
    out.settle(third, true);
    expect(b.progress).toHaveBeenLastCalledWith({ sent: 50, acknowledged: 20, length: 50 });
    const again = take(out, 100);
    expect(again.offset).toBe(20n);
    out.settle(again, true);
    expect(a.progress).toHaveBeenLastCalledWith({ sent: 30, acknowledged: 30, length: 30 });
    expect(b.progress).toHaveBeenLastCalledWith({ sent: 50, acknowledged: 50, length: 50 });
    expect(a.done).toHaveBeenCalledTimes(1);
    expect(b.done).toHaveBeenCalledTimes(1);
    expect(out.idle).toBe(true);
  });

  it('no slivers while packets are in flight: a part-packet waits for the replies, and goes when nothing is in flight', () => {
    const out = new OutgoingData();
    out.applyRemoteMax(20_000n);
    out.write(pattern(50_000));
    const first = take(out, 16_000);
    // 4,000 bytes of room left under the peer's limit, 16,000 wanted: not while `first` is out.
    expect(out.take(16_000, UNLIMITED)).toBeUndefined();
    expect(out.nextOffset).toBe(16_000n);
    out.settle(first, true);
    expect(take(out, 16_000).data.length).toBe(4_000);
    // A packet smaller than a full one because the queue is nearly empty is not a sliver.
    const small = new OutgoingData();
    small.write(pattern(100));
    small.write(pattern(10));
    take(small, 60);
    expect(take(small, 1000).data.length).toBe(50);
  });

  it('29-4.4.4-e: blockedAt names the peer limit once per limit, only while new bytes wait on it', () => {
    const out = new OutgoingData();
    expect(out.blockedAt()).toBeUndefined(); // nothing waits
    out.write(pattern(50_000));
    expect(out.blockedAt()).toBeUndefined(); // bytes wait, but the limit has room
    out.settle(take(out, 32_000), true);
    expect(out.blockedAt()).toBe(16_384n);
    expect(out.blockedAt()).toBeUndefined(); // once per limit
    out.applyRemoteMax(16_000n); // smaller: ignored, so not a new limit
    expect(out.blockedAt()).toBeUndefined();
    out.applyRemoteMax(30_000n);
    expect(out.blockedAt()).toBeUndefined(); // room again
    out.settle(take(out, 32_000), true);
    expect(out.blockedAt()).toBe(30_000n);
    out.applyRemoteMax(60_000n);
    out.settle(take(out, 32_000), true);
    expect(out.blockedAt()).toBeUndefined(); // all sent: nothing waits on the limit
  });

  it('29-5.3.11-c: sendData copies the caller buffer, so a re-send stays byte-identical after the caller reuses it', () => {
    const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };
    const stream = new DataAndMoneyStream(1n, host);
    const buffer = Buffer.from('original bytes');
    stream.sendData(buffer).subscribe({ error: () => undefined });
    const segment = stream.takeData(1000, UNLIMITED)!;
    buffer.fill(0x78);
    stream.settleData(segment, false);
    const again = stream.takeData(1000, UNLIMITED)!;
    expect(again.offset).toBe(0n);
    expect(again.data.toString()).toBe('original bytes');
  });
});
