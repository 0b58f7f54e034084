import { StreamError } from '../../lib/errors';
import { amountArgument, dataArgument } from '../../lib/stream/arguments';

describe('arguments', () => {
  it('amountArgument parses amounts and turns bad ones into INVALID_ARGUMENT naming the field', () => {
    expect(amountArgument('1000', 'amount')).toBe(1000n);
    expect(() => amountArgument(-1, 'total')).toThrow(StreamError);
    expect(() => amountArgument(-1, 'total')).toThrow(/total/);
  });

  it('dataArgument views the caller bytes without copying; strings are UTF-8', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]).subarray(1);
    const view = dataArgument(bytes);
    expect(view.buffer).toBe(bytes.buffer);
    expect([...view]).toEqual([2, 3, 4]);
    expect(dataArgument('hé').toString('utf8')).toBe('hé');
    expect(() => dataArgument(null as never)).toThrow('data must be a Uint8Array or a string, got null');
  });
});
