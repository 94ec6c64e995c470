import { describe, expect, it } from 'vitest';
import { type DType, Rng, type Tensor, tensor } from '../index.js';
import { ZCAWhitening } from './zca-whitening.js';

/** N samples of x = A z + μ with z ~ N(0, I): correlated Gaussians with covariance A Aᵀ. */
function correlated(n: number, dtype: DType, seed = 0): Tensor {
  // Σ = A Aᵀ has eigenvalues ≈ 0.16 … 9.6 and correlations up to 0.83
  const a = [
    [2, 0, 0, 0, 0],
    [1.5, 1, 0, 0, 0],
    [-1, 0.3, 1, 0, 0],
    [0.5, 1, -0.4, 1, 0],
    [1, 0.5, 0.5, 0.5, 1],
  ];
  const mu = [10, -4, 0, 2, 100];
  const rng = new Rng(seed);
  const rows = Array.from({ length: n }, () => {
    const z = mu.map(() => rng.normal());
    return a.map((row, i) => mu[i]! + row.reduce((s, v, k) => s + v * z[k]!, 0));
  });
  return tensor(rows, { dtype });
}

/** The unbiased covariance (1/(N − 1)) Σ (x − x̄)(x − x̄)ᵀ, as a d×d array. */
function cov(t: Tensor): number[][] {
  const [n, d] = t.shape as [number, number];
  const m = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j]! += t.data[i * d + j]! / n;
  const c = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) c[j]![k]! += ((t.data[i * d + j]! - m[j]!) * (t.data[i * d + k]! - m[k]!)) / (n - 1);
  }
  return c;
}

const maxAbsFromIdentity = (c: number[][]) => Math.max(...c.flatMap((row, i) => row.map((v, j) => Math.abs(v - (i === j ? 1 : 0)))));

describe('ZCAWhitening', () => {
  it.each(['float64', 'float32'] as const)('%s: identity covariance on 2000×5 correlated training data; W symmetric', (dtype) => {
    const x = correlated(2000, dtype);
    expect(maxAbsFromIdentity(cov(x))).toBeGreaterThan(1);
    const zca = new ZCAWhitening();
    const xw = zca.fitTransform(x);
    expect(xw.dtype).toBe(dtype);
    expect(xw.shape).toEqual([2000, 5]);
    expect(maxAbsFromIdentity(cov(xw))).toBeLessThan(1e-3);
    // without ε the covariance is I to rounding
    expect(maxAbsFromIdentity(cov(new ZCAWhitening({ eps: 0 }).fitTransform(x)))).toBeLessThan(dtype === 'float64' ? 1e-10 : 1e-5);
    const w = zca.matrix();
    expect(w.shape).toEqual([5, 5]);
    expect(w.dtype).toBe('float64');
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(w.data[i * 5 + j]).toBe(w.data[j * 5 + i]);
  });

  it('W = Σ^(−1/2) = U diag(1/√λ) Uᵀ, hand-computed on a 2-feature set', () => {
    // mean 0 and Σ = (1/5)·[[12, 8], [8, 12]]: eigenvalues 0.8 along (1, −1) and 4 along (1, 1)
    const x = tensor([[1, 1], [-1, -1], [1, -1], [-1, 1], [2, 2], [-2, -2]], { dtype: 'float64' });
    const zca = new ZCAWhitening({ eps: 0 }).fit(x);
    const state = zca.state();
    expect(state.eigenvalues[0]).toBeCloseTo(4 / 5, 12);
    expect(state.eigenvalues[1]).toBeCloseTo(4, 12);
    const w = zca.matrix().toArray() as number[][];
    // W = U diag(1/√λ) Uᵀ with U = [(1,−1)/√2, (1,1)/√2]
    const a = (1 / Math.sqrt(4 / 5) + 1 / 2) / 2;
    const b = (1 / 2 - 1 / Math.sqrt(4 / 5)) / 2;
    expect(w[0]![0]).toBeCloseTo(a, 12);
    expect(w[0]![1]).toBeCloseTo(b, 12);
    expect(w[1]![1]).toBeCloseTo(a, 12);
    // a test point uses the training mean (0) and W
    const out = zca.transform(tensor([[1, 0]], { dtype: 'float64' })).toArray() as number[][];
    expect(out[0]![0]).toBeCloseTo(a, 12);
    expect(out[0]![1]).toBeCloseTo(b, 12);
  });

  it('applies training statistics to test data: test data from the same distribution come out nearly white', () => {
    const zca = new ZCAWhitening().fit(correlated(4000, 'float64', 1));
    const xt = zca.transform(correlated(4000, 'float64', 2));
    expect(maxAbsFromIdentity(cov(xt))).toBeLessThan(0.15);
    expect(maxAbsFromIdentity(cov(xt))).toBeGreaterThan(1e-3);
  });

  it('inverseTransform round-trips and state() restores the same map', () => {
    const x = correlated(300, 'float64', 4);
    const zca = new ZCAWhitening().fit(x);
    const back = zca.inverseTransform(zca.transform(x));
    let err = 0;
    back.data.forEach((v, k) => {
      err = Math.max(err, Math.abs(v - x.data[k]!));
    });
    expect(err).toBeLessThan(1e-9);
    const r = ZCAWhitening.fromState(JSON.parse(JSON.stringify(zca.state())));
    expect(Array.from(r.transform(x).data)).toEqual(Array.from(zca.transform(x).data));
  });

  it('a constant feature stays finite thanks to ε', () => {
    const x = tensor([[1, 5], [2, 5], [3, 5]], { dtype: 'float64' });
    const out = new ZCAWhitening().fitTransform(x);
    for (const v of out.data) expect(Number.isFinite(v)).toBe(true);
    expect(() => new ZCAWhitening({ eps: 0 }).fit(x)).toThrow('ZCAWhitening: eigenvalue 0 of the covariance is 0; with eps = 0 W is undefined (use eps > 0)');
  });

  it('bad input: transform before fit, wrong feature count, too few rows, bad state', () => {
    expect(() => new ZCAWhitening().transform(tensor([[1, 2]]))).toThrow('ZCAWhitening.transform: not fitted; call fit(x) on the training data first');
    expect(() => new ZCAWhitening().matrix()).toThrow('ZCAWhitening.matrix: not fitted');
    const zca = new ZCAWhitening().fit(correlated(20, 'float32'));
    expect(() => zca.transform(tensor([[1, 2, 3, 4]]))).toThrow('ZCAWhitening.transform: expected 5 features, got 4');
    expect(() => zca.inverseTransform(tensor([[1, 2, 3, 4, 5, 6]]))).toThrow('ZCAWhitening.inverseTransform: expected 5 features, got 6');
    expect(() => new ZCAWhitening().fit(tensor([[1, 2]]))).toThrow('ZCAWhitening.fit: expected at least 2 rows to estimate a covariance, got 1');
    const state = zca.state();
    expect(() => ZCAWhitening.fromState({ ...state, eigenvectors: [1] })).toThrow('ZCAWhitening.fromState: state.eigenvectors must have 25 entries, got 1');
  });
});
