/**
 * Blocked probes (29-4.4.4-e; DESIGN §4): while bytes wait on the peer's limits and nothing is in
 * flight, StreamDataBlocked goes out on its own after 5 ms, doubling up to 1 s.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { BlockedProbe } from '../../../lib/connection/send/blocked-probe';
import type { DataAndMoneyStream } from '../../../lib/stream/stream';
import { FrameType, type Frame } from '../../../lib/wire/types';

function setup() {
  const scheduler = new VirtualTimeScheduler();
  const world = { quiet: true, reachable: true, waiting: true, sendRoom: 100n };
  const stream = {
    id: 1n,
    state: 'open',
    outgoing: { remoteMaxOffset: 16_384n, waitsOnPeer: () => world.waiting },
  } as unknown as DataAndMoneyStream;
  const sent: { at: number; frames: Frame[] }[] = [];
  const windows = {
    get sendRoom() {
      return world.sendRoom;
    },
    remoteLimitValue: 65_534n,
  };
  // The probe's reply wakes the sender, which schedules the next probe: done here at once.
  const probe: BlockedProbe = new BlockedProbe(scheduler, windows, {
    quiet: () => world.quiet,
    reachable: () => world.reachable,
    sendableStreams: () => [stream],
    send: (frames) => {
      sent.push({ at: scheduler.now(), frames });
      probe.maybeSchedule();
    },
  });
  const runUntil = (until: number): void => {
    scheduler.maxFrames = until;
    scheduler.flush();
  };
  return { scheduler, world, probe, sent, runUntil };
}

describe('BlockedProbe', () => {
  it('waits 5, 10, 20, ... ms between probes, at most 1 s', () => {
    const { probe, sent, runUntil } = setup();
    probe.maybeSchedule();
    runUntil(5_000);
    const gaps = sent.map(({ at }, i) => at - (sent[i - 1]?.at ?? 0));
    expect(gaps.slice(0, 11)).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1_000, 1_000, 1_000]);
    expect(sent[0]?.frames).toEqual([{ type: FrameType.StreamDataBlocked, streamId: 1n, maxOffset: 16_384n }]);
  });

  it('adds ConnectionDataBlocked when the connection window is used up', () => {
    const { probe, sent, runUntil, world } = setup();
    world.sendRoom = 0n;
    probe.maybeSchedule();
    runUntil(5);
    expect(sent[0]?.frames.at(-1)).toEqual({ type: FrameType.ConnectionDataBlocked, maxOffset: 65_534n });
  });

  it('schedules nothing while a reply may come, the connection cannot send or nothing waits; one timer at a time', () => {
    const { probe, sent, runUntil, world, scheduler } = setup();
    for (const key of ['quiet', 'reachable', 'waiting'] as const) {
      world[key] = false;
      probe.maybeSchedule();
      expect(scheduler.actions).toHaveLength(0);
      world[key] = true;
    }
    probe.maybeSchedule();
    probe.maybeSchedule();
    expect(scheduler.actions).toHaveLength(1);
    world.quiet = false; // a packet left meanwhile: the timer fires but sends nothing
    runUntil(5);
    expect(sent).toEqual([]);
  });

  it('restart() makes the next wait short again; cancel() drops the timer', () => {
    const { probe, sent, runUntil, scheduler } = setup();
    probe.maybeSchedule();
    runUntil(35); // probes at 5, 15 and 35; the next is due 40 ms later
    expect(sent.map(({ at }) => at)).toEqual([5, 15, 35]);
    probe.cancel();
    probe.restart();
    probe.maybeSchedule();
    runUntil(40);
    expect(sent.map(({ at }) => at)).toEqual([5, 15, 35, 40]);
    probe.cancel();
    expect(scheduler.actions).toHaveLength(0);
  });
});
