import { check, checkInteger, checkNonNegative, checkPositive } from '../schedules/validate.js';
import { cubicInterpolate } from './cubic-interpolate.js';
import type { LineSearchResult, Objective } from './types.js';
import { addScaled, dot, evaluate, maxAbs } from './vector.js';

/** Options of {@link strongWolfeLineSearch}, with torch.optim.LBFGS's defaults. */
export interface StrongWolfeOptions {
  /** Sufficient-decrease constant. Default 1e-4. */
  c1?: number;
  /** Curvature constant, c1 < c2 < 1. Default 0.9 (use 0.1 for conjugate gradient). */
  c2?: number;
  /** Stop zooming when the bracket is shorter than this (times ‖d‖∞). Default 1e-9. */
  tolChange?: number;
  /** Maximum number of evaluations after the first. Default 25. */
  maxLs?: number;
  /** First trial step. Default 1. */
  t0?: number;
}

interface Point {
  t: number;
  loss: number;
  grad: Float64Array;
  gtd: number;
}

/**
 * Line search for a step satisfying the strong Wolfe conditions
 * `f(x + t·d) ≤ f(x) + c₁·t·∇f(x)ᵀd` and `|∇f(x + t·d)ᵀd| ≤ c₂·|∇f(x)ᵀd|`.
 * A bracketing phase extrapolates by cubic interpolation (within [t + 0.01(t − t_prev), 10t]) until
 * it brackets an acceptable step; a zoom phase then shrinks the bracket by safeguarded cubic
 * interpolation. Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6; the
 * safeguards follow torch.optim.lbfgs `_strong_wolfe` (from minFunc). Throws if `d` is not a
 * descent direction. If the budget or bracket runs out, returns the lowest point found with
 * `satisfied: false`.
 */
export function strongWolfeLineSearch(
  f: Objective,
  x: Float64Array,
  loss: number,
  grad: Float64Array,
  d: Float64Array,
  options: StrongWolfeOptions = {},
): LineSearchResult {
  const fn = 'strongWolfeLineSearch';
  const { c1 = 1e-4, c2 = 0.9, tolChange = 1e-9, maxLs = 25, t0 = 1 } = options;
  check(c1 > 0 && c1 < c2 && c2 < 1, fn, 'c1, c2', '0 < c1 < c2 < 1', [c1, c2]);
  checkNonNegative(fn, 'tolChange', tolChange);
  checkInteger(fn, 'maxLs', maxLs, 1);
  checkPositive(fn, 't0', t0);
  const gtd = dot(grad, d);
  if (!(gtd < 0)) throw new Error(`${fn}: d is not a descent direction: ∇f(x)ᵀd = ${gtd} must be < 0`);

  const dNorm = maxAbs(d);
  let evaluations = 0;
  const at = (t: number): Point => {
    const e = evaluate(f, addScaled(x, t, d));
    evaluations++;
    return { t, loss: e.loss, grad: e.grad, gtd: dot(e.grad, d) };
  };
  const armijo = (p: Point): boolean => p.loss <= loss + c1 * p.t * gtd;
  const curvature = (p: Point): boolean => Math.abs(p.gtd) <= -c2 * gtd;

  let prev: Point = { t: 0, loss, grad, gtd };
  let cur = at(t0);
  let bracket: Point[] | null = null;
  let done = false;
  let iter = 0;
  // Bracketing phase (Algorithm 3.5).
  while (iter < maxLs) {
    if (!armijo(cur) || (iter > 1 && cur.loss >= prev.loss)) {
      bracket = [prev, cur];
      break;
    }
    if (curvature(cur)) {
      bracket = [cur];
      done = true;
      break;
    }
    if (cur.gtd >= 0) {
      bracket = [prev, cur];
      break;
    }
    const next = cubicInterpolate(prev.t, prev.loss, prev.gtd, cur.t, cur.loss, cur.gtd, [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = at(next);
    iter++;
  }
  if (bracket === null) bracket = [{ t: 0, loss, grad, gtd }, cur];

  // Zoom phase (Algorithm 3.6): bracket[low] is the best point so far; keep the bracket around an acceptable step.
  let low = bracket[0].loss <= bracket[bracket.length - 1].loss ? 0 : 1;
  let insufficientProgress = false;
  while (!done && iter < maxLs) {
    const [a, b] = bracket as [Point, Point];
    if (Math.abs(b.t - a.t) * dNorm < tolChange) break;
    let t = cubicInterpolate(a.t, a.loss, a.gtd, b.t, b.loss, b.gtd);
    const hi = Math.max(a.t, b.t);
    const lo = Math.min(a.t, b.t);
    // Keep t at least 10% of the bracket away from its ends when interpolation stalls there.
    const margin = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < margin) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - margin : lo + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const p = at(t);
    iter++;
    const high = 1 - low;
    if (!armijo(p) || p.loss >= bracket[low].loss) {
      bracket[high] = p;
      low = bracket[0].loss <= bracket[1].loss ? 0 : 1;
    } else {
      if (curvature(p)) done = true;
      else if (p.gtd * (bracket[high].t - bracket[low].t) >= 0) bracket[high] = bracket[low];
      bracket[low] = p;
    }
  }
  const best = bracket[low];
  const xt = best.t === 0 ? Float64Array.from(x) : addScaled(x, best.t, d);
  return { t: best.t, x: xt, loss: best.loss, grad: best.grad, evaluations, satisfied: done };
}
