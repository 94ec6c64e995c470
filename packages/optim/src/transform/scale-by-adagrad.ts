import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkNonNegative, checkPositive } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface AdagradOptions {
  /** Learning-rate decay κ ≥ 0 (torch `lr_decay`); 0 by default. */
  lrDecay?: number;
  /** Initial value of the accumulator, ≥ 0; 0 by default. */
  initialAccumulatorValue?: number;
  /** ε > 0 added to the root; 1e-10 by default. */
  eps?: number;
}

export interface AdagradState {
  /** Number of updates done so far. */
  count: number;
  /** The running sum of squared gradients r. */
  sum: ArrayTree;
}

/**
 * AdaGrad's scaling (Duchi et al., 2011), as torch.optim.Adagrad: at step t = 1, 2, …
 * `r ← r + g²`, `u = g / (√r + ε) / (1 + (t − 1)κ)`. Followed by `scaleByLearningRate(η)` this is
 * torch's `p ← p − clr · g / (√r + ε)` with `clr = η / (1 + (t − 1)κ)`: the lr decay is a factor
 * that does not depend on η, so it lives here and η stays a separate transformation.
 */
export function scaleByAdagrad(options: AdagradOptions = {}): GradientTransformation<AdagradState> {
  const fn = 'scaleByAdagrad';
  const lrDecay = checkNonNegative(fn, 'lrDecay', options.lrDecay ?? 0);
  const init0 = checkNonNegative(fn, 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0);
  const eps = checkPositive(fn, 'eps', options.eps ?? 1e-10);
  return {
    init: (params) => ({ count: 0, sum: fullLike(params, init0) }),
    update(grads, state) {
      const t = state.count + 1;
      const decay = 1 + (t - 1) * lrDecay;
      const updates: ArrayTree = {};
      const sum: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const r0 = leaf(fn, state.sum, 'state.sum', key, g.length);
        const r = emptyLike(r0);
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const gi = g[i]!;
          const ri = r0[i]! + gi * gi;
          r[i] = ri;
          u[i] = gi / (Math.sqrt(ri) + eps) / decay;
        }
        sum[key] = r;
        updates[key] = u;
      }
      return [updates, { count: t, sum }];
    },
  };
}
