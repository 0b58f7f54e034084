import { BtpNetworkError, isBtpNetworkError, isMemoryNetworkError, MemoryNetworkError } from '../../lib/network';

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

describe('BtpNetworkError', () => {
  it('repeats the code in the message, has a fixed name and keeps its cause', () => {
    const cause = new Error('EADDRINUSE');
    expect(new BtpNetworkError('LISTEN_FAILED', 'cannot listen', { cause })).toMatchObject({
      name: 'BtpNetworkError',
      code: 'LISTEN_FAILED',
      message: 'LISTEN_FAILED: cannot listen',
      cause,
    });
  });

  it('is recognized by name and code, and never confused with MemoryNetworkError', () => {
    const foreign = { name: 'BtpNetworkError', code: 'INVALID_OPTION' };
    expect([isBtpNetworkError(foreign), isBtpNetworkError(foreign, 'INVALID_OPTION'), isBtpNetworkError(foreign, 'LISTEN_FAILED')]).toEqual([true, true, false]);
    expect(isBtpNetworkError(new MemoryNetworkError('INVALID_OPTION', 'x'))).toBe(false);
    expect(isMemoryNetworkError(new BtpNetworkError('INVALID_OPTION', 'x'))).toBe(false);
    expect(isBtpNetworkError({ name: 'BtpNetworkError', code: 'NOT_CONNECTED' })).toBe(false);
    expect(isBtpNetworkError(null)).toBe(false);
  });
});
