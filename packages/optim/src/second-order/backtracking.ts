import { check, checkInteger, checkPositive } from '../schedules/validate.js';
import type { LineSearchResult, Objective } from './types.js';
import { addScaled, dot, evaluate } from './vector.js';

/** Options of {@link backtrackingLineSearch}. */
export interface BacktrackingOptions {
  /** Sufficient-decrease constant, in (0, 1). Default 1e-4. */
  c1?: number;
  /** Contraction factor, in (0, 1). Default 0.5. */
  rho?: number;
  /** First trial step. Default 1 (the natural step of Newton and quasi-Newton directions). */
  alpha0?: number;
  /** Maximum number of trial steps. Default 50. */
  maxIter?: number;
  /** Loss at `x`, if already known (saves one evaluation). */
  loss?: number;
  /** Gradient at `x`, if already known (used only together with `loss`). */
  grad?: Float64Array;
}

/**
 * Backtracking (Armijo) line search: try `t = α₀, ρα₀, ρ²α₀, …` until the sufficient-decrease
 * condition `f(x + t·d) ≤ f(x) + c₁·t·∇f(x)ᵀd` holds. Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithm 3.1. Throws if `d` is not a descent direction (`∇f(x)ᵀd ≥ 0`). If no trial
 * passes within `maxIter`, returns `t = 0` (the point `x` itself) with `satisfied: false`.
 */
export function backtrackingLineSearch(
  f: Objective,
  x: Float64Array,
  d: Float64Array,
  options: BacktrackingOptions = {},
): LineSearchResult {
  const fn = 'backtrackingLineSearch';
  const { c1 = 1e-4, rho = 0.5, alpha0 = 1, maxIter = 50 } = options;
  check(c1 > 0 && c1 < 1, fn, 'c1', 'in (0, 1)', c1);
  check(rho > 0 && rho < 1, fn, 'rho', 'in (0, 1)', rho);
  checkPositive(fn, 'alpha0', alpha0);
  checkInteger(fn, 'maxIter', maxIter, 1);
  let evaluations = 0;
  let start = options.loss !== undefined && options.grad ? { loss: options.loss, grad: options.grad } : undefined;
  if (!start) {
    start = evaluate(f, x);
    evaluations++;
  }
  const gtd = dot(start.grad, d);
  if (!(gtd < 0)) {
    throw new Error(`${fn}: d is not a descent direction: ∇f(x)ᵀd = ${gtd} must be < 0`);
  }
  let t = alpha0;
  for (let i = 0; i < maxIter; i++) {
    const xt = addScaled(x, t, d);
    const e = evaluate(f, xt);
    evaluations++;
    if (e.loss <= start.loss + c1 * t * gtd) return { t, x: xt, loss: e.loss, grad: e.grad, evaluations, satisfied: true };
    t *= rho;
  }
  return { t: 0, x: Float64Array.from(x), loss: start.loss, grad: start.grad, evaluations, satisfied: false };
}
