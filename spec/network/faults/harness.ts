/**
 * Test harness for single faults: a FaultStage on a marble scheduler whose "receiver" is a
 * function the spec controls, and a Prepare that expires at a chosen virtual time.
 */
import { type Observable, of, type SchedulerLike, map, tap } from 'rxjs';
import {
  type Fault,
  FaultLedger,
  FaultStage,
  type IlpPrepare,
  type IlpReply,
  IlpPacketType,
  ilpReject,
} from '../../../lib';

export const FULFILL: IlpReply = { type: IlpPacketType.Fulfill, fulfillment: Buffer.alloc(32, 1), data: Buffer.from('intact reply data') };
export const REJECT: IlpReply = ilpReject('F99', 'receiver says no', Buffer.from('reject data'));

/** A Prepare of `amount` expiring `expiresAtMs` after virtual time 0. */
export function prepareOf(amount: bigint, expiresAtMs = 50): IlpPrepare {
  return { amount, expiresAt: new Date(expiresAtMs), executionCondition: Buffer.alloc(32, 2), destination: 'test.memory.server', data: Buffer.from('stream data') };
}

/** One letter per reply, for marble diagrams: f = Fulfill, otherwise the reject code's letter. */
export const describeReply = (reply: IlpReply): string => (reply.type === IlpPacketType.Fulfill ? 'fulfill' : reply.code);

export interface Harness {
  ledger: FaultLedger;
  stage: FaultStage;
  /** Prepares the receiver got, in order. */
  delivered: IlpPrepare[];
  /** Sends through the faults; the receiver answers with `answer` (default: Fulfill at once). */
  send(prepare: IlpPrepare, answer?: (prepare: IlpPrepare) => Observable<IlpReply>): Observable<string>;
  /** As send, with the raw replies. */
  sendRaw(prepare: IlpPrepare, answer?: (prepare: IlpPrepare) => Observable<IlpReply>): Observable<IlpReply>;
}

export function harness(scheduler: SchedulerLike, faults: Fault[], seed = 1): Harness {
  const ledger = new FaultLedger();
  const stage = new FaultStage(faults, { scheduler, seed, ledger, triggeredBy: 'test.faults' });
  const delivered: IlpPrepare[] = [];
  const sendRaw = (prepare: IlpPrepare, answer: (p: IlpPrepare) => Observable<IlpReply> = () => of(FULFILL)): Observable<IlpReply> => {
    const run = stage.send(prepare, 'clientToServer', (copy) => {
      delivered.push(copy);
      return answer(copy);
    });
    return run.reply$.pipe(tap((reply) => run.seen(reply.type)));
  };
  return { ledger, stage, delivered, sendRaw, send: (prepare, answer) => sendRaw(prepare, answer).pipe(map(describeReply)) };
}
