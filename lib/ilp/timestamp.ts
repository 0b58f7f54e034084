/**
 * The Interledger timestamp (RFC 27 §ILP Prepare, ASN.1 InterledgerTypes): 17 ASCII digits
 * `YYYYMMDDHHmmSSfff` in UTC, written straight into the packet buffer without building a string.
 *
 * @example
 * ```ts
 * writeTimestamp(buf, 9, new Date('2018-06-07T20:48:42.483Z')) // "20180607204842483"
 * ```
 */
import { IlpArgumentError, IlpPacketError } from './errors';
import { describe } from './oer';

/** Bytes an Interledger timestamp takes. */
export const TIMESTAMP_LENGTH = 17;

const ZERO = 0x30;
// Date.UTC reads years 0..99 as 1900..1999; 400 Gregorian years are exactly this many ms.
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

function writeDigits(buf: Buffer, offset: number, value: number, width: number): void {
  for (let i = offset + width - 1; i >= offset; i--) {
    buf[i] = ZERO + (value % 10);
    value = Math.floor(value / 10);
  }
}

function readDigits(buf: Buffer, offset: number, width: number): number {
  let value = 0;
  for (let i = offset; i < offset + width; i++) {
    const digit = (buf[i] as number) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Checks that `value` is a valid Date whose UTC year is 0..9999, the range 17 digits can carry.
 *
 * @example
 * ```ts
 * requireTimestamp(prepare.expiresAt, 'prepare.expiresAt');
 * ```
 */
export function requireTimestamp(value: unknown, argument: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new IlpArgumentError(argument, `must be a valid Date, got ${describe(value)}`);
  }
  const year = value.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new IlpArgumentError(argument, `must be in the years 0000..9999 UTC, got year ${year}`);
  }
  return value;
}

/**
 * Writes `date` as 17 ASCII digits at `offset`. The date must have passed {@link requireTimestamp}.
 *
 * @example
 * ```ts
 * writeTimestamp(buf, 0, new Date(0)) // "19700101000000000"
 * ```
 */
export function writeTimestamp(buf: Buffer, offset: number, date: Date): void {
  writeDigits(buf, offset, date.getUTCFullYear(), 4);
  writeDigits(buf, offset + 4, date.getUTCMonth() + 1, 2);
  writeDigits(buf, offset + 6, date.getUTCDate(), 2);
  writeDigits(buf, offset + 8, date.getUTCHours(), 2);
  writeDigits(buf, offset + 10, date.getUTCMinutes(), 2);
  writeDigits(buf, offset + 12, date.getUTCSeconds(), 2);
  writeDigits(buf, offset + 14, date.getUTCMilliseconds(), 3);
}

/**
 * Reads 17 ASCII digits at `offset` as a UTC time in ms since the epoch. Anything that is not a
 * real calendar time (non-digits, month 13, 31 April, 25 o'clock, second 60) throws
 * {@link IlpPacketError} `INVALID_PACKET`.
 *
 * @example
 * ```ts
 * readTimestamp(Buffer.from('20180607204842483'), 0) // 1528404522483
 * ```
 */
export function readTimestamp(buf: Buffer, offset: number): number {
  const year = readDigits(buf, offset, 4);
  const month = readDigits(buf, offset + 4, 2);
  const day = readDigits(buf, offset + 6, 2);
  const hour = readDigits(buf, offset + 8, 2);
  const minute = readDigits(buf, offset + 10, 2);
  const second = readDigits(buf, offset + 12, 2);
  const millis = readDigits(buf, offset + 14, 3);
  const valid =
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    millis >= 0;
  if (!valid) {
    const text = buf.toString('latin1', offset, offset + TIMESTAMP_LENGTH);
    throw new IlpPacketError('INVALID_PACKET', `expiresAt ${JSON.stringify(text)} is not a valid UTC time`);
  }
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - FOUR_CENTURIES_MS;
}
