import { describe, expect, it } from 'vitest';
import { bfgs } from './bfgs.js';
import { minimize } from './minimize.js';

// f(x, y) = ½(10x² + y²) + x·y − x: SPD Hessian [[10, 1], [1, 1]], minimiser (1/9, −1/9).
const f = (p: Float64Array) => {
  const [x, y] = p;
  return { loss: 0.5 * (10 * x * x + y * y) + x * y - x, grad: Float64Array.of(10 * x + y - 1, y + x) };
};

describe('bfgs', () => {
  it('minimises a quadratic and its inverse Hessian approximates A⁻¹', () => {
    const method = bfgs({ tol: 1e-12 });
    const r = method.run(f, Float64Array.of(3, -4), f(Float64Array.of(3, -4)), method.init(2));
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1 / 9, 12);
    expect(r.x[1]).toBeCloseTo(-1 / 9, 12);
    expect(r.iterations).toBeLessThanOrEqual(14); // 12 measured (unit steps from the lenient c2 = 0.9 search)
    const h = r.state.inverseHessian!;
    // A⁻¹ = [[1, −1], [−1, 10]] / 9
    [1 / 9, -1 / 9, -1 / 9, 10 / 9].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 3));
  });
  it('does not mutate the state it is given', () => {
    const method = bfgs({ maxIter: 2 });
    const s0 = method.init(2);
    const r = method.run(f, Float64Array.of(3, -4), f(Float64Array.of(3, -4)), s0);
    expect(s0.inverseHessian).toBeNull();
    expect(r.state.inverseHessian).not.toBeNull();
  });
  it('reports zero iterations when started at the minimum', () => {
    const r = minimize(f, [1 / 9, -1 / 9], bfgs({ tol: 1e-12 }));
    expect(r).toMatchObject({ iterations: 0, evaluations: 1, converged: true });
  });
  it('validates its options', () => {
    expect(() => bfgs({ maxIter: 0 })).toThrow('bfgs: maxIter must be an integer >= 1, got 0');
  });
});
