/**
 * Validation of a max packet amount, shared by the network options, the live controls and the
 * `maxPacketAmountSchedule` fault; it lives below all three so the faults need not import the
 * options that install them.
 *
 * @example
 * ```ts
 * connector.setMaxPacketAmount(resolveMaxPacketAmount(amount, 'maxPacketAmount'));
 * ```
 */
import { MAX_U64 } from '../wire/types';
import { MemoryNetworkError } from './errors';

function invalid(detail: string): MemoryNetworkError {
  return new MemoryNetworkError('INVALID_OPTION', detail);
}

/**
 * Validates a maximum packet amount (`undefined` means no limit, 2^64-1).
 *
 * @example
 * ```ts
 * resolveMaxPacketAmount('1000', 'maxPacketAmount') // 1000n
 * ```
 */
export function resolveMaxPacketAmount(value: unknown, argument: string): bigint {
  if (value === undefined) return MAX_U64;
  let amount: bigint;
  if (typeof value === 'bigint') amount = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) amount = BigInt(value);
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) amount = BigInt(value);
  else throw invalid(`${argument} must be a bigint, a safe integer or a decimal string, got ${String(value)}`);
  if (amount < 0n || amount > MAX_U64) throw invalid(`${argument} must be in 0..2^64-1, got ${amount}`);
  return amount;
}
