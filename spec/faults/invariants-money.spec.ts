/**
 * Money under seeded fault schedules (issue 6): what the sender reports delivered equals what the
 * receiver reports received, to the unit, once the ledger's information-losing events are
 * accounted for; nothing is credited twice; nothing is credited for an expired or rejected
 * Prepare; a Fulfill with garbage data still counts (at the sender's minimum: RFC 29 §5.2, E5/E6).
 *
 * Exactly, per connection (destination units, client to server):
 *   receiver received      = ledger.arrived                    (only fulfilled Prepares are credited)
 *   sender delivered       = ledger.seen + Σ minimum(Prepare) over Fulfills seen with corrupted data
 *   ledger.twice           = 0                                   (no Prepare credited twice; its own test)
 * hence received - delivered = unseen + Σ (arrived - minimum) over corrupted Fulfills seen, and
 * plain equality when no information-losing fault acted.
 */
import { faultSeeds, minimumOf, replay, runFaultedPayment, type PaymentRun } from './fault-schedules';

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

function checkMoney(run: PaymentRun): string[] {
  const problems: string[] = [];
  const money = run.ledger.money('clientToServer');
  const received = sum([...run.serverStreams.values()].flatMap((s) => s.money));
  const serverTotal = run.serverConnections.reduce((a, c) => a + c.totals.received, 0n);
  if (received !== serverTotal) problems.push(`money$ sums to ${received} but the server connection's totals.received is ${serverTotal}`);
  if (received !== money.arrived) problems.push(`receiver credited ${received} but fulfilled Prepares carried ${money.arrived} (credit for a rejected/expired Prepare, or a missed one)`);
  const minimums = run.ledger.events.filter((e) => e.kind === 'corruptFulfillSeen').map((e) => minimumOf(run.sharedSecret, e.prepare?.data ?? Buffer.alloc(0)));
  const delivered = run.client?.totals.delivered ?? 0n;
  const expected = money.seen + sum(minimums);
  if (delivered !== expected) problems.push(`sender reports delivered ${delivered}, expected seen ${money.seen} + corrupted minimums ${sum(minimums)} = ${expected}`);
  const lossless = money.unseen === 0n && money.seenCorrupted === 0n;
  if (lossless && delivered !== received) problems.push(`no information lost, yet delivered ${delivered} != received ${received}`);
  if (lossless && run.clientStreamId !== undefined) {
    // One stream carries all the money, so per stream is per connection here.
    const streamReceived = sum(run.serverStreams.get(run.clientStreamId)?.money ?? []);
    if (streamReceived !== received) problems.push(`stream ${run.clientStreamId} received ${streamReceived} of the connection's ${received}`);
  }
  if (delivered > run.moneyToSend * 2n) problems.push(`delivered ${delivered} of ${run.moneyToSend} asked`);
  return problems;
}

describe('money invariants under seeded fault schedules (issue 6; RFC 29 §5.2, E5/E6)', () => {
  const seeds = faultSeeds();
  // The lossy runs serve two tests; run each seed once.
  const lossyRuns = new Map<number, PaymentRun>();
  const lossy = (seed: number): PaymentRun => {
    const run = lossyRuns.get(seed) ?? runFaultedPayment(seed, { lossy: true });
    lossyRuns.set(seed, run);
    return run;
  };
  afterAll(() => lossyRuns.clear());

  it(`schedules without information loss: delivered = received, to the unit (${seeds.length} seeds)`, () => {
    const failures: string[] = [];
    let moved = 0n;
    for (const seed of seeds) {
      const run = runFaultedPayment(seed, { lossy: false });
      moved += run.ledger.money('clientToServer').arrived;
      const problems = checkMoney(run);
      if (problems.length) failures.push(`${replay(run)}\n  ${problems.join('\n  ')}`);
      if (failures.length >= 5) break;
    }
    expect(failures).toEqual([]);
    expect(moved).toBeGreaterThan(0n); // the schedules let money through, so the equalities were tested
  });

  it(`no Prepare is credited twice: a duplicated Prepare is fulfilled at most once (${seeds.length} seeds)`, () => {
    const failures: string[] = [];
    for (const seed of seeds) {
      const run = lossy(seed);
      const { twice } = run.ledger.money('clientToServer');
      if (twice !== 0n) failures.push(`${replay(run)}\n  credited twice: ${twice} in second Fulfills of duplicated Prepares`);
    }
    expect(failures).toEqual([]);
  });

  it(`schedules with lost replies, duplicates, corrupt Fulfills and disconnects: exact ledger accounting (${seeds.length} seeds)`, () => {
    const failures: string[] = [];
    for (const seed of seeds) {
      const run = lossy(seed);
      const problems = checkMoney(run);
      if (problems.length) failures.push(`${replay(run)}\n  ${problems.join('\n  ')}`);
      if (failures.length >= 5) break;
    }
    expect(failures).toEqual([]);
  });
});
