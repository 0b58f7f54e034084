import { StreamError } from '../../lib/errors';
import { DataAndMoneyStream, type StreamHost } from '../../lib/stream/stream';
import { receiveUntilTotal, sendUntilTotal } from '../../lib/stream/total-targets';

const host: StreamHost = { wake: () => undefined, closeStream: () => undefined, streamReceiveWindow: 262_144, dataConsumed: () => undefined };

describe('total targets', () => {
  it('sendUntilTotal sends only what is missing and resolves once the total was sent', async () => {
    const stream = new DataAndMoneyStream(1n, host);
    const first = sendUntilTotal(stream, 300);
    expect(stream.pendingMoney).toBe(300n);
    stream.settleMoney(stream.takeMoney(300n)!, true, 300n);
    await first;
    const second = sendUntilTotal(stream, 500);
    expect(stream.pendingMoney).toBe(200n);
    stream.settleMoney(stream.takeMoney(500n)!, true, 200n);
    await second;
    expect(stream.totals.sent).toBe(500n);
  });

  it('sendUntilTotal rejects bad totals and streams that close first', async () => {
    const stream = new DataAndMoneyStream(1n, host);
    await expect(sendUntilTotal(stream, -5)).rejects.toThrow(StreamError);
    const pending = sendUntilTotal(stream, 100);
    await stream.destroy(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('receiveUntilTotal raises the receive max if needed and resolves once that much arrived', async () => {
    const stream = new DataAndMoneyStream(2n, host);
    stream.setReceiveMax(10);
    const received = receiveUntilTotal(stream, 100);
    expect(stream.receiveMax).toBe(100n);
    stream.receiveMoney(60n);
    stream.receiveMoney(40n);
    await received;
    expect(stream.totals.received).toBe(100n);
  });
});
