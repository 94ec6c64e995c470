import type { Schedule } from '../types.js';
import { checkInteger, checkNonNegative, checkPositive, checkStep } from './validate.js';

/** Options of {@link stepLR}. */
export interface StepLROptions {
  /** Decay the rate every `stepSize` steps (≥ 1). */
  stepSize: number;
  /** Multiplicative decay. Default 0.1 (PyTorch's). */
  gamma?: number;
}

/**
 * `torch.optim.lr_scheduler.StepLR`, the lectures' "halve the learning rate on a fixed schedule":
 * `η_t = η₀ · γ^⌊t / stepSize⌋`.
 */
export function stepLR(baseLr: number, { stepSize, gamma = 0.1 }: StepLROptions): Schedule {
  const fn = 'stepLR';
  checkNonNegative(fn, 'baseLr', baseLr);
  checkInteger(fn, 'stepSize', stepSize, 1);
  checkPositive(fn, 'gamma', gamma);
  return (step) => {
    checkStep(fn, step);
    return baseLr * gamma ** Math.floor(step / stepSize);
  };
}
