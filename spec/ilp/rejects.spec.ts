import * as IlpPacket from 'ilp-packet';
import {
  ilpReject,
  isIlpArgumentError,
  readF08Data,
  rejectF00,
  rejectF01,
  rejectF02,
  rejectF06,
  rejectF08,
  rejectF99,
  rejectR00,
  rejectT00,
  rejectT01,
  serializeIlpReply,
} from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';

describe('reject builders (RFC 27 §error codes)', () => {
  it.each([
    [rejectF00, 'F00', 'Bad Request'],
    [rejectF01, 'F01', 'Invalid Packet'],
    [rejectF02, 'F02', 'Unreachable'],
    [rejectF06, 'F06', 'Unexpected Payment'],
    [rejectT00, 'T00', 'Internal Error'],
    [rejectT01, 'T01', 'Peer Unreachable'],
    [rejectR00, 'R00', 'Transfer Timed Out'],
  ])('%p builds %s with the RFC name as default message and no data', (build, code, name) => {
    expect(build()).toEqual({ type: IlpPacketType.Reject, code, triggeredBy: '', message: name, data: Buffer.alloc(0) });
    expect(build('why', 'test.connie')).toMatchObject({ code, message: 'why', triggeredBy: 'test.connie' });
  });

  it('rejectF06 carries no STREAM data (29-4.2-b, E1: the sender is not authenticated)', () => {
    expect(rejectF06().data).toHaveLength(0);
  });

  it('rejectF08 carries received and maximum as RFC data (27-F08-a)', () => {
    const reject = rejectF08(1500n, 1000n, 'test.connie');
    expect(reject.code).toBe('F08');
    expect(reject.triggeredBy).toBe('test.connie');
    expect(reject.data.toString('hex')).toBe('00000000000005dc00000000000003e8');
    expect(readF08Data(reject.data)).toEqual({ receivedAmount: 1500n, maximumAmount: 1000n });
  });

  it('rejectF99 carries the application data (I-9)', () => {
    expect(rejectF99(Buffer.from([1, 2]))).toMatchObject({ code: 'F99', data: Buffer.from([1, 2]), message: '' });
  });

  it('builds values that ilp-packet decodes back to the same fields', () => {
    for (const reject of [rejectF08(3n, 2n, 'test.a'), rejectF99(Buffer.alloc(40, 1), 'x'), ilpReject('T04', 'liquidity')]) {
      const { type: _type, ...fields } = reject;
      expect(IlpPacket.deserializeIlpReject(serializeIlpReply(reject))).toEqual(fields);
    }
  });

  it.each<[string, () => unknown]>([
    ['code', () => ilpReject('T4')],
    ['code', () => ilpReject(4 as unknown as string)],
    ['message', () => ilpReject('T04', 'x'.repeat(8192))],
    ['data', () => ilpReject('T04', '', Buffer.alloc(32768))],
    ['triggeredBy', () => rejectF02('x', 'not an address')],
    ['receivedAmount', () => rejectF08(-1n, 0n)],
    ['data', () => rejectF99('text' as unknown as Buffer)],
  ])('validates at build time and names %s', (argument, build) => {
    let caught: unknown;
    try {
      build();
    } catch (error) {
      caught = error;
    }
    expect(isIlpArgumentError(caught) && caught.argument).toBe(argument);
  });
});
