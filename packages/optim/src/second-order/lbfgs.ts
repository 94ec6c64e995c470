import { check, checkInteger, checkNonNegative, checkPositive } from '../schedules/validate.js';
import { lbfgsDirection } from './lbfgs-direction.js';
import { strongWolfeLineSearch } from './strong-wolfe.js';
import type { SecondOrderMethod } from './types.js';
import { addScaled, dot, evaluate, maxAbs, scale, sub, sumAbs } from './vector.js';

/** Options of {@link lbfgs}: torch.optim.LBFGS's, in camelCase, with its defaults. */
export interface LbfgsOptions {
  /** Step length (the line search's first trial). Default 1. */
  lr?: number;
  /** Iterations per run (per `step`). Default 20. */
  maxIter?: number;
  /** Evaluations per run. Default ⌊maxIter·5/4⌋. */
  maxEval?: number;
  /** Converged when ‖∇f‖∞ ≤ toleranceGrad. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop when the step or the change in loss is below this. Default 1e-9. */
  toleranceChange?: number;
  /** Number of (s, y) pairs kept. Default 100. */
  historySize?: number;
  /** 'strong_wolfe', or null for a fixed step `lr`. Default null. */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** L-BFGS state, persisting across runs as torch's `optimizer.state` does (plain data). */
export interface LbfgsState {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  steps: Float64Array[];
  gradDiffs: Float64Array[];
  rho: number[];
  hDiag: number;
  prevGrad: Float64Array | null;
  prevLoss: number;
}

/**
 * Limited-memory BFGS with torch.optim.LBFGS semantics: a run (one `step(closure)`) does up to
 * `maxIter` iterations `x ← x + t·d`, `d` from the two-loop recursion over the last `historySize`
 * pairs `s = t·d`, `y = ∇f₊ − ∇f` (a pair is kept only if yᵀs > 1e-10; `H₀ = (yᵀs / yᵀy)·I`). The very
 * first step tries `t = min(1, 1/‖∇f‖₁)·lr`, later ones `t = lr`, refined by the strong-Wolfe search
 * or taken as is. A run stops on `maxIter`, `maxEval`, ‖∇f‖∞ ≤ toleranceGrad, ∇fᵀd > −toleranceChange,
 * ‖t·d‖∞ ≤ toleranceChange or |Δloss| < toleranceChange.
 * Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.5; torch/optim/lbfgs.py.
 */
export function lbfgs(options: LbfgsOptions = {}): SecondOrderMethod<LbfgsState> {
  const fn = 'lbfgs';
  const { lr = 1, maxIter = 20, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100 } = options;
  const { maxEval = Math.floor((maxIter * 5) / 4), lineSearchFn = null } = options;
  checkPositive(fn, 'lr', lr);
  checkInteger(fn, 'maxIter', maxIter, 1);
  checkInteger(fn, 'maxEval', maxEval, 1);
  checkNonNegative(fn, 'toleranceGrad', toleranceGrad);
  checkNonNegative(fn, 'toleranceChange', toleranceChange);
  checkInteger(fn, 'historySize', historySize, 1);
  check(lineSearchFn === null || lineSearchFn === 'strong_wolfe', fn, 'lineSearchFn', "'strong_wolfe' or null", lineSearchFn);

  return {
    name: 'lbfgs',
    init: () => ({ funcEvals: 0, nIter: 0, d: null, t: lr, steps: [], gradDiffs: [], rho: [], hDiag: 1, prevGrad: null, prevLoss: 0 }),
    run(f, x, start, state) {
      let { loss, grad } = start;
      let { funcEvals, nIter, d, t, steps, gradDiffs, rho, hDiag, prevGrad, prevLoss } = state;
      funcEvals += 1;
      let evaluations = 1;
      let optimal = maxAbs(grad) <= toleranceGrad;
      let iterations = 0;
      let stale = false;
      const finish = () => {
        const next = { funcEvals, nIter, d, t, steps, gradDiffs, rho, hDiag, prevGrad, prevLoss };
        return { x, loss, grad, state: next, iterations, evaluations, converged: optimal, stale };
      };
      if (optimal) return finish();

      while (iterations < maxIter) {
        iterations++;
        nIter++;
        if (nIter === 1 || d === null || prevGrad === null) {
          d = scale(grad, -1);
          steps = [];
          gradDiffs = [];
          rho = [];
          hDiag = 1;
        } else {
          const y = sub(grad, prevGrad);
          const s = scale(d, t);
          const ys = dot(y, s);
          if (ys > 1e-10) {
            const keep = steps.length === historySize ? 1 : 0; // drop the oldest pair when full
            steps = [...steps.slice(keep), s];
            gradDiffs = [...gradDiffs.slice(keep), y];
            rho = [...rho.slice(keep), 1 / ys];
            hDiag = ys / dot(y, y);
          }
          d = lbfgsDirection(grad, steps, gradDiffs, rho, hDiag);
        }
        prevGrad = grad;
        prevLoss = loss;
        t = nIter === 1 ? Math.min(1, 1 / sumAbs(grad)) * lr : lr;
        const gtd = dot(grad, d);
        if (gtd > -toleranceChange) break; // directional derivative below tolerance

        let lsEvals: number;
        if (lineSearchFn === 'strong_wolfe') {
          // torch calls _strong_wolfe with its default constants (c1 1e-4, c2 0.9, tolerance 1e-9, 25 evaluations).
          const ls = strongWolfeLineSearch(f, x, loss, grad, d, { t0: t });
          ({ t, loss, grad, x } = ls);
          lsEvals = ls.evaluations;
          optimal = maxAbs(grad) <= toleranceGrad;
        } else {
          x = addScaled(x, t, d);
          stale = true;
          lsEvals = 0;
          if (iterations !== maxIter) {
            // torch skips re-evaluating after the last iteration (no use in a stochastic setting).
            ({ loss, grad } = evaluate(f, x));
            stale = false;
            optimal = maxAbs(grad) <= toleranceGrad;
            lsEvals = 1;
          }
        }
        evaluations += lsEvals;
        funcEvals += lsEvals;

        if (iterations === maxIter || evaluations >= maxEval || optimal) break;
        if (maxAbs(scale(d, t)) <= toleranceChange) break; // lack of progress
        if (Math.abs(loss - prevLoss) < toleranceChange) break;
      }
      return finish();
    },
  };
}
