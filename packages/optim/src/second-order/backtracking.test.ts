import { describe, expect, it } from 'vitest';
import { rosenbrock } from '../../test/rosenbrock.js';
import { backtrackingLineSearch } from './backtracking.js';
import { dot } from './vector.js';

const points = [
  [-1.2, 1],
  [0, 0],
  [2, 2],
  [0.5, -1],
  [-2, 3],
  [1.1, 1.3],
];

describe('backtrackingLineSearch', () => {
  for (const c1 of [1e-4, 0.3]) {
    it(`returns steps satisfying Armijo f(x + t·d) ≤ f(x) + c1·t·∇fᵀd (c1 = ${c1}) along −∇f`, () => {
      for (const p of points) {
        const x = Float64Array.from(p);
        const { loss, grad } = rosenbrock(x);
        const d = grad.map((g) => -g);
        const r = backtrackingLineSearch(rosenbrock, x, d, { c1 });
        expect(r.satisfied).toBe(true);
        expect(r.t).toBeGreaterThan(0);
        expect(r.loss).toBeLessThanOrEqual(loss + c1 * r.t * dot(grad, d));
        expect(r.loss).toBe(rosenbrock(r.x).loss);
        expect(r.x[0]).toBe(x[0] + r.t * d[0]);
      }
    });
  }
  it('halves from alpha0 and reuses a known loss and gradient', () => {
    const x = Float64Array.of(-1.2, 1);
    const { loss, grad } = rosenbrock(x);
    const d = grad.map((g) => -g);
    const r = backtrackingLineSearch(rosenbrock, x, d, { loss, grad });
    expect(Math.log2(r.t)).toBe(Math.round(Math.log2(r.t)));
    expect(r.evaluations).toBe(-Math.log2(r.t) + 1);
  });
  it('refuses a non-descent direction with a clear error', () => {
    const x = Float64Array.of(-1.2, 1);
    const d = rosenbrock(x).grad; // uphill
    expect(() => backtrackingLineSearch(rosenbrock, x, d)).toThrow(
      /^backtrackingLineSearch: d is not a descent direction: ∇f\(x\)ᵀd = \d.* must be < 0$/,
    );
  });
  it('returns t = 0 (x itself) when maxIter trials fail', () => {
    const x = Float64Array.of(-1.2, 1);
    const d = rosenbrock(x).grad.map((g) => -g * 1e6);
    const r = backtrackingLineSearch(rosenbrock, x, d, { maxIter: 2 });
    expect(r).toMatchObject({ t: 0, satisfied: false, loss: rosenbrock(x).loss, evaluations: 3 });
  });
});
