import { describe, expect, it } from 'vitest';
import { lbfgsDirection } from './lbfgs-direction.js';

describe('lbfgsDirection (two-loop recursion)', () => {
  it('with no history is −hDiag·∇f', () => {
    expect([...lbfgsDirection(Float64Array.of(1, -2), [], [], [], 0.5)]).toEqual([-0.5, 1]);
  });
  it('satisfies the secant condition for the newest pair: −H·y_m = −s_m', () => {
    const s = [Float64Array.of(1, 0.5, -1), Float64Array.of(0.2, -1, 0.3)];
    const y = [Float64Array.of(2, 1.2, -1.5), Float64Array.of(0.5, -2.5, 0.4)];
    const rho = s.map((si, i) => 1 / si.reduce((acc, v, j) => acc + v * y[i][j], 0));
    const d = lbfgsDirection(y[1], s, y, rho, 0.7);
    for (let j = 0; j < 3; j++) expect(d[j]).toBeCloseTo(-s[1][j], 14);
  });
  it('recovers −A⁻¹g on a 2-d quadratic from two independent pairs (y = A·s)', () => {
    // For n pairs from a quadratic, BFGS's H equals A⁻¹ when the steps are A-conjugate.
    const A = [
      [4, 1],
      [1, 3],
    ];
    const s1 = Float64Array.of(1, 0);
    const s2 = Float64Array.of(-1, 4); // s1ᵀ·A·s2 = 4·(−1) + 1·4 = 0
    const mul = (v: Float64Array) => Float64Array.of(A[0][0] * v[0] + A[0][1] * v[1], A[1][0] * v[0] + A[1][1] * v[1]);
    const ys = [mul(s1), mul(s2)];
    const rho = [s1, s2].map((si, i) => 1 / (si[0] * ys[i][0] + si[1] * ys[i][1]));
    const g = Float64Array.of(0.3, -0.8);
    const d = lbfgsDirection(g, [s1, s2], ys, rho, 1);
    // −A⁻¹g with A⁻¹ = [[3, −1], [−1, 4]] / 11
    expect(d[0]).toBeCloseTo(-(3 * 0.3 + 0.8) / 11, 14);
    expect(d[1]).toBeCloseTo(-(-0.3 - 3.2) / 11, 14);
  });
});
