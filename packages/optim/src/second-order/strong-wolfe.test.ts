import { describe, expect, it } from 'vitest';
import { rosenbrock, rosenbrockHessian } from '../../test/rosenbrock.js';
import { choleskySolve, choleskyWithShift } from './cholesky.js';
import { strongWolfeLineSearch } from './strong-wolfe.js';
import { dot } from './vector.js';

const points = [
  [-1.2, 1],
  [0, 0],
  [2, 2],
  [0.5, -1],
  [-2, 3],
  [1.1, 1.3],
  [0.9, 0.7],
];
const steepest = (g: Float64Array) => g.map((v) => -v);
const newtonDir = (x: Float64Array, g: Float64Array) => {
  const { l } = choleskyWithShift(rosenbrockHessian(x), 2);
  return choleskySolve(l, 2, steepest(g));
};

describe('strongWolfeLineSearch', () => {
  for (const [c2, t0] of [
    [0.9, 1],
    [0.1, 1],
    [0.9, 1e-4],
  ]) {
    it(`returns steps satisfying both strong Wolfe conditions (c2 = ${c2}, t0 = ${t0})`, () => {
      const c1 = 1e-4;
      for (const p of points) {
        const x = Float64Array.from(p);
        const { loss, grad } = rosenbrock(x);
        for (const d of [steepest(grad), newtonDir(x, grad)]) {
          const gtd = dot(grad, d);
          const r = strongWolfeLineSearch(rosenbrock, x, loss, grad, d, { c2, t0 });
          expect(r.satisfied).toBe(true);
          expect(r.loss).toBeLessThanOrEqual(loss + c1 * r.t * gtd);
          expect(Math.abs(dot(r.grad, d))).toBeLessThanOrEqual(c2 * Math.abs(gtd));
          expect(r.loss).toBe(rosenbrock(r.x).loss);
        }
      }
    });
  }
  it('extrapolates from a tiny first step (bracketing phase)', () => {
    const x = Float64Array.of(0, 0);
    const { loss, grad } = rosenbrock(x);
    const r = strongWolfeLineSearch(rosenbrock, x, loss, grad, steepest(grad), { t0: 1e-6 });
    expect(r.t).toBeGreaterThan(1e-4);
    expect(r.evaluations).toBeGreaterThan(2);
  });
  it('refuses a non-descent direction with a clear error', () => {
    const x = Float64Array.of(-1.2, 1);
    const { loss, grad } = rosenbrock(x);
    expect(() => strongWolfeLineSearch(rosenbrock, x, loss, grad, grad)).toThrow(
      /^strongWolfeLineSearch: d is not a descent direction: ∇f\(x\)ᵀd = \d.* must be < 0$/,
    );
    expect(() => strongWolfeLineSearch(rosenbrock, x, loss, grad, new Float64Array(2))).toThrow(/= 0 must be < 0/);
  });
  it('validates c1 < c2', () => {
    const x = Float64Array.of(0, 0);
    const { loss, grad } = rosenbrock(x);
    expect(() => strongWolfeLineSearch(rosenbrock, x, loss, grad, steepest(grad), { c1: 0.5, c2: 0.4 })).toThrow(
      'strongWolfeLineSearch: c1, c2 must be 0 < c1 < c2 < 1, got [0.5, 0.4]',
    );
  });
});
