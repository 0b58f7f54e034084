/**
 * Shared by the invariant specs: a seeded generator of fault schedules, and one STREAM payment
 * (money and data on one stream, then end()) run entirely in virtual time over a faulty
 * in-memory network, with everything the invariants need collected.
 *
 * Replay one seed: `FAULT_SEED=1234 npx jest spec/faults/invariants-money.spec.ts`.
 * More seeds: `FAULT_SEEDS=2000 npx jest spec/faults` (CI default 200).
 */
import { VirtualAction, VirtualTimeScheduler, type Subscription } from 'rxjs';
import {
  type Connection,
  connect,
  corruptFulfillData,
  createMemoryNetwork,
  decodePacket,
  deriveKeys,
  disconnect,
  dropPrepare,
  dropReply,
  duplicatePrepare,
  type Fault,
  type FaultLedger,
  garbageRejectData,
  jitter,
  listen,
  maxPacketAmountSchedule,
  type MemoryNetwork,
  rateMoves,
  rejectBurst,
  seededRandom,
  type Server,
  skim,
} from '../../lib';

/** The seeds to run: FAULT_SEED=n runs just n; else FAULT_SEEDS (default 200) seeds from FAULT_SEED_BASE (default 1). */
export function faultSeeds(): number[] {
  const one = process.env['FAULT_SEED'];
  if (one !== undefined && one !== '') return [Number(one)];
  const count = Number(process.env['FAULT_SEEDS'] ?? 200);
  const base = Number(process.env['FAULT_SEED_BASE'] ?? 1);
  return Array.from({ length: count }, (_, i) => base + i);
}

/** Which fault families a schedule may draw from. */
export interface ScheduleMix {
  /** Faults that lose or duplicate information (dropReply, duplicatePrepare, corruptFulfillData, disconnect). */
  lossy: boolean;
}

/**
 * A random schedule of 1..4 faults from `seed`, with a text description for failure messages.
 *
 * @example
 * ```ts
 * const { faults, description } = faultSchedule(17, { lossy: true });
 * ```
 */
export function faultSchedule(seed: number, mix: ScheduleMix): { faults: Fault[]; description: string[] } {
  const r = seededRandom(seed ^ 0x5eed);
  const p = (max: number) => Math.round(r.next() * max * 100) / 100;
  const makers: Array<() => [Fault, string]> = [
    () => { const o = { probability: p(0.3) }; return [dropPrepare(o), `dropPrepare ${JSON.stringify(o)}`]; },
    () => { const o = { probability: p(0.2), length: r.int(1, 4) }; return [rejectBurst(o), `rejectBurst ${JSON.stringify(o)}`]; },
    () => { const max = r.int(100, 2000); const later = r.int(50, 3000); const at = r.int(0, 3000);
      return [maxPacketAmountSchedule([{ max }, { from: at, max: later }]), `maxPacketAmountSchedule ${max} then ${later} from ${at} ms`]; },
    () => { const o = { max: r.int(1, 40), probability: p(1) }; return [jitter(o), `jitter ${JSON.stringify(o)}`]; },
    () => { const rate = r.pick(['1', '0.995', '0.98', '1.01', '0.5']); const at = r.int(0, 4000);
      return [rateMoves([{ from: at, rate }]), `rateMoves ${rate} from ${at} ms`]; },
    () => { const o = { fraction: r.pick(['0.001', '0.05', '0.5']), probability: p(0.3) }; return [skim(o), `skim ${JSON.stringify(o)}`]; },
    () => { const o = { probability: p(0.5) }; return [garbageRejectData(o), `garbageRejectData ${JSON.stringify(o)}`]; },
  ];
  if (mix.lossy) {
    makers.push(
      () => { const o = { probability: p(0.2) }; return [dropReply(o), `dropReply ${JSON.stringify(o)}`]; },
      () => { const o = { probability: p(0.3), gap: r.int(0, 20) }; return [duplicatePrepare(o), `duplicatePrepare ${JSON.stringify(o)}`]; },
      () => { const o = { probability: p(0.5) }; return [corruptFulfillData(o), `corruptFulfillData ${JSON.stringify(o)}`]; },
      () => { const o = { from: r.int(0, 3000), duration: r.int(1, 2000) }; return [disconnect(o), `disconnect ${JSON.stringify(o)}`]; },
    );
  }
  const count = r.int(1, 4);
  const chosen = Array.from({ length: count }, () => r.pick(makers)());
  return { faults: chosen.map(([f]) => f), description: chosen.map(([, d]) => d) };
}

/** How each Observable the run watched ended. */
export type Ending = 'pending' | 'complete' | { error: { name: string; code: string | undefined } };

