import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkDecay, checkPositive } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface AdadeltaOptions {
  /** Decay ρ of both running averages, in [0, 1); 0.9 by default. */
  rho?: number;
  /** ε > 0 inside both roots; 1e-6 by default. */
  eps?: number;
}

export interface AdadeltaState {
  /** Running average of squared gradients E[g²]. */
  squareAvg: ArrayTree;
  /** Running average of squared steps E[Δ²]. */
  accDelta: ArrayTree;
}

/**
 * AdaDelta's scaling (Zeiler, 2012), as torch.optim.Adadelta:
 * `E[g²] ← ρE[g²] + (1 − ρ)g²`, `Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g`,
 * `E[Δ²] ← ρE[Δ²] + (1 − ρ)Δ²`, `u = Δ` (torch then scales by its lr, 1 by default).
 */
export function scaleByAdadelta(options: AdadeltaOptions = {}): GradientTransformation<AdadeltaState> {
  const fn = 'scaleByAdadelta';
  const rho = checkDecay(fn, 'rho', options.rho ?? 0.9);
  const eps = checkPositive(fn, 'eps', options.eps ?? 1e-6);
  const c = 1 - rho;
  return {
    init: (params) => ({ squareAvg: fullLike(params, 0), accDelta: fullLike(params, 0) }),
    update(grads, state) {
      const updates: ArrayTree = {};
      const squareAvg: ArrayTree = {};
      const accDelta: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const s0 = leaf(fn, state.squareAvg, 'state.squareAvg', key, g.length);
        const a0 = leaf(fn, state.accDelta, 'state.accDelta', key, g.length);
        const s = emptyLike(s0);
        const a = emptyLike(a0);
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const gi = g[i]!;
          const si = rho * s0[i]! + c * gi * gi;
          const d = (Math.sqrt(a0[i]! + eps) / Math.sqrt(si + eps)) * gi;
          s[i] = si;
          a[i] = rho * a0[i]! + c * d * d;
          u[i] = d;
        }
        squareAvg[key] = s;
        accDelta[key] = a;
        updates[key] = u;
      }
      return [updates, { squareAvg, accDelta }];
    },
  };
}
