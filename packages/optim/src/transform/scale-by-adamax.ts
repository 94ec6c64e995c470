import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkDecay, checkPositive } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface AdamaxOptions {
  /** Decay β₁ of the first moment, in [0, 1); 0.9 by default. */
  b1?: number;
  /** Decay β₂ of the infinity norm, in [0, 1); 0.999 by default. */
  b2?: number;
  /** ε > 0 added to |g|; 1e-8 by default. */
  eps?: number;
}

export interface AdamaxState {
  /** Number of updates done so far. */
  count: number;
  /** First moment m. */
  mu: ArrayTree;
  /** Exponentially weighted infinity norm u. */
  nuInf: ArrayTree;
}

/**
 * Adamax's scaling (Kingma & Ba, 2015, §7.1), as torch.optim.Adamax: at step t = 1, 2, …
 * `m ← β₁m + (1 − β₁)g`, `n ← max(β₂n, |g| + ε)`, `u = m / (1 − β₁ᵗ) / n`.
 */
export function scaleByAdamax(options: AdamaxOptions = {}): GradientTransformation<AdamaxState> {
  const fn = 'scaleByAdamax';
  const b1 = checkDecay(fn, 'b1', options.b1 ?? 0.9);
  const b2 = checkDecay(fn, 'b2', options.b2 ?? 0.999);
  const eps = checkPositive(fn, 'eps', options.eps ?? 1e-8);
  const c1 = 1 - b1;
  return {
    init: (params) => ({ count: 0, mu: fullLike(params, 0), nuInf: fullLike(params, 0) }),
    update(grads, state) {
      const t = state.count + 1;
      const bc1 = 1 - b1 ** t;
      const updates: ArrayTree = {};
      const mu: ArrayTree = {};
      const nuInf: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const m0 = leaf(fn, state.mu, 'state.mu', key, g.length);
        const n0 = leaf(fn, state.nuInf, 'state.nuInf', key, g.length);
        const m = emptyLike(m0);
        const n = emptyLike(n0);
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const gi = g[i]!;
          const mi = b1 * m0[i]! + c1 * gi;
          const ni = Math.max(b2 * n0[i]!, Math.abs(gi) + eps);
          m[i] = mi;
          n[i] = ni;
          u[i] = mi / bc1 / ni;
        }
        mu[key] = m;
        nuInf[key] = n;
        updates[key] = u;
      }
      return [updates, { count: t, mu, nuInf }];
    },
  };
}
