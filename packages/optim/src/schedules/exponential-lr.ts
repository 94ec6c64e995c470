import type { Schedule } from '../types.js';
import { checkNonNegative, checkPositive, checkStep } from './validate.js';

/**
 * `torch.optim.lr_scheduler.ExponentialLR`: `η_t = η₀ · γ^t`. Torch multiplies step by step;
 * the power here agrees to rounding (≈ t · 1e-16 relative).
 */
export function exponentialLR(baseLr: number, gamma: number): Schedule {
  const fn = 'exponentialLR';
  checkNonNegative(fn, 'baseLr', baseLr);
  checkPositive(fn, 'gamma', gamma);
  return (step) => {
    checkStep(fn, step);
    return baseLr * gamma ** step;
  };
}
