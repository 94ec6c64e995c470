import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkNonNegative } from '../validate.js';
import type { EmptyState } from './identity.js';
import { emptyLike } from './util.js';

/**
 * Clips every gradient entry to `[−c, c]`: `u = min(max(g, −c), c)`, as
 * `torch.nn.utils.clip_grad_value_`. NaN stays NaN.
 */
export function clipByValue(clipValue: number): GradientTransformation<EmptyState> {
  const c = checkNonNegative('clipByValue', 'clipValue', clipValue);
  return {
    init: () => ({}),
    update(grads, state) {
      const out: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const x = g[i]!;
          u[i] = x > c ? c : x < -c ? -c : x;
        }
        out[key] = u;
      }
      return [out, state];
    },
  };
}
