import type { Schedule } from '../types.js';
import { checkNonNegative, checkStep } from './validate.js';

/** A constant learning rate: `η_t = lr` for every step `t`. */
export function constantSchedule(lr: number): Schedule {
  checkNonNegative('constantSchedule', 'lr', lr);
  return (step) => {
    checkStep('constantSchedule', step);
    return lr;
  };
}
