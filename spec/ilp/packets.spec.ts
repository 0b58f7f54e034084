import { type IlpReply, rejectF06, serializeIlpReply, deserializeIlpReply } from '../../lib/ilp';
import { IlpPacketType } from '../../lib/wire/types';

describe('IlpReply (a Fulfill or a Reject told apart by type)', () => {
  it('narrows on type, so Reject fields are only reachable after the check', () => {
    const reply: IlpReply = deserializeIlpReply(serializeIlpReply(rejectF06()));
    // @ts-expect-error code exists only on the Reject branch
    const unchecked: string = reply.code;
    expect(unchecked).toBe('F06');
    const code = reply.type === IlpPacketType.Reject ? reply.code : reply.fulfillment.toString('hex');
    expect(code).toBe('F06');
  });
});
