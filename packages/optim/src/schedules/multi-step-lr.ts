import type { Schedule } from '../types.js';
import { check, checkNonNegative, checkPositive, checkStep } from './validate.js';

/** Options of {@link multiStepLR}. */
export interface MultiStepLROptions {
  /** Non-decreasing integer steps (≥ 1) at which the rate is multiplied by γ; repeats count twice. */
  milestones: readonly number[];
  /** Multiplicative decay. Default 0.1 (PyTorch's). */
  gamma?: number;
}

/**
 * `torch.optim.lr_scheduler.MultiStepLR`: `η_t = η₀ · γ^{#{m ∈ milestones : m ≤ t}}`.
 */
export function multiStepLR(baseLr: number, { milestones, gamma = 0.1 }: MultiStepLROptions): Schedule {
  const fn = 'multiStepLR';
  checkNonNegative(fn, 'baseLr', baseLr);
  checkPositive(fn, 'gamma', gamma);
  const ok = milestones.every((m, i) => Number.isInteger(m) && m >= 1 && (i === 0 || m >= milestones[i - 1]));
  check(ok, fn, 'milestones', 'non-decreasing integers >= 1', milestones);
  const sorted = [...milestones];
  return (step) => {
    checkStep(fn, step);
    let passed = 0;
    while (passed < sorted.length && sorted[passed] <= step) passed++;
    return baseLr * gamma ** passed;
  };
}
