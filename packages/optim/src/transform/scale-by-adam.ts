import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkBoolean, checkDecay, checkEps } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface AdamOptions {
  /** Decay β₁ of the first moment, in [0, 1); 0.9 by default. */
  b1?: number;
  /** Decay β₂ of the second moment, in [0, 1); 0.999 by default. */
  b2?: number;
  /** ε ≥ 0 added to the root, outside it: `√v + ε`; 1e-8 by default (may be 0 only when `epsRoot` > 0). */
  eps?: number;
  /** ε ≥ 0 added under the root, `√(v + ε)` (optax's `eps_root`; lectures 003 and 004); 0 by default. */
  epsRoot?: number;
  /** Divide m and v by 1 − β₁ᵗ and 1 − β₂ᵗ (Kingma & Ba; torch); true by default. Lectures 000 and 003 leave it out. */
  biasCorrection?: boolean;
  /** AMSGrad: divide by the running maximum of v (Reddi et al., 2018); false by default. */
  amsgrad?: boolean;
}

export interface AdamState {
  /** Number of updates done so far. */
  count: number;
  /** First moment m. */
  mu: ArrayTree;
  /** Second moment v. */
  nu: ArrayTree;
  /** Running maximum of v (AMSGrad only, else null). */
  nuMax: ArrayTree | null;
}

/**
 * Adam's scaling (Kingma & Ba, 2015), with PyTorch's arithmetic: at step t = 1, 2, …
 * `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²` (AMSGrad: `v̂ ← max(v̂, v)` is used below),
 * `u = (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)`. Followed by `scaleByLearningRate(η)` it is
 * torch's step `p ← p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`; η is a plain factor, so it
 * stays a separate transformation (the two orders differ only in rounding).
 * With `epsRoot` ε′ the denominator is `√(v/(1 − β₂ᵗ) + ε′) + ε`; without `biasCorrection` the
 * factors 1 − β₁ᵗ and 1 − β₂ᵗ are 1 (see `adam`'s `form` for the lectures' versions).
 */
export function scaleByAdam(options: AdamOptions = {}): GradientTransformation<AdamState> {
  const fn = 'scaleByAdam';
  const b1 = checkDecay(fn, 'b1', options.b1 ?? 0.9);
  const b2 = checkDecay(fn, 'b2', options.b2 ?? 0.999);
  const [eps, epsRoot] = checkEps(fn, options.eps ?? 1e-8, options.epsRoot ?? 0);
  const amsgrad = checkBoolean(fn, 'amsgrad', options.amsgrad ?? false);
  const biasCorrection = checkBoolean(fn, 'biasCorrection', options.biasCorrection ?? true);
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  /** m̂ / (√v̂ + ε), in torch's grouping when there is no ε under the root (the fixtures are bit-exact). */
  const scaled = (m: number, v: number, bc1: number, bc2Sqrt: number): number =>
    epsRoot === 0 ? m / bc1 / (Math.sqrt(v) / bc2Sqrt + eps) : m / bc1 / (Math.sqrt(v / (bc2Sqrt * bc2Sqrt) + epsRoot) + eps);
  return {
    init: (params) => ({
      count: 0,
      mu: fullLike(params, 0),
      nu: fullLike(params, 0),
      nuMax: amsgrad ? fullLike(params, 0) : null,
    }),
    update(grads, state) {
      const t = state.count + 1;
      const bc1 = biasCorrection ? 1 - b1 ** t : 1;
      const bc2Sqrt = biasCorrection ? Math.sqrt(1 - b2 ** t) : 1;
      const updates: ArrayTree = {};
      const mu: ArrayTree = {};
      const nu: ArrayTree = {};
      const nuMax: ArrayTree | null = amsgrad ? {} : null;
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const m0 = leaf(fn, state.mu, 'state.mu', key, g.length);
        const v0 = leaf(fn, state.nu, 'state.nu', key, g.length);
        const m = emptyLike(m0);
        const v = emptyLike(v0);
        const u = emptyLike(g);
        if (nuMax === null) {
          for (let i = 0; i < g.length; i++) {
            const gi = g[i]!;
            const mi = b1 * m0[i]! + c1 * gi;
            const vi = b2 * v0[i]! + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            u[i] = scaled(mi, vi, bc1, bc2Sqrt);
          }
        } else {
          const w0 = leaf(fn, state.nuMax ?? {}, 'state.nuMax', key, g.length);
          const w = emptyLike(w0);
          for (let i = 0; i < g.length; i++) {
            const gi = g[i]!;
            const mi = b1 * m0[i]! + c1 * gi;
            const vi = b2 * v0[i]! + c2 * gi * gi;
            const wi = Math.max(w0[i]!, vi);
            m[i] = mi;
            v[i] = vi;
            w[i] = wi;
            u[i] = scaled(mi, wi, bc1, bc2Sqrt);
          }
          nuMax[key] = w;
        }
        mu[key] = m;
        nu[key] = v;
        updates[key] = u;
      }
      return [updates, { count: t, mu, nu, nuMax }];
    },
  };
}
