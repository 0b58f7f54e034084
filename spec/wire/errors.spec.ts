import {
  isStreamDecodeError,
  isStreamEncodeError,
  STREAM_DECODE_ERROR_CODES,
  STREAM_ENCODE_ERROR_CODES,
  StreamDecodeError,
  StreamEncodeError,
} from '../../lib/wire/errors';

describe('StreamDecodeError', () => {
  it('carries name, code, offset, and repeats the code and offset in its message', () => {
    const error = new StreamDecodeError('TRUNCATED', 17, 'sequence needs 8 byte(s) but only 3 remain');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StreamDecodeError');
    expect(error.code).toBe('TRUNCATED');
    expect(error.offset).toBe(17);
    expect(error.message).toBe('TRUNCATED: sequence needs 8 byte(s) but only 3 remain (at byte 17)');
  });

  it('keeps the cause of an internal fault', () => {
    const cause = new RangeError('boom');
    expect(new StreamDecodeError('INTERNAL', 0, 'x', { cause }).cause).toBe(cause);
  });

  it('isStreamDecodeError checks name and code, optionally a specific code', () => {
    const error = new StreamDecodeError('VARUINT_EMPTY', 2, 'x');
    expect(isStreamDecodeError(error)).toBe(true);
    expect(isStreamDecodeError(error, 'VARUINT_EMPTY')).toBe(true);
    expect(isStreamDecodeError(error, 'TRUNCATED')).toBe(false);
    // A copy from another bundle of this package has the same name and code but another class.
    expect(isStreamDecodeError(Object.assign(new Error('x'), { name: 'StreamDecodeError', code: 'TRUNCATED' }))).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('TRUNCATED')],
    ['an encode error', new StreamEncodeError('OUT_OF_RANGE', 'sequence', 'x')],
    ['the right name with an unknown code', Object.assign(new Error('x'), { name: 'StreamDecodeError', code: 'NOPE' })],
    ['null', null],
    ['a string', 'StreamDecodeError'],
  ])('isStreamDecodeError rejects %s', (_label, value) => {
    expect(isStreamDecodeError(value)).toBe(false);
  });

  it('every code in the closed set is recognised', () => {
    for (const code of STREAM_DECODE_ERROR_CODES) expect(isStreamDecodeError(new StreamDecodeError(code, 0, 'x'), code)).toBe(true);
  });
});

describe('StreamEncodeError', () => {
  it('carries name, code and the field path, and repeats code and path in its message', () => {
    const error = new StreamEncodeError('OUT_OF_RANGE', 'frames[2].streamId', 'must be a u64 (0..2^64-1), got -1');
    expect(error.name).toBe('StreamEncodeError');
    expect(error.code).toBe('OUT_OF_RANGE');
    expect(error.field).toBe('frames[2].streamId');
    expect(error.message).toBe('OUT_OF_RANGE: frames[2].streamId must be a u64 (0..2^64-1), got -1');
  });

  it('isStreamEncodeError checks name and code, optionally a specific code', () => {
    const error = new StreamEncodeError('INVALID_ADDRESS', 'frames[0].sourceAccount', 'x');
    expect(isStreamEncodeError(error)).toBe(true);
    expect(isStreamEncodeError(error, 'INVALID_ADDRESS')).toBe(true);
    expect(isStreamEncodeError(error, 'WRONG_TYPE')).toBe(false);
    expect(isStreamEncodeError(new StreamDecodeError('TRUNCATED', 0, 'x'))).toBe(false);
    expect(isStreamEncodeError(Object.assign(new Error('x'), { name: 'StreamEncodeError', code: 'NOPE' }))).toBe(false);
    expect(isStreamEncodeError(undefined)).toBe(false);
  });

  it('every code in the closed set is recognised', () => {
    for (const code of STREAM_ENCODE_ERROR_CODES) expect(isStreamEncodeError(new StreamEncodeError(code, 'f', 'x'), code)).toBe(true);
  });
});
