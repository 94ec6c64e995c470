import { globalNorm } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkPositive } from '../validate.js';
import type { EmptyState } from './identity.js';
import { scaleTree } from './util.js';

/**
 * Rescales the whole gradient tree when its global norm exceeds `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: `‖g‖ = √(Σ g²)`, `c = min(1, maxNorm / (‖g‖ + 10⁻⁶))`,
 * `u = c · g`.
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  const max = checkPositive('clipByGlobalNorm', 'maxNorm', maxNorm);
  return {
    init: () => ({}),
    update(grads, state) {
      const coef = max / (globalNorm(grads) + 1e-6);
      return [scaleTree(grads, coef < 1 ? coef : 1), state];
    },
  };
}
