import type { GradientTransformation, LearningRate } from '../types.js';
import { checkLearningRate, learningRateAt } from '../validate.js';
import { scaleTree } from './util.js';

export interface ScaleByLearningRateState {
  /** Number of updates done so far; the schedule is evaluated at this 0-based step. */
  count: number;
}

/**
 * The descent step: `u = −η(t) · g`, where `η` is a constant or a schedule evaluated at the 0-based
 * step `t` kept in the state. A schedule's value is checked (finite, ≥ 0) at every step.
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<ScaleByLearningRateState> {
  checkLearningRate('scaleByLearningRate', 'lr', lr);
  return {
    init: () => ({ count: 0 }),
    update(grads, state) {
      const eta = learningRateAt('scaleByLearningRate', lr, state.count);
      return [scaleTree(grads, -eta), { count: state.count + 1 }];
    },
  };
}
