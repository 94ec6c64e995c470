import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkBoolean, checkDecay, checkEps } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface RmsOptions {
  /** Decay α of the running averages, in [0, 1); 0.99 by default (torch's default). */
  alpha?: number;
  /** ε ≥ 0 added to the root, outside it: `√v + ε`; 1e-8 by default (may be 0 only when `epsRoot` > 0). */
  eps?: number;
  /** ε ≥ 0 added under the root, `√(v + ε)` (lectures 002 and 003); 0 by default. */
  epsRoot?: number;
  /** Centred RMSProp (divide by an estimate of the variance); false by default. */
  centered?: boolean;
  /** Momentum μ in [0, 1) applied to the scaled gradient; 0 by default. */
  momentum?: number;
}

export interface RmsState {
  /** Running average of squared gradients v. */
  squareAvg: ArrayTree;
  /** Running average of gradients ḡ (centred only, else null). */
  gradAvg: ArrayTree | null;
  /** Momentum buffer b (momentum > 0 only, else null). */
  momentumBuffer: ArrayTree | null;
}

/**
 * RMSProp's scaling (Hinton, lecture 6e), as torch.optim.RMSprop: `v ← αv + (1 − α)g²`;
 * `s = √v + ε`, or centred `ḡ ← αḡ + (1 − α)g`, `s = √(v − ḡ²) + ε` (with `epsRoot` ε′:
 * `s = √(v + ε′) + ε`, `√(v − ḡ² + ε′) + ε`); then `u = g / s`, or with
 * momentum `b ← μb + g / s`, `u = b` (b starts at 0).
 */
export function scaleByRms(options: RmsOptions = {}): GradientTransformation<RmsState> {
  const fn = 'scaleByRms';
  const alpha = checkDecay(fn, 'alpha', options.alpha ?? 0.99);
  const [eps, epsRoot] = checkEps(fn, options.eps ?? 1e-8, options.epsRoot ?? 0);
  const centered = checkBoolean(fn, 'centered', options.centered ?? false);
  const mu = checkDecay(fn, 'momentum', options.momentum ?? 0);
  const c = 1 - alpha;
  return {
    init: (params) => ({
      squareAvg: fullLike(params, 0),
      gradAvg: centered ? fullLike(params, 0) : null,
      momentumBuffer: mu > 0 ? fullLike(params, 0) : null,
    }),
    update(grads, state) {
      const updates: ArrayTree = {};
      const squareAvg: ArrayTree = {};
      const gradAvg: ArrayTree | null = centered ? {} : null;
      const momentumBuffer: ArrayTree | null = mu > 0 ? {} : null;
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const v0 = leaf(fn, state.squareAvg, 'state.squareAvg', key, g.length);
        const m0 = gradAvg ? leaf(fn, state.gradAvg ?? {}, 'state.gradAvg', key, g.length) : null;
        const b0 = momentumBuffer ? leaf(fn, state.momentumBuffer ?? {}, 'state.momentumBuffer', key, g.length) : null;
        const v = emptyLike(v0);
        const m = m0 ? emptyLike(m0) : null;
        const b = b0 ? emptyLike(b0) : null;
        const u = emptyLike(g);
        for (let i = 0; i < g.length; i++) {
          const gi = g[i]!;
          const vi = alpha * v0[i]! + c * gi * gi;
          v[i] = vi;
          let s: number;
          if (m !== null) {
            const mi = alpha * m0![i]! + c * gi;
            m[i] = mi;
            s = Math.sqrt(vi - mi * mi + epsRoot) + eps;
          } else {
            s = Math.sqrt(vi + epsRoot) + eps;
          }
          if (b !== null) {
            const bi = mu * b0![i]! + gi / s;
            b[i] = bi;
            u[i] = bi;
          } else {
            u[i] = gi / s;
          }
        }
        squareAvg[key] = v;
        if (gradAvg && m) gradAvg[key] = m;
        if (momentumBuffer && b) momentumBuffer[key] = b;
        updates[key] = u;
      }
      return [updates, { squareAvg, gradAvg, momentumBuffer }];
    },
  };
}
