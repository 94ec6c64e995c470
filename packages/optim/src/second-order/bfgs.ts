import { checkInteger, checkNonNegative } from '../schedules/validate.js';
import { type LineSearchSpec, resolveLineSearch } from './line-search.js';
import type { SecondOrderMethod } from './types.js';
import { dot, maxAbs, sub, sumAbs } from './vector.js';

/** Options of {@link bfgs}. */
export interface BfgsOptions {
  /** Iterations per run. Default 200. */
  maxIter?: number;
  /** Converged when ‖∇f‖∞ ≤ tol. Default 1e-7. */
  tol?: number;
  /** Default 'strong-wolfe' (c₁ = 1e-4, c₂ = 0.9), which guarantees yᵀs > 0. */
  lineSearch?: LineSearchSpec;
}

/** BFGS state: the inverse-Hessian approximation H (n×n row-major), null until the first update. */
export interface BfgsState {
  inverseHessian: Float64Array | null;
}

/** `H ← (I − ρ·s·yᵀ)·H·(I − ρ·y·sᵀ) + ρ·s·sᵀ`, expanded: `H − ρ(s·Hyᵀ + Hy·sᵀ) + (ρ²·yᵀHy + ρ)·s·sᵀ`. */
function bfgsUpdate(h: Float64Array, s: Float64Array, y: Float64Array, rho: number): Float64Array {
  const n = s.length;
  const hy = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) hy[i] += h[i * n + j] * y[j];
  const c = rho * rho * dot(y, hy) + rho;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = h[i * n + j] - rho * (s[i] * hy[j] + hy[i] * s[j]) + c * s[i] * s[j];
  }
  return out;
}

/**
 * BFGS quasi-Newton method: `d = −H·∇f`, `x ← x + t·d` with a strong-Wolfe line search, then with
 * `s = x₊ − x`, `y = ∇f₊ − ∇f`, `ρ = 1/(yᵀs)` the inverse-Hessian update
 * `H ← (I − ρ·s·yᵀ)·H·(I − ρ·y·sᵀ) + ρ·s·sᵀ` (skipped if yᵀs ≤ 1e-10·‖s‖‖y‖). Before the first update H is
 * scaled to `(yᵀs / yᵀy)·I` (eq. 6.20); the first step tries `t = min(1, 1/‖∇f‖₁)`. Dense: O(n²)
 * memory and time per iteration. Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 6.1.
 */
export function bfgs(options: BfgsOptions = {}): SecondOrderMethod<BfgsState> {
  const fn = 'bfgs';
  const { maxIter = 200, tol = 1e-7 } = options;
  checkInteger(fn, 'maxIter', maxIter, 1);
  checkNonNegative(fn, 'tol', tol);
  const lineSearch = resolveLineSearch(options.lineSearch ?? 'strong-wolfe', fn, { c2: 0.9 });

  return {
    name: 'bfgs',
    init: () => ({ inverseHessian: null }),
    run(f, x, start, state) {
      const n = x.length;
      let { loss, grad } = start;
      let h = state.inverseHessian;
      let evaluations = 1;
      let iterations = 0;
      let converged = maxAbs(grad) <= tol;
      while (!converged && iterations < maxIter) {
        let d = new Float64Array(n);
        if (h === null) for (let i = 0; i < n; i++) d[i] = -grad[i];
        else for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] -= h[i * n + j] * grad[j];
        if (!(dot(grad, d) < 0)) {
          // H lost positive definiteness to rounding: reset to steepest descent.
          h = null;
          d = grad.map((g) => -g);
        }
        const ls = lineSearch(f, x, loss, grad, d, h === null ? Math.min(1, 1 / sumAbs(grad)) : 1);
        evaluations += ls.evaluations;
        iterations++;
        if (ls.t === 0) break; // no acceptable step: stalled
        const s = sub(ls.x, x);
        const y = sub(ls.grad, grad);
        const ys = dot(y, s);
        // Relative curvature test: an absolute one (like L-BFGS's yᵀs > 1e-10) would freeze H once steps
        // get small and turn superlinear convergence linear.
        if (ys > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
          if (h === null) {
            h = new Float64Array(n * n);
            const gamma = ys / dot(y, y);
            for (let i = 0; i < n; i++) h[i * n + i] = gamma;
          }
          h = bfgsUpdate(h, s, y, 1 / ys);
        }
        x = ls.x;
        loss = ls.loss;
        grad = ls.grad;
        converged = maxAbs(grad) <= tol;
      }
      return { x, loss, grad, state: { inverseHessian: h }, iterations, evaluations, converged };
    },
  };
}
