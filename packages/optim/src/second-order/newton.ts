import { check, checkInteger, checkNonNegative, checkPositive } from '../schedules/validate.js';
import { choleskySolve, choleskyWithShift } from './cholesky.js';
import { type LineSearchSpec, resolveLineSearch } from './line-search.js';
import type { SecondOrderMethod } from './types.js';
import { maxAbs } from './vector.js';

/** Options of {@link newton}. */
export interface NewtonOptions {
  /**
   * The Hessian ∇²f(x), n×n row-major; normally `hessianFromTensorFn(f)` (core's autodiff `hessian`
   * of the tensor function whose objective is `objectiveFromTensorFn(f)`), or a hand-written one.
   */
  hessian: (x: Float64Array) => Float64Array;
  /** Minimum damping λ added to the diagonal (Levenberg). Default 0: pure Newton where H ≻ 0. */
  damping?: number;
  /** Shift tried first when H is indefinite (N&W's β). Default 1e-3. */
  beta?: number;
  /** Iterations per run. Default 100. */
  maxIter?: number;
  /** Converged when ‖∇f‖∞ ≤ tol. Default 1e-7. */
  tol?: number;
  /** Default 'backtracking' (Armijo, first trial t = 1: the full Newton step). */
  lineSearch?: LineSearchSpec;
}

/** Newton state: the damping λ used by the last iteration (0 before the first). */
export interface NewtonState {
  lastDamping: number;
}

/**
 * Damped (modified) Newton's method: solve `(∇²f(x) + λI)·d = −∇f(x)` by Cholesky and take
 * `x ← x + t·d` with a line search. `λ = damping` when `∇²f + damping·I` is positive definite;
 * otherwise λ is raised Levenberg-style (start at `β − min_i h_ii` if some diagonal entry is ≤ 0,
 * then double) until the Cholesky factorisation succeeds — so `d` is always a descent direction
 * and saddle points repel instead of attract. For small models: O(n²) memory, O(n³) per step.
 * The Hessian normally comes from core's autodiff through the helpers of `autodiff.ts`:
 * `minimize(objectiveFromTensorFn(f), x0, newton({ hessian: hessianFromTensorFn(f) }))` for a
 * scalar tensor function `f`. Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 3.2 and 3.3.
 */
export function newton(options: NewtonOptions): SecondOrderMethod<NewtonState> {
  const fn = 'newton';
  const { hessian, damping = 0, beta = 1e-3, maxIter = 100, tol = 1e-7 } = options;
  check(typeof hessian === 'function', fn, 'hessian', 'a function (x) => Float64Array', hessian);
  checkNonNegative(fn, 'damping', damping);
  checkPositive(fn, 'beta', beta);
  checkInteger(fn, 'maxIter', maxIter, 1);
  checkNonNegative(fn, 'tol', tol);
  const lineSearch = resolveLineSearch(options.lineSearch ?? 'backtracking', fn);

  return {
    name: 'newton',
    init: () => ({ lastDamping: 0 }),
    run(f, x, start, state) {
      const n = x.length;
      let { loss, grad } = start;
      let { lastDamping } = state;
      let evaluations = 1;
      let iterations = 0;
      let converged = maxAbs(grad) <= tol;
      while (!converged && iterations < maxIter) {
        const h = hessian(x);
        if (h.length !== n * n) throw new RangeError(`${fn}: hessian(x) has length ${h.length}, expected ${n * n} (n×n, n = ${n})`);
        const { l, tau } = choleskyWithShift(h, n, damping, beta);
        lastDamping = tau;
        const negGrad = new Float64Array(n);
        for (let i = 0; i < n; i++) negGrad[i] = -grad[i];
        const d = choleskySolve(l, n, negGrad);
        const ls = lineSearch(f, x, loss, grad, d, 1);
        evaluations += ls.evaluations;
        iterations++;
        if (ls.t === 0) break; // no acceptable step: stalled
        x = ls.x;
        loss = ls.loss;
        grad = ls.grad;
        converged = maxAbs(grad) <= tol;
      }
      return { x, loss, grad, state: { lastDamping }, iterations, evaluations, converged };
    },
  };
}
