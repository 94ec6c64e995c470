import type { Schedule } from '../types.js';
import { check, checkInteger, checkNonNegative, checkStep } from './validate.js';

/**
 * Linear warm-up in front of a schedule. For the first `warmupSteps` steps the rate ramps
 * linearly from `startFactor · schedule(0)` towards `schedule(0)`; afterwards the wrapped schedule
 * runs from its own step 0 (shifted, as in optax's `join_schedules` and Hugging Face's
 * `get_*_schedule_with_warmup`):
 * `η_t = schedule(0) · (f + (1 − f) · t / W)` for `t < W`, else `schedule(t − W)`.
 * `startFactor` defaults to 0 (the first step then uses a rate of 0).
 */
export function linearWarmup(schedule: Schedule, warmupSteps: number, startFactor = 0): Schedule {
  const fn = 'linearWarmup';
  check(typeof schedule === 'function', fn, 'schedule', 'a function', schedule);
  checkInteger(fn, 'warmupSteps', warmupSteps, 0);
  checkNonNegative(fn, 'startFactor', startFactor);
  return (step) => {
    checkStep(fn, step);
    if (step >= warmupSteps) return schedule(step - warmupSteps);
    return schedule(0) * (startFactor + ((1 - startFactor) * step) / warmupSteps);
  };
}
