import { isMemoryNetworkError, MemoryNetworkError } from '../../lib/network';

describe('MemoryNetworkError', () => {
  it('repeats the code in the message and has a fixed name', () => {
    expect(new MemoryNetworkError('NOT_CONNECTED', 'the client plugin is not connected')).toMatchObject({
      name: 'MemoryNetworkError',
      code: 'NOT_CONNECTED',
      message: 'NOT_CONNECTED: the client plugin is not connected',
    });
  });

  it('is recognized by name and code, not instanceof', () => {
    const foreign = { name: 'MemoryNetworkError', code: 'DISCONNECTED', message: 'DISCONNECTED: x' };
    expect(isMemoryNetworkError(foreign)).toBe(true);
    expect(isMemoryNetworkError(foreign, 'DISCONNECTED')).toBe(true);
    expect(isMemoryNetworkError(foreign, 'NOT_CONNECTED')).toBe(false);
    expect(isMemoryNetworkError({ name: 'MemoryNetworkError', code: 'OTHER' })).toBe(false);
    expect(isMemoryNetworkError(new Error('x'))).toBe(false);
    expect(isMemoryNetworkError(undefined)).toBe(false);
  });
});
