import { check, checkInteger, checkNonNegative } from '../schedules/validate.js';
import { type LineSearchSpec, resolveLineSearch } from './line-search.js';
import type { SecondOrderMethod } from './types.js';
import { dot, maxAbs, scale, sumAbs } from './vector.js';

/** Options of {@link conjugateGradient}. */
export interface ConjugateGradientOptions {
  /** β formula. Default 'polak-ribiere+'. */
  variant?: 'fletcher-reeves' | 'polak-ribiere+';
  /** Default 'strong-wolfe' with c₁ = 1e-4, c₂ = 0.1 (Fletcher–Reeves needs c₂ < 1/2). */
  lineSearch?: LineSearchSpec;
  /** Iterations per run. Default 1000. */
  maxIter?: number;
  /** Converged when ‖∇f‖∞ ≤ tol. Default 1e-7. */
  tol?: number;
  /** Restart with steepest descent every this many iterations. Default: the dimension n. */
  restartEvery?: number;
  /** Also restart when |∇f_kᵀ∇f_{k−1}| ≥ ν‖∇f_k‖² (N&W eq. 5.52). Default ν = 0.1; Infinity disables. */
  restartThreshold?: number;
}

/** Conjugate-gradient state: the previous gradient, direction and step (null before the first). */
export interface ConjugateGradientState {
  prevGrad: Float64Array | null;
  prevDir: Float64Array | null;
  /** `t_{k−1}·∇f_{k−1}ᵀd_{k−1}`, for the initial step guess. */
  prevSlope: number;
  sinceRestart: number;
}

/**
 * Nonlinear conjugate gradient: `d_k = −∇f_k + β_k·d_{k−1}`, `x_{k+1} = x_k + t_k·d_k` with a
 * line search, where Fletcher–Reeves `β = ‖∇f_k‖² / ‖∇f_{k−1}‖²` and Polak–Ribière+
 * `β = max(0, ∇f_kᵀ(∇f_k − ∇f_{k−1}) / ‖∇f_{k−1}‖²)`. Restarts (β = 0) every `restartEvery`
 * iterations, when successive gradients are far from orthogonal, and whenever `d_k` is not a
 * descent direction. The first trial step is `min(1, 1/‖∇f‖₁)`, then `t_{k−1}∇f_{k−1}ᵀd_{k−1} / ∇f_kᵀd_k`.
 * Nocedal & Wright, Numerical Optimization, 2nd ed., §5.2 (Algorithm 5.4, eqs. 5.44–5.52, 3.60).
 */
export function conjugateGradient(options: ConjugateGradientOptions = {}): SecondOrderMethod<ConjugateGradientState> {
  const fn = 'conjugateGradient';
  const { variant = 'polak-ribiere+', maxIter = 1000, tol = 1e-7, restartThreshold = 0.1 } = options;
  check(variant === 'fletcher-reeves' || variant === 'polak-ribiere+', fn, 'variant', "'fletcher-reeves' or 'polak-ribiere+'", variant);
  checkInteger(fn, 'maxIter', maxIter, 1);
  checkNonNegative(fn, 'tol', tol);
  if (options.restartEvery !== undefined) checkInteger(fn, 'restartEvery', options.restartEvery, 1);
  check(restartThreshold > 0, fn, 'restartThreshold', '> 0', restartThreshold);
  const lineSearch = resolveLineSearch(options.lineSearch ?? 'strong-wolfe', fn, { c2: 0.1 });

  return {
    name: `conjugate-gradient (${variant})`,
    init: () => ({ prevGrad: null, prevDir: null, prevSlope: 0, sinceRestart: 0 }),
    run(f, x, start, state) {
      const restartEvery = options.restartEvery ?? x.length;
      let { loss, grad } = start;
      let { prevGrad, prevDir, prevSlope, sinceRestart } = state;
      let evaluations = 1;
      let iterations = 0;
      let converged = maxAbs(grad) <= tol;
      while (!converged && iterations < maxIter) {
        const gg = dot(grad, grad);
        let d: Float64Array;
        let restart = prevGrad === null || prevDir === null || sinceRestart >= restartEvery;
        if (!restart && Math.abs(dot(grad, prevGrad!)) >= restartThreshold * gg) restart = true;
        if (restart) {
          d = scale(grad, -1);
          sinceRestart = 0;
        } else {
          const pgg = dot(prevGrad!, prevGrad!);
          const beta = variant === 'fletcher-reeves' ? gg / pgg : Math.max(0, (gg - dot(grad, prevGrad!)) / pgg);
          d = new Float64Array(grad.length);
          for (let i = 0; i < d.length; i++) d[i] = -grad[i] + beta * prevDir![i];
        }
        let gtd = dot(grad, d);
        if (!(gtd < 0)) {
          d = scale(grad, -1);
          gtd = -gg;
          sinceRestart = 0;
        }
        const t0 = prevDir === null ? Math.min(1, 1 / sumAbs(grad)) : prevSlope / gtd;
        const ls = lineSearch(f, x, loss, grad, d, t0 > 0 && Number.isFinite(t0) ? t0 : 1);
        evaluations += ls.evaluations;
        iterations++;
        if (ls.t === 0) break; // no acceptable step: stalled
        prevGrad = grad;
        prevDir = d;
        prevSlope = ls.t * gtd;
        sinceRestart++;
        x = ls.x;
        loss = ls.loss;
        grad = ls.grad;
        converged = maxAbs(grad) <= tol;
      }
      return { x, loss, grad, state: { prevGrad, prevDir, prevSlope, sinceRestart }, iterations, evaluations, converged };
    },
  };
}
