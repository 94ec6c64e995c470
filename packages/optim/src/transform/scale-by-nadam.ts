import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkBoolean, checkDecay, checkNonNegative, checkPositive } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface NadamOptions {
  /** Decay β₁ of the first moment, in [0, 1); 0.9 by default. */
  b1?: number;
  /** Decay β₂ of the second moment, in [0, 1); 0.999 by default. */
  b2?: number;
  /** ε > 0 added to the root; 1e-8 by default. */
  eps?: number;
  /** Momentum decay ψ ≥ 0 of the momentum schedule; 4e-3 by default. */
  momentumDecay?: number;
  /**
   * Reproduce PyTorch ≤ 1.13, whose second coefficient uses `Πₜμₜμₜ₊₁` (μₜ counted twice) where
   * the paper and torch ≥ 2.0 use `Πₜμₜ₊₁`; true by default (the project's reference is 1.13).
   */
  torch113?: boolean;
}

export interface NadamState {
  /** Number of updates done so far. */
  count: number;
  /** Product of the momentum schedule μ₁ ⋯ μₜ. */
  muProduct: number;
  /** First moment m. */
  mu: ArrayTree;
  /** Second moment v. */
  nu: ArrayTree;
}

/**
 * NAdam's scaling (Dozat, 2016), as torch.optim.NAdam: at step t = 1, 2, …
 * `μₜ = β₁(1 − ½·0.96^(tψ))`, `Πₜ = Πₜ₋₁μₜ`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
 * `s = √(v / (1 − β₂ᵗ)) + ε`,
 * `u = (1 − μₜ)/(1 − Πₜ) · g/s + μₜ₊₁/(1 − Π′) · m/s`, with `Π′ = Πₜμₜμₜ₊₁` as computed by
 * PyTorch 1.13 (default) or `Π′ = Πₜμₜ₊₁` as in the paper and torch ≥ 2.0 (`torch113: false`).
 */
export function scaleByNadam(options: NadamOptions = {}): GradientTransformation<NadamState> {
  const fn = 'scaleByNadam';
  const b1 = checkDecay(fn, 'b1', options.b1 ?? 0.9);
  const b2 = checkDecay(fn, 'b2', options.b2 ?? 0.999);
  const eps = checkPositive(fn, 'eps', options.eps ?? 1e-8);
  const psi = checkNonNegative(fn, 'momentumDecay', options.momentumDecay ?? 4e-3);
  const torch113 = checkBoolean(fn, 'torch113', options.torch113 ?? true);
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  return {
    init: (params) => ({ count: 0, muProduct: 1, mu: fullLike(params, 0), nu: fullLike(params, 0) }),
    update(grads, state) {
      const t = state.count + 1;
      const bc2 = 1 - b2 ** t;
      const muT = b1 * (1 - 0.5 * 0.96 ** (t * psi));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
      const muProduct = state.muProduct * muT;
      const cg = (1 - muT) / (1 - muProduct);
      const cm = muNext / (1 - (torch113 ? muProduct * muT * muNext : muProduct * muNext));
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
          const s = Math.sqrt(vi / bc2) + eps;
          m[i] = mi;
          v[i] = vi;
          u[i] = (cg * gi) / s + (cm * mi) / s;
        }
        mu[key] = m;
        nu[key] = v;
        updates[key] = u;
      }
      return [updates, { count: t, muProduct, mu, nu }];
    },
  };
}
