import { describe, expect, it } from 'vitest';
import { conjugateGradient } from './conjugate-gradient.js';
import { minimize } from './minimize.js';

// f(x) = ½xᵀAx − bᵀx with A = diag(1, …, n) + 0.1·(ones): SPD, minimiser A⁻¹b.
const n = 6;
const A = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 + k / (n + 1) : 0) + 0.1);
const b = Float64Array.from({ length: n }, (_, i) => i - 2);
const quadratic = (x: Float64Array) => {
  const ax = Float64Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + A[i * n + j] * xj, 0));
  const loss = 0.5 * x.reduce((s, xi, i) => s + xi * ax[i], 0) - x.reduce((s, xi, i) => s + xi * b[i], 0);
  return { loss, grad: ax.map((v, i) => v - b[i]) };
};

describe('conjugateGradient', () => {
  for (const variant of ['fletcher-reeves', 'polak-ribiere+'] as const) {
    it(`${variant} minimises a ${n}-d convex quadratic`, () => {
      const r = minimize(quadratic, new Float64Array(n), conjugateGradient({ variant, tol: 1e-10 }));
      expect(r.converged).toBe(true);
      expect(Math.max(...r.grad.map(Math.abs))).toBeLessThanOrEqual(1e-10);
      // inexact line searches cost a few iterations over the n of linear CG
      expect(r.iterations).toBeLessThanOrEqual(4 * n);
    });
  }
  it('with restartEvery = 1 it is steepest descent and needs many more iterations', () => {
    // (much tighter and steepest descent's loss decrease falls below the loss's rounding and stalls)
    const cg = minimize(quadratic, new Float64Array(n), conjugateGradient({ tol: 1e-6 }));
    const sd = minimize(quadratic, new Float64Array(n), conjugateGradient({ tol: 1e-6, restartEvery: 1, maxIter: 5000 }));
    expect(sd.converged).toBe(true);
    expect(sd.iterations).toBeGreaterThan(2 * cg.iterations);
  });
  it('validates its options', () => {
    // @ts-expect-error: an invalid variant
    expect(() => conjugateGradient({ variant: 'hestenes' })).toThrow(
      "conjugateGradient: variant must be 'fletcher-reeves' or 'polak-ribiere+', got hestenes",
    );
    expect(() => conjugateGradient({ restartEvery: 0 })).toThrow('conjugateGradient: restartEvery must be an integer >= 1, got 0');
    // @ts-expect-error: an invalid line search
    expect(() => conjugateGradient({ lineSearch: 'exact' })).toThrow(/conjugateGradient: lineSearch must be .* got exact/);
  });
});
