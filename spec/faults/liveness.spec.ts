/**
 * Liveness under seeded fault schedules (issue 6): every Observable the payment involves
 * terminates, with complete or a typed error (ConnectionError / StreamError); no unhandled promise
 * rejection; and after end() nothing is left scheduled: the VirtualTimeScheduler's queue is empty
 * (within ten virtual minutes) and no Prepare is left waiting in the network.
 */
import { faultSeeds, replay, runFaultedPayment } from './fault-schedules';

const TYPED = new Set(['ConnectionError', 'StreamError']);

describe('liveness under seeded fault schedules (issue 6)', () => {
  const seeds = faultSeeds();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => void process.off('unhandledRejection', onUnhandled));

  it(`every Observable terminates with complete or a typed error, and nothing is left scheduled (${seeds.length} seeds)`, async () => {
    const failures: string[] = [];
    for (const seed of seeds) {
      const run = runFaultedPayment(seed, { lossy: true });
      const problems: string[] = [];
      for (const [name, end] of Object.entries(run.endings)) {
        // listen/connect/connections$ are cold sources that stay open while subscribed, by design.
        if (name === 'listen' || name === 'connections$') continue;
        if (end === 'pending') problems.push(`${name} never terminated`);
        else if (end !== 'complete' && !TYPED.has(end.error.name)) problems.push(`${name} errored with an untyped ${end.error.name} ${end.error.code ?? ''}`);
      }
      if (run.endings['connect'] === 'pending') problems.push('connect neither emitted nor errored');
      if (run.leftoverActions > 0) problems.push(`${run.leftoverActions} actions still scheduled after ten virtual minutes`);
      if (problems.length) failures.push(`${replay(run)}\n  ${problems.join('\n  ')}`);
      for (const s of run.subscriptions) s.unsubscribe();
      if (failures.length >= 5) break;
    }
    // Let any promise the runs dropped settle before looking for unhandled rejections.
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 300_000);
});
