import {
  IldcpError,
  IlpArgumentError,
  IlpPacketError,
  IlpPluginError,
  isIldcpError,
  isIlpArgumentError,
  isIlpPacketError,
  isIlpPluginError,
} from '../../lib/ilp';

describe('typed errors of the ILP layer', () => {
  it('repeat the code at the start of the message and carry a fixed name', () => {
    expect(new IlpPacketError('WRONG_TYPE', 'x')).toMatchObject({ name: 'IlpPacketError', code: 'WRONG_TYPE', message: 'WRONG_TYPE: x' });
    expect(new IlpArgumentError('prepare.amount', 'must be ...')).toMatchObject({
      name: 'IlpArgumentError',
      code: 'INVALID_ARGUMENT',
      argument: 'prepare.amount',
      message: 'INVALID_ARGUMENT: prepare.amount must be ...',
    });
    expect(new IldcpError('ILDCP_REJECTED', 'no', 'F02')).toMatchObject({ name: 'IldcpError', ilpCode: 'F02', message: 'ILDCP_REJECTED: no' });
    const cause = new Error('busy');
    expect(new IlpPluginError('REGISTER_HANDLER_FAILED', 'x', cause)).toMatchObject({ name: 'IlpPluginError', cause });
  });

  it('guards check name and code, not instanceof (a second copy of the package still matches)', () => {
    const foreign = Object.assign(new Error('WRONG_TYPE: x'), { name: 'IlpPacketError', code: 'WRONG_TYPE' });
    expect(isIlpPacketError(foreign)).toBe(true);
    expect(isIlpPacketError(foreign, 'WRONG_TYPE')).toBe(true);
    expect(isIlpPacketError(foreign, 'INVALID_PACKET')).toBe(false);
    expect(isIlpPacketError({ name: 'IlpPacketError', code: 'SOMETHING_ELSE' })).toBe(false);
    expect(isIlpPacketError(new Error('x'))).toBe(false);
    expect(isIlpPacketError(null)).toBe(false);
  });

  it('each guard recognizes only its own class', () => {
    const errors = [
      new IlpPacketError('INVALID_PACKET', 'x'),
      new IlpArgumentError('a', 'x'),
      new IlpPluginError('REGISTER_HANDLER_FAILED', 'x'),
      new IldcpError('ILDCP_INVALID_RESPONSE', 'x'),
    ];
    const guards = [isIlpPacketError, isIlpArgumentError, isIlpPluginError, isIldcpError];
    const matrix = guards.map((guard) => errors.map((error) => guard(error)));
    expect(matrix).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
    ]);
  });
});
