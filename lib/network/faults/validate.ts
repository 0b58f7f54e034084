/**
 * Validation of the fault options (`faults`, `seed`) that the network options, the live controls
 * and `withFaults` all accept; next to the fault shapes rather than in the stage, so validating
 * options does not pull in the machinery that runs them.
 *
 * @example
 * ```ts
 * const faults = validateFaults(options.faults ?? [], 'faults');
 * const seed = validateSeed(options.seed ?? 0, 'seed');
 * ```
 */
import { MemoryNetworkError } from '../errors';
import type { Fault } from './types';

/**
 * Throws {@link MemoryNetworkError} `INVALID_OPTION` unless `faults` is an array of functions.
 *
 * @example
 * ```ts
 * validateFaults(options.faults, 'faults');
 * ```
 */
export function validateFaults(faults: unknown, argument: string): readonly Fault[] {
  if (!Array.isArray(faults)) throw new MemoryNetworkError('INVALID_OPTION', `${argument} must be an array of faults`);
  faults.forEach((fault: unknown, i) => {
    if (typeof fault !== 'function') throw new MemoryNetworkError('INVALID_OPTION', `${argument}[${i}] must be a fault (a function), got ${typeof fault}`);
  });
  return faults as readonly Fault[];
}

/**
 * Validates a seed: a safe integer (folded to 32 bits by `seededRandom`).
 *
 * @example
 * ```ts
 * validateSeed(options.seed ?? 0, 'seed');
 * ```
 */
export function validateSeed(seed: unknown, argument: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new MemoryNetworkError('INVALID_OPTION', `${argument} must be a safe integer, got ${String(seed)}`);
  return seed;
}
