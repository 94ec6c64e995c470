import { describe, expect, it } from 'vitest';
import { Rng, randn, tensor, type Tensor } from '../index.js';
import { lstsq } from './lstsq.js';

const maxAbsDiff = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)));

describe('lstsq', () => {
  it('recovers a known W from consistent data to 1e-10 (QR and Cholesky)', () => {
    const rng = new Rng(0);
    const A = randn([50, 4], { rng, dtype: 'float64' });
    const W = tensor([[1, -2, 0.5], [3, 0, -1], [-0.25, 4, 2], [0.125, -3, 7]], { dtype: 'float64' });
    const B = A.matmul(W);
    const qr = lstsq(A, B);
    expect(qr.shape).toEqual([4, 3]);
    expect(qr.dtype).toBe('float64');
    expect(maxAbsDiff(qr, W)).toBeLessThan(1e-10);
    expect(maxAbsDiff(lstsq(A, B, { method: 'cholesky' }), W)).toBeLessThan(1e-10);
  });

  it('matches the normal-equation solution on noisy data, and its residual is orthogonal to A', () => {
    const rng = new Rng(1);
    const A = randn([40, 5], { rng, dtype: 'float64' });
    const B = randn([40, 2], { rng, dtype: 'float64' });
    const W = lstsq(A, B);
    expect(maxAbsDiff(W, lstsq(A, B, { method: 'cholesky' }))).toBeLessThan(1e-12);
    const normal = A.T.matmul(A.matmul(W).sub(B)); // Aᵀ(AW − B) = 0 at the minimum
    expect(Math.max(...Array.from(normal.data, Math.abs))).toBeLessThan(1e-12);
  });

  it('with a ridge solves (AᵀA + λI)W = AᵀB, also for underdetermined A', () => {
    const rng = new Rng(2);
    for (const [n, m] of [[30, 6], [4, 7]] as const) {
      const A = randn([n, m], { rng, dtype: 'float64' });
      const B = randn([n, 3], { rng, dtype: 'float64' });
      const W = lstsq(A, B, { ridge: 0.5 });
      const lhs = A.T.matmul(A).matmul(W).add(W.mul(0.5));
      expect(maxAbsDiff(lhs, A.T.matmul(B))).toBeLessThan(1e-12);
      expect(maxAbsDiff(W, lstsq(A, B, { ridge: 0.5, method: 'cholesky' }))).toBeLessThan(1e-12);
    }
  });

  it('QR keeps accuracy where the normal equations lose it (Vandermonde, degree 9)', () => {
    const N = 60;
    const rows = Array.from({ length: N }, (_, i) => Array.from({ length: 10 }, (_, j) => (i / (N - 1)) ** j));
    const A = tensor(rows, { dtype: 'float64' });
    const W = tensor(Array.from({ length: 10 }, (_, j) => [(-1) ** j / (j + 1)]), { dtype: 'float64' });
    const B = A.matmul(W);
    const qrErr = maxAbsDiff(lstsq(A, B), W);
    const neErr = maxAbsDiff(lstsq(A, B, { method: 'cholesky' }), W);
    expect(qrErr).toBeLessThan(1e-8);
    expect(neErr).toBeGreaterThan(100 * qrErr);
  });

  it('accepts a 1-D right-hand side and float32 inputs, returning float64', () => {
    const A = tensor([[1, 0], [0, 2], [1, 1]]);
    const w = lstsq(A, tensor([1, 4, 3]));
    expect(w.shape).toEqual([2]);
    expect(w.dtype).toBe('float64');
    expect(Array.from(w.data, (v) => Number(v.toFixed(12)))).toEqual([1, 2]);
  });

  it('reports shape mismatches, rank deficiency and bad options', () => {
    const A = tensor([[1, 2], [2, 4], [3, 6]], { dtype: 'float64' });
    expect(() => lstsq(A, tensor([[1], [2]]))).toThrow('lstsq: B must have shape [N] or [N, o] with N = 3 (the rows of A [3, 2]), got [2, 1]');
    expect(() => lstsq(A, tensor([1, 2, 3]))).toThrow('lstsq: A is rank-deficient');
    expect(() => lstsq(A, tensor([1, 2, 3]), { method: 'cholesky' })).toThrow('not positive definite');
    expect(lstsq(A, tensor([1, 2, 3]), { ridge: 1e-8 }).shape).toEqual([2]);
    expect(() => lstsq(tensor([[1, 2, 3]]), tensor([1]))).toThrow('A has 1 rows but 3 columns, so the solution is not unique; pass ridge > 0');
    expect(() => lstsq(A, tensor([1, 2, 3]), { ridge: -1 })).toThrow('lstsq: ridge must be finite and ≥ 0, got -1');
    expect(() => lstsq(tensor([1, 2]), tensor([1, 2]))).toThrow('lstsq: A must have shape [N, m], got [2]');
  });
});