/** What one faulted payment produced. */
export interface PaymentRun {
  seed: number;
  description: string;
  network: MemoryNetwork;
  ledger: FaultLedger;
  scheduler: VirtualTimeScheduler;
  sharedSecret: Buffer;
  client: Connection | undefined;
  serverConnections: Connection[];
  /** Per server-side stream id: the amounts from money$, and the bytes from data$, in order. */
  serverStreams: Map<bigint, { money: bigint[]; data: Buffer[] }>;
  clientStreamId: bigint | undefined;
  moneyToSend: bigint;
  bytesToSend: Buffer;
  endings: Record<string, Ending>;
  /** Virtual actions still queued after the flush (beyond the frame limit: a run that never ends). */
  leftoverActions: number;
  subscriptions: Subscription[];
}

const ending = (endings: Record<string, Ending>, name: string) => {
  endings[name] = 'pending';
  return {
    complete: () => void (endings[name] = 'complete'),
    error: (error: { name?: string; code?: string }) => void (endings[name] = { error: { name: String(error?.name), code: error?.code } }),
  };
};

/** Virtual-time limit: ten minutes. Anything still scheduled then is a liveness failure. */
export const MAX_FRAMES = 600_000;

/**
 * Runs one payment over a network with the seed's fault schedule: listen, connect, send
 * `moneyToSend` and `bytesToSend` on one stream, end() when both sends are over, flush.
 *
 * @example
 * ```ts
 * const run = runFaultedPayment(17, { lossy: true });
 * ```
 */
export function runFaultedPayment(seed: number, mix: ScheduleMix): PaymentRun {
  const r = seededRandom(seed);
  const scheduler = new VirtualTimeScheduler(VirtualAction, MAX_FRAMES);
  const { faults, description } = faultSchedule(seed, mix);
  const network = createMemoryNetwork({ latency: r.int(1, 5), scheduler, faults, seed, maxPacketAmount: r.int(500, 5000) });
  const endings: Record<string, Ending> = {};
  const serverStreams = new Map<bigint, { money: bigint[]; data: Buffer[] }>();
  const serverConnections: Connection[] = [];
  const moneyToSend = BigInt(r.int(1, 20_000));
  const bytesToSend = r.bytes(r.int(0, 3000));
  const subscriptions: Subscription[] = [];
  const run: PaymentRun = {
    seed, description: description.join('; '), network, ledger: network.faultLedger, scheduler, sharedSecret: Buffer.alloc(0),
    client: undefined, serverConnections, serverStreams, clientStreamId: undefined, moneyToSend, bytesToSend, endings, leftoverActions: 0, subscriptions,
  };

  subscriptions.push(
    listen({ plugin: network.server, scheduler }).subscribe({
      ...ending(endings, 'listen'),
      next: (server: Server) => {
        subscriptions.push(
          server.connections$.subscribe({ ...ending(endings, 'connections$'), next: (connection) => {
            serverConnections.push(connection);
            const i = serverConnections.length;
            connection.state$.subscribe(ending(endings, `server connection ${i} state$`));
            connection.streams$.subscribe({ ...ending(endings, `server connection ${i} streams$`), next: (stream) => {
              const entry = { money: [] as bigint[], data: [] as Buffer[] };
              serverStreams.set(stream.id, entry);
              stream.money$.subscribe({ ...ending(endings, `server stream ${stream.id} money$`), next: (amount) => entry.money.push(amount) });
              stream.data$.subscribe({ ...ending(endings, `server stream ${stream.id} data$`), next: (bytes) => entry.data.push(Buffer.from(bytes)) });
            } });
          } }),
        );
        const credentials = server.generateAddressAndSecret();
        run.sharedSecret = credentials.sharedSecret;
        subscriptions.push(
          connect({ plugin: network.client, ...credentials, scheduler }).subscribe({
            error: ending(endings, 'connect').error,
            next: (client) => {
              endings['connect'] = 'complete';
              run.client = client;
              client.state$.subscribe(ending(endings, 'client state$'));
              const stream = client.createStream();
              run.clientStreamId = stream.id;
              let open = 2;
              const done = () => {
                open -= 1;
                if (open === 0) void client.end().catch(() => undefined);
              };
              const money = ending(endings, 'sendMoney');
              const data = ending(endings, 'sendData');
              stream.sendMoney(moneyToSend).subscribe({ complete: () => (money.complete(), done()), error: (e) => (money.error(e), done()) });
              stream.sendData(bytesToSend).subscribe({ complete: () => (data.complete(), done()), error: (e) => (data.error(e), done()) });
            },
          }),
        );
      },
    }),
  );
  scheduler.flush();
  run.leftoverActions = scheduler.actions.length;
  return run;
}

/**
 * The minimum destination amount the sender asked for in a STREAM Prepare: what it counts as
 * delivered when the Fulfill's data is unreadable (RFC 29 §5.2, DESIGN §3).
 */
export function minimumOf(sharedSecret: Buffer, data: Buffer): bigint {
  return decodePacket(deriveKeys(sharedSecret).decrypt(data)).prepareAmount;
}

/** The seed, the schedule and the ledger, for failure messages. */
export function replay(run: PaymentRun): string {
  return `seed ${run.seed} (replay: FAULT_SEED=${run.seed}) schedule: ${run.description}\nledger:\n${run.ledger.summary()}`;
}
