import { describe, expect, it } from 'vitest';
import { Rng } from '../index.js';
import { eigh } from './eigh.js';

/** max |A − V diag(λ) Vᵀ| and max |VᵀV − I|. */
function errors(a: Float64Array, n: number): { recon: number; orth: number; values: Float64Array } {
  const { values, vectors: v } = eigh(a, n);
  let recon = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += v[i * n + k]! * values[k]! * v[j * n + k]!;
        o += v[k * n + i]! * v[k * n + j]!;
      }
      recon = Math.max(recon, Math.abs(s - a[i * n + j]!));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { recon, orth, values };
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

describe('eigh (cyclic Jacobi)', () => {
  it('[[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1, ∓1)/√2', () => {
    const { values, vectors } = eigh(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    // column 0 ∝ (1, −1), column 1 ∝ (1, 1)
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0]! * vectors[2]!).toBeCloseTo(-0.5, 14);
    expect(vectors[1]! * vectors[3]!).toBeCloseTo(0.5, 14);
  });

  it('a known 3×3 matrix: [[4, 1, 0], [1, 3, 1], [0, 1, 2]] has eigenvalues 3 and 3 ± √3', () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const { recon, orth, values } = errors(a, 3);
    expect(values[0]).toBeCloseTo(3 - Math.sqrt(3), 13);
    expect(values[1]).toBeCloseTo(3, 13);
    expect(values[2]).toBeCloseTo(3 + Math.sqrt(3), 13);
    expect(recon).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
  });

  it('a diagonal matrix is returned sorted with permuted unit vectors', () => {
    const { values, vectors } = eigh([5, 0, 0, 0, -1, 0, 0, 0, 2], 3);
    expect(Array.from(values)).toEqual([-1, 2, 5]);
    expect(Array.from(vectors)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('repeated eigenvalues: the identity and a rank-one matrix u uᵀ', () => {
    const id = eigh([1, 0, 0, 1], 2);
    expect(Array.from(id.values)).toEqual([1, 1]);
    const u = [1, 2, 2];
    const a = Float64Array.from({ length: 9 }, (_, k) => u[Math.floor(k / 3)]! * u[k % 3]!);
    const { recon, orth, values } = errors(a, 3);
    expect(values[0]).toBeCloseTo(0, 13);
    expect(values[1]).toBeCloseTo(0, 13);
    expect(values[2]).toBeCloseTo(9, 13);
    expect(recon).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
  });

  it('random symmetric matrices up to 40×40: A = VΛVᵀ to 1e-10, VᵀV = I, ascending, trace preserved', () => {
    for (const [n, seed] of [[1, 1], [5, 2], [17, 3], [40, 4]] as const) {
      const a = randomSymmetric(n, seed);
      const { recon, orth, values } = errors(a, n);
      expect(recon).toBeLessThan(1e-10);
      expect(orth).toBeLessThan(1e-10);
      for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i]!;
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    }
  });

  it('does not modify its input; n = 0 gives empty results', () => {
    const a = Float64Array.from([2, 1, 1, 2]);
    eigh(a, 2);
    expect(Array.from(a)).toEqual([2, 1, 1, 2]);
    expect(eigh(new Float64Array(0), 0).values.length).toBe(0);
  });

  it('rejects non-symmetric, wrongly sized and non-finite input', () => {
    expect(() => eigh([1, 2, 3, 1], 2)).toThrow('eigh: matrix is not symmetric: a[0, 1] = 2 but a[1, 0] = 3');
    expect(() => eigh([1, 2, 3], 2)).toThrow('eigh: expected 4 entries for a 2×2 matrix, got 3');
    expect(() => eigh([1, Number.NaN, Number.NaN, 1], 2)).toThrow('eigh: entries must be finite, got a[0, 1] = NaN');
    expect(() => eigh([1], 1.5)).toThrow('eigh: n must be a non-negative integer, got 1.5');
  });
});
