import { runInNewContext } from 'node:vm';
import { isStreamEncodeError, type StreamEncodeError } from '../../lib/wire/errors';
import {
  addressFieldSize,
  bytesFieldSize,
  checkU8Field,
  describeValue,
  fieldPath,
  isUint8Array,
  LONE_FRAME,
  PACKET_FIELD,
  u64FieldSize,
  utf8FieldSize,
} from '../../lib/wire/field-checks';
import { MAX_U64 } from '../../lib/wire/types';

function thrown(check: () => unknown): StreamEncodeError {
  try {
    check();
  } catch (error) {
    if (isStreamEncodeError(error)) return error;
    throw error;
  }
  throw new Error('expected a StreamEncodeError');
}

describe('field-checks', () => {
  it('fieldPath names packet fields, lone frames and frames in a packet', () => {
    expect(fieldPath(PACKET_FIELD, 'sequence')).toBe('sequence');
    expect(fieldPath(LONE_FRAME, 'streamId')).toBe('frame.streamId');
    expect(fieldPath(2, 'streamId')).toBe('frames[2].streamId');
    expect(fieldPath(2, '')).toBe('frames[2]');
  });

  it('u64FieldSize accepts 0..2^64-1 and returns the VarUInt size', () => {
    expect(u64FieldSize(0n, 0, 'shares')).toBe(2);
    expect(u64FieldSize(MAX_U64, 0, 'shares')).toBe(9);
  });

  it('u64FieldSize names the field for a number, a negative and an over-wide bigint', () => {
    expect(thrown(() => u64FieldSize(5, 1, 'shares'))).toMatchObject({ code: 'WRONG_TYPE', field: 'frames[1].shares' });
    expect(thrown(() => u64FieldSize(-1n, 1, 'shares'))).toMatchObject({ code: 'OUT_OF_RANGE', field: 'frames[1].shares' });
    expect(thrown(() => u64FieldSize(MAX_U64 + 1n, PACKET_FIELD, 'sequence'))).toMatchObject({ code: 'OUT_OF_RANGE', field: 'sequence' });
    expect(thrown(() => u64FieldSize(undefined, LONE_FRAME, 'offset'))).toMatchObject({ code: 'WRONG_TYPE', field: 'frame.offset' });
  });

  it('checkU8Field accepts integers 0..255 only', () => {
    expect(() => checkU8Field(0, 0, 'errorCode')).not.toThrow();
    expect(() => checkU8Field(255, 0, 'errorCode')).not.toThrow();
    expect(thrown(() => checkU8Field(256, 0, 'errorCode'))).toMatchObject({ code: 'OUT_OF_RANGE', field: 'frames[0].errorCode' });
    expect(thrown(() => checkU8Field(-1, 0, 'errorCode')).code).toBe('OUT_OF_RANGE');
    expect(thrown(() => checkU8Field(1.5, 0, 'sourceAssetScale')).code).toBe('OUT_OF_RANGE');
    expect(thrown(() => checkU8Field(Number.NaN, 0, 'sourceAssetScale')).code).toBe('OUT_OF_RANGE');
    expect(thrown(() => checkU8Field(1n, 0, 'errorCode')).code).toBe('WRONG_TYPE');
  });

  it('utf8FieldSize measures UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8FieldSize('', 0, 'errorMessage')).toBe(1);
    expect(utf8FieldSize('€', 0, 'errorMessage')).toBe(4);
    expect(utf8FieldSize('😀', 0, 'errorMessage')).toBe(5);
    expect(utf8FieldSize('a'.repeat(128), 0, 'errorMessage')).toBe(130);
    expect(thrown(() => utf8FieldSize(Buffer.from('x'), 0, 'errorMessage')).code).toBe('WRONG_TYPE');
  });

  it('bytesFieldSize accepts Buffers and plain Uint8Arrays, nothing else', () => {
    expect(bytesFieldSize(Buffer.alloc(3), 0, 'data')).toBe(4);
    expect(bytesFieldSize(new Uint8Array(200), 0, 'data')).toBe(202);
    expect(thrown(() => bytesFieldSize('abc', 3, 'data'))).toMatchObject({ code: 'WRONG_TYPE', field: 'frames[3].data' });
    expect(thrown(() => bytesFieldSize([1, 2], 3, 'receipt'))).toMatchObject({ code: 'WRONG_TYPE', field: 'frames[3].receipt' });
  });

  it('isUint8Array recognises Uint8Arrays from another realm, and only Uint8Arrays', () => {
    const foreign: unknown = runInNewContext('new Uint8Array([1, 2, 3])');
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(isUint8Array(foreign)).toBe(true);
    expect(bytesFieldSize(foreign, 0, 'data')).toBe(4);
    expect(isUint8Array(new Uint16Array(2))).toBe(false);
    expect(isUint8Array(new Uint8ClampedArray(2))).toBe(false);
    expect(isUint8Array(new DataView(new ArrayBuffer(2)))).toBe(false);
  });

  it('addressFieldSize accepts empty or RFC 15 addresses', () => {
    expect(addressFieldSize('', 0, 'sourceAccount')).toBe(1);
    expect(addressFieldSize('example.alice', 0, 'sourceAccount')).toBe(14);
    expect(thrown(() => addressFieldSize('not an address', 0, 'sourceAccount'))).toMatchObject({
      code: 'INVALID_ADDRESS',
      field: 'frames[0].sourceAccount',
    });
    expect(thrown(() => addressFieldSize(`g.${'a'.repeat(1022)}`, 0, 'sourceAccount')).message).toContain('1024 characters long');
    expect(thrown(() => addressFieldSize(null, 0, 'sourceAccount')).code).toBe('WRONG_TYPE');
  });

  it('describe summarises values for messages', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(1)).toBe('number 1');
    expect(describeValue(1n)).toBe('bigint 1');
    expect(describeValue('x')).toBe('string "x"');
    expect(describeValue('y'.repeat(50))).toBe(`string "${'y'.repeat(40)}..."`);
    expect(describeValue([])).toBe('an array');
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue(Object.create(null))).toBe('object');
    expect(describeValue(undefined)).toBe('undefined');
  });
});
