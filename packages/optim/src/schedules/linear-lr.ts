import type { Schedule } from '../types.js';
import { check, checkInteger, checkNonNegative, checkStep } from './validate.js';

/** Options of {@link linearLR}, with PyTorch's defaults. */
export interface LinearLROptions {
  /** Multiplier of the base rate at step 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Multiplier from step `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Steps over which the multiplier moves linearly (≥ 1). Default 5. */
  totalIters?: number;
}

/**
 * `torch.optim.lr_scheduler.LinearLR`: the multiplier moves linearly from `startFactor` to
 * `endFactor` over `totalIters` steps, then stays:
 * `η_t = η₀ · (s + (e − s) · min(t, T) / T)`.
 * Torch computes the same values recursively (each step multiplies the previous rate); the closed
 * form here agrees to rounding (≈ 1e-16 relative).
 */
export function linearLR(baseLr: number, options: LinearLROptions = {}): Schedule {
  const fn = 'linearLR';
  const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
  checkNonNegative(fn, 'baseLr', baseLr);
  check(startFactor > 0 && startFactor <= 1, fn, 'startFactor', 'in (0, 1]', startFactor);
  check(endFactor >= 0 && endFactor <= 1, fn, 'endFactor', 'in [0, 1]', endFactor);
  checkInteger(fn, 'totalIters', totalIters, 1);
  return (step) => {
    checkStep(fn, step);
    const factor = startFactor + ((endFactor - startFactor) * Math.min(step, totalIters)) / totalIters;
    return baseLr * factor;
  };
}
