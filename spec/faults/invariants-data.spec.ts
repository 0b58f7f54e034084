/**
 * Data under seeded fault schedules (issue 6; RFC 29 §5.5 StreamData offsets): the receiver's
 * bytes equal the sender's, in order, exactly once, whatever is dropped, duplicated, delayed or
 * reordered; when the sender's sendData completed, all of them arrived.
 */
import { faultSeeds, replay, runFaultedPayment } from './fault-schedules';

describe('data invariants under seeded fault schedules (issue 6; RFC 29 §5.5)', () => {
  const seeds = faultSeeds();

  it(`received bytes are a prefix of the sent bytes, and all of them once sendData completed (${seeds.length} seeds)`, () => {
    const failures: string[] = [];
    let completeRuns = 0;
    for (const seed of seeds) {
      const run = runFaultedPayment(seed, { lossy: true });
      const problems: string[] = [];
      for (const [id, stream] of run.serverStreams) {
        if (id !== run.clientStreamId && stream.data.length > 0) problems.push(`bytes on stream ${id}, which the client never wrote to`);
      }
      const got = Buffer.concat(run.serverStreams.get(run.clientStreamId ?? -1n)?.data ?? []);
      if (!got.equals(run.bytesToSend.subarray(0, got.length))) problems.push(`the ${got.length} bytes received are not the sender's first ${got.length} (out of order, duplicated or altered)`);
      if (run.endings['sendData'] === 'complete') {
        completeRuns += 1;
        if (got.length !== run.bytesToSend.length) problems.push(`sendData completed but ${got.length} of ${run.bytesToSend.length} bytes arrived`);
      }
      if (problems.length) failures.push(`${replay(run)}\n  ${problems.join('\n  ')}`);
      if (failures.length >= 5) break;
    }
    expect(failures).toEqual([]);
    expect(completeRuns).toBeGreaterThan(seeds.length / 4); // most schedules let the data through
  });
});
