import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkDecay, checkPositive } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface RadamOptions {
  /** Decay β₁ of the first moment, in [0, 1); 0.9 by default. */
  b1?: number;
  /** Decay β₂ of the second moment, in [0, 1); 0.999 by default. */
  b2?: number;
  /** ε > 0 added to the root; 1e-8 by default. */
  eps?: number;
}

export interface RadamState {
  /** Number of updates done so far. */
  count: number;
  /** First moment m. */
  mu: ArrayTree;
  /** Second moment v. */
  nu: ArrayTree;
}

/**
 * Rectified Adam's scaling (Liu et al., 2020), as torch.optim.RAdam: at step t = 1, 2, …
 * `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`, `m̂ = m / (1 − β₁ᵗ)`,
 * `ρ∞ = 2/(1 − β₂) − 1`, `ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)`; if `ρₜ > 5`:
 * `r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))`, `u = m̂ · √(1 − β₂ᵗ)/(√v + ε) · r`;
 * otherwise `u = m̂` (un-adapted momentum step). The rectification does not involve η, which stays
 * a separate `scaleByLearningRate`.
 */
export function scaleByRadam(options: RadamOptions = {}): GradientTransformation<RadamState> {
  const fn = 'scaleByRadam';
  const b1 = checkDecay(fn, 'b1', options.b1 ?? 0.9);
  const b2 = checkDecay(fn, 'b2', options.b2 ?? 0.999);
  const eps = checkPositive(fn, 'eps', options.eps ?? 1e-8);
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const rhoInf = 2 / (1 - b2) - 1;
  return {
    init: (params) => ({ count: 0, mu: fullLike(params, 0), nu: fullLike(params, 0) }),
    update(grads, state) {
      const t = state.count + 1;
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
      const rectified = rhoT > 5;
      const rect = rectified
        ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
        : 1;
      const bc2Sqrt = Math.sqrt(bc2);
      const updates: ArrayTree = {};
      const mu: ArrayTree = {};
      const nu: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const m0 = leaf(fn, state.mu, 'state.mu', key, g.length);
        const v0 = leaf(fn, state.nu, 'state.nu', key, g.length);
        const m = emptyLike(m0);
        const v = emptyLike(v0);
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const gi = g[i]!;
          const mi = b1 * m0[i]! + c1 * gi;
          const vi = b2 * v0[i]! + c2 * gi * gi;
          m[i] = mi;
          v[i] = vi;
          const mHat = mi / bc1;
          u[i] = rectified ? mHat * (bc2Sqrt / (Math.sqrt(vi) + eps)) * rect : mHat;
        }
        mu[key] = m;
        nu[key] = v;
        updates[key] = u;
      }
      return [updates, { count: t, mu, nu }];
    },
  };
}
