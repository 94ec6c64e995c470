import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, choleskyWithShift } from './cholesky.js';

const times = (a: Float64Array, n: number, x: Float64Array) =>
  Float64Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + a[i * n + j] * xj, 0));

describe('cholesky', () => {
  const a = Float64Array.of(4, 2, 0.4, 2, 5, 1, 0.4, 1, 3);
  it('factors an SPD matrix: L·Lᵀ = A, L lower triangular', () => {
    const l = cholesky(a, 3)!;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += l[i * 3 + k] * l[j * 3 + k];
        expect(s).toBeCloseTo(a[i * 3 + j], 14);
        if (j > i) expect(l[i * 3 + j]).toBe(0);
      }
    }
  });
  it('solves A·x = b', () => {
    const x = choleskySolve(cholesky(a, 3)!, 3, Float64Array.of(1, 2, 3));
    const back = times(a, 3, x);
    [1, 2, 3].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 13));
  });
  it('returns null for an indefinite or singular matrix', () => {
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(1, 1, 1, 1), 2)).toBeNull();
  });
});

describe('choleskyWithShift (N&W Algorithm 3.3)', () => {
  it('adds no shift to an SPD matrix (beyond tauMin)', () => {
    expect(choleskyWithShift(Float64Array.of(2, 0, 0, 3), 2).tau).toBe(0);
    expect(choleskyWithShift(Float64Array.of(2, 0, 0, 3), 2, 0.5).tau).toBe(0.5);
  });
  it('shifts an indefinite matrix until A + τI is positive definite', () => {
    // eigenvalues 3 and −1: needs τ > 1; τ₀ = 0 (positive diagonal), then 1e-3, doubling.
    const a = Float64Array.of(1, 2, 2, 1);
    const { l, tau } = choleskyWithShift(a, 2);
    expect(tau).toBeGreaterThan(1);
    expect(tau).toBeLessThan(2.1);
    expect(l[0] * l[0]).toBeCloseTo(1 + tau, 14);
  });
  it('starts from β − min(diag) when a diagonal entry is not positive', () => {
    expect(choleskyWithShift(Float64Array.of(-0.97, 0, 0, 1), 2).tau).toBeCloseTo(0.971, 15);
  });
  it('throws on a non-finite matrix', () => {
    expect(() => choleskyWithShift(Float64Array.of(Number.NaN, 0, 0, 1), 2)).toThrow(/choleskyWithShift: no positive-definite shift/);
  });
});
