import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkInteger } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface AccumulateGradientsState<S> {
  /** Gradients received since the last inner step, 0 … k − 1. */
  count: number;
  /** Their running sum Σ g. */
  sum: ArrayTree;
  /** The wrapped transformation's state (advances only on every k-th call). */
  inner: S;
}

/**
 * Gradient accumulation over k calls (optax's `MultiSteps`): the updates are zero on k − 1 calls
 * out of k; on every k-th call the mean `ḡ = (g₁ + … + g_k) / k` goes through `inner`, whose
 * updates are returned and whose state advances once. With k = 1 it behaves as `inner`.
 */
export function accumulateGradients<S>(
  k: number,
  inner: GradientTransformation<S>,
): GradientTransformation<AccumulateGradientsState<S>> {
  const fn = 'accumulateGradients';
  checkInteger(fn, 'k', k, 1);
  return {
    init: (params) => ({ count: 0, sum: fullLike(params, 0), inner: inner.init(params) }),
    update(grads, state, params) {
      const last = state.count + 1 === k;
      const sum: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const s0 = leaf(fn, state.sum, 'state.sum', key, g.length);
        const s = emptyLike(s0);
        if (last) for (let i = 0; i < g.length; i++) s[i] = (s0[i]! + g[i]!) / k;
        else for (let i = 0; i < g.length; i++) s[i] = s0[i]! + g[i]!;
        sum[key] = s;
      }
      if (!last) return [fullLike(grads, 0), { count: state.count + 1, sum, inner: state.inner }];
      const [updates, innerState] = inner.update(sum, state.inner, params);
      return [updates, { count: 0, sum: fullLike(grads, 0), inner: innerState }];
    },
  };
}
