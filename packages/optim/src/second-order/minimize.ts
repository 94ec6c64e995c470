import type { MinimizeResult, Objective, SecondOrderMethod } from './types.js';
import { evaluate } from './vector.js';

/**
 * Minimise `objective` from `x0` with a second-order method, as a pure function (neither `x0`
 * nor any shared state is touched): evaluates f(x0), runs `method` once from fresh state (up to
 * its `maxIter` iterations) and returns the final point, loss, gradient and counts.
 *
 * @example minimize(rosenbrock, Float64Array.of(-1.2, 1), bfgs({ tol: 1e-10 }))
 */
export function minimize<S>(objective: Objective, x0: ArrayLike<number>, method: SecondOrderMethod<S>): MinimizeResult {
  const x = Float64Array.from(x0);
  const start = evaluate(objective, x);
  const r = method.run(objective, x, start, method.init(x.length));
  let { loss, grad, evaluations } = r;
  if (r.stale) {
    ({ loss, grad } = evaluate(objective, r.x));
    evaluations++;
  }
  return { x: r.x, loss, grad, iterations: r.iterations, evaluations, converged: r.converged };
}
