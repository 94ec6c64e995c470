import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkNonNegative } from '../validate.js';
import type { EmptyState } from './identity.js';
import { emptyLike, leaf, needParams } from './util.js';

/**
 * Adds weight decay to the incoming updates: `u = g + λ · p`.
 *
 * Where it sits in a chain decides which weight decay it is:
 * - *before* the scaling (`chain(addDecayedWeights(λ), scaleByAdam(), scaleByLearningRate(η))`) it
 *   is the L2 penalty `½λ‖p‖²` coupled to the gradient, as `weight_decay` in torch's SGD and Adam;
 * - *after* the scaling and before the learning rate
 *   (`chain(scaleByAdam(), addDecayedWeights(λ), scaleByLearningRate(η))`) it is decoupled weight
 *   decay (Loshchilov & Hutter, 2019): `p ← p − η(t)·(adam + λp) = p·(1 − η(t)λ) − η(t)·adam`,
 *   torch's AdamW step, with the same `η(t)` for both terms even when `η` is a schedule.
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<EmptyState> {
  const lambda = checkNonNegative('addDecayedWeights', 'weightDecay', weightDecay);
  return {
    init: () => ({}),
    update(grads, state, params) {
      const p = needParams('addDecayedWeights', params);
      const out: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const w = leaf('addDecayedWeights', p, 'params', key, g.length);
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) u[i] = g[i]! + lambda * w[i]!;
        out[key] = u;
      }
      return [out, state];
    },
  };
}
