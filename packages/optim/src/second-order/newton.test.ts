import { describe, expect, it } from 'vitest';
import { minimize } from './minimize.js';
import { newton } from './newton.js';

// Double well f(x, y) = x⁴/4 − x²/2 + y²/2: minima (±1, 0) with f = −1/4, a saddle at (0, 0).
const doubleWell = (p: Float64Array) => {
  const [x, y] = p;
  return { loss: x ** 4 / 4 - x ** 2 / 2 + y ** 2 / 2, grad: Float64Array.of(x ** 3 - x, y) };
};
const hessian = (p: Float64Array) => Float64Array.of(3 * p[0] ** 2 - 1, 0, 0, 1);
const start = [0.1, 1];

describe('newton (damped)', () => {
  it('converges to a minimum from a point where the Hessian is indefinite', () => {
    expect(hessian(Float64Array.from(start))[0]).toBeLessThan(0);
    const first = newton({ hessian, maxIter: 1 }).run(doubleWell, Float64Array.from(start), doubleWell(Float64Array.from(start)), {
      lastDamping: 0,
    });
    expect(first.state.lastDamping).toBeCloseTo(0.971, 12); // β − h₁₁ = 1e-3 + 0.97
    // The undamped step x − f'/f'' = 0.1 − 0.099/0.97 ≈ −0.002 would head for the saddle; the damped one
    // moves away from it, towards the minimum at x = 1.
    expect(first.x[0]).toBeGreaterThan(0.5);
    expect(first.loss).toBeLessThan(doubleWell(Float64Array.from(start)).loss);
    const r = minimize(doubleWell, start, newton({ hessian, tol: 1e-10 }));
    expect(r.converged).toBe(true);
    expect(Math.abs(Math.abs(r.x[0]) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.x[1])).toBeLessThan(1e-9);
    expect(r.loss).toBeCloseTo(-0.25, 14);
    expect(r.iterations).toBeLessThanOrEqual(15);
  });
  it('solves a quadratic in one step', () => {
    const a = [3, 1, 1, 2];
    const f = (p: Float64Array) => ({
      loss: 0.5 * (a[0] * p[0] ** 2 + 2 * a[1] * p[0] * p[1] + a[3] * p[1] ** 2) - p[0],
      grad: Float64Array.of(a[0] * p[0] + a[1] * p[1] - 1, a[2] * p[0] + a[3] * p[1]),
    });
    const r = minimize(f, [5, -5], newton({ hessian: () => Float64Array.from(a), tol: 1e-12 }));
    expect(r.iterations).toBe(1);
    expect(r.x[0]).toBeCloseTo(0.4, 14);
    expect(r.x[1]).toBeCloseTo(-0.2, 14);
  });
  it('checks the Hessian size and its arguments', () => {
    expect(() => minimize(doubleWell, start, newton({ hessian: () => new Float64Array(3) }))).toThrow(
      'newton: hessian(x) has length 3, expected 4 (n×n, n = 2)',
    );
    expect(() => newton({ hessian, damping: -1 })).toThrow('newton: damping must be a finite number >= 0, got -1');
  });
});
