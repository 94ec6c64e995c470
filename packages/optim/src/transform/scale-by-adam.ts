import type { ArrayTree, FloatArray } from '@actorgrad/core';
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
 * The arithmetic is the leaves' dtype, as torch computes on its tensors: float64 leaves in float64,
 * float32 leaves in float32 (the hyper-parameters rounded to float32, every operation rounded).
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
        if (u instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array) {
          const w0 = nuMax === null ? null : leaf(fn, state.nuMax ?? {}, 'state.nuMax', key, g.length);
          const w = w0 === null ? null : emptyLike(w0);
          update32({ b1, c1, b2, c2, eps, epsRoot, bc1, bc2Sqrt }, g, m0, v0, w0, m, v, w, u);
          if (nuMax !== null) nuMax[key] = w!;
        } else if (nuMax === null) {
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

/**
 * The moments and update of float32 leaves in float32, as torch computes on float32 tensors: the
 * hyper-parameters rounded to float32, every operation rounded to float32 (`Math.fround` of the
 * float64 operation: for +, −, ×, ÷, √ of float32 operands, the float32 result exactly). The same
 * bits as core's `kernels.adamUpdate` (the runtime's fused step). w0/w: AMSGrad's running maximum.
 */
function update32(
  k: { b1: number; c1: number; b2: number; c2: number; eps: number; epsRoot: number; bc1: number; bc2Sqrt: number },
  g: FloatArray,
  m0: FloatArray,
  v0: FloatArray,
  w0: FloatArray | null,
  m: FloatArray,
  v: FloatArray,
  w: FloatArray | null,
  u: FloatArray,
): void {
  const f = Math.fround;
  const [b1, c1, b2, c2, eps, epsRoot, bc1, bc2Sqrt] = [f(k.b1), f(k.c1), f(k.b2), f(k.c2), f(k.eps), f(k.epsRoot), f(k.bc1), f(k.bc2Sqrt)];
  const bc2 = f(bc2Sqrt * bc2Sqrt);
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]!;
    const mi = f(f(b1 * m0[i]!) + f(c1 * gi));
    const vi = f(f(b2 * v0[i]!) + f(f(c2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (w0 !== null && w !== null) {
      vHat = Math.max(w0[i]!, vi);
      w[i] = vHat;
    }
    const root = k.epsRoot === 0 ? f(f(Math.sqrt(vHat)) / bc2Sqrt) : f(Math.sqrt(f(f(vHat / bc2) + epsRoot)));
    u[i] = f(f(mi / bc1) / f(root + eps));
  }
}
