import type { Schedule } from '../types.js';
import { checkInteger, checkNonNegative, checkStep } from './validate.js';

/** Options of {@link linearSchedule}. */
export interface LinearScheduleOptions {
  /** Learning rate at step 0. */
  init: number;
  /** Learning rate from step `steps` on. */
  end: number;
  /** Number of steps of the transition (≥ 1). */
  steps: number;
}

/**
 * Linear interpolation from `init` to `end` over `steps` steps, then constant (the lectures'
 * "linear decrease from α₀ to α_f"; optax `linear_schedule`):
 * `η_t = init + (end − init) · min(t, steps) / steps`.
 */
export function linearSchedule({ init, end, steps }: LinearScheduleOptions): Schedule {
  const fn = 'linearSchedule';
  checkNonNegative(fn, 'init', init);
  checkNonNegative(fn, 'end', end);
  checkInteger(fn, 'steps', steps, 1);
  return (step) => {
    checkStep(fn, step);
    return init + ((end - init) * Math.min(step, steps)) / steps;
  };
}
