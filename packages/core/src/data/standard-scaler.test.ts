import { describe, expect, it } from 'vitest';
import { type DType, Rng, type Tensor, tensor } from '../index.js';
import { StandardScaler } from './standard-scaler.js';

/** [N, d] samples with feature j ~ N(mean_j, std_j²). */
function gaussian(n: number, means: number[], stds: number[], dtype: DType, seed = 0): Tensor {
  const rng = new Rng(seed);
  const rows = Array.from({ length: n }, () => means.map((m, j) => m + stds[j]! * rng.normal()));
  return tensor(rows, { dtype });
}

function columnStats(t: Tensor): { mean: number[]; std: number[] } {
  const [n, d] = t.shape as [number, number];
  const mean = new Array<number>(d).fill(0);
  const ss = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += t.data[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) ss[j]! += (t.data[i * d + j]! - mean[j]!) ** 2;
  return { mean, std: ss.map((s) => Math.sqrt(s / n)) };
}

describe('StandardScaler (z-score)', () => {
  it.each([
    ['float64', 1e-6, 1e-9],
    ['float32', 1e-5, 1e-5],
  ] as const)('%s: per-feature mean 0 and std 1 (ddof = 0) on the training set', (dtype, meanTol, stdTol) => {
    const x = gaussian(1000, [5, -300, 0.01], [2, 40, 0.001], dtype);
    const z = new StandardScaler().fitTransform(x);
    expect(z.dtype).toBe(dtype);
    expect(z.shape).toEqual([1000, 3]);
    const { mean, std } = columnStats(z);
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(meanTol);
    for (const s of std) expect(Math.abs(s - 1)).toBeLessThan(stdTol);
  });

  it('applies the training statistics to other data (hand-computed)', () => {
    // feature 0: 1, 2, 3 → μ = 2, σ = √(2/3); feature 1: 10, 10, 40 → μ = 20, σ = √200
    const train = tensor([[1, 10], [2, 10], [3, 40]], { dtype: 'float64' });
    const s = new StandardScaler().fit(train);
    expect(Array.from(s.mean)).toEqual([2, 20]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(2 / 3), 15);
    expect(s.scale[1]).toBeCloseTo(Math.sqrt(200), 13);
    const out = s.transform(tensor([[5, 0]], { dtype: 'float64' }));
    expect(out.data[0]).toBeCloseTo(3 / Math.sqrt(2 / 3), 13);
    expect(out.data[1]).toBeCloseTo(-20 / Math.sqrt(200), 13);
  });

  it('inverseTransform round-trips; a constant feature is only centred', () => {
    const train = tensor([[1, 7], [2, 7], [4, 7]], { dtype: 'float64' });
    const s = new StandardScaler().fit(train);
    expect(s.scale[1]).toBe(1);
    const z = s.transform(train);
    expect(Array.from(z.data).filter((_, k) => k % 2 === 1)).toEqual([0, 0, 0]);
    const back = s.inverseTransform(z);
    back.data.forEach((v, k) => expect(v).toBeCloseTo(train.data[k]!, 13));
  });

  it('eps is added to σ as in the lectures: (x − μ)/(σ + ε)', () => {
    const s = new StandardScaler({ eps: 0.5 }).fit(tensor([[0], [2]], { dtype: 'float64' }));
    expect(s.scale[0]).toBe(1.5);
    expect(s.transform(tensor([[4]], { dtype: 'float64' })).item()).toBe(2);
  });

  it('state() is plain data and fromState restores the same map', () => {
    const x = gaussian(50, [1, 2], [3, 4], 'float64');
    const s = new StandardScaler().fit(x);
    const state = JSON.parse(JSON.stringify(s.state()));
    expect(state.kind).toBe('StandardScaler');
    const r = StandardScaler.fromState(state);
    expect(Array.from(r.transform(x).data)).toEqual(Array.from(s.transform(x).data));
    expect(() => StandardScaler.fromState({ ...state, scale: [1] })).toThrow('StandardScaler.fromState: state.scale must have 2 entries, got 1');
    expect(() => StandardScaler.fromState({ ...state, scale: [1, 0] })).toThrow('StandardScaler.fromState: state.scale[1] must be > 0, got 0');
    expect(() => StandardScaler.fromState({ ...state, kind: 'MinMaxScaler' } as never)).toThrow(
      'StandardScaler.fromState: expected state.kind "StandardScaler", got "MinMaxScaler"',
    );
  });

  it('bad input: transform before fit, wrong feature count, non-2-D, non-finite, empty', () => {
    const s = new StandardScaler();
    expect(s.fitted).toBe(false);
    expect(() => s.transform(tensor([[1, 2, 3]]))).toThrow('StandardScaler.transform: not fitted; call fit(x) on the training data first');
    expect(() => s.state()).toThrow('StandardScaler.state: not fitted');
    s.fit(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(s.fitted).toBe(true);
    expect(() => s.transform(tensor([[1, 2, 3, 4]]))).toThrow('StandardScaler.transform: expected 3 features, got 4');
    expect(() => s.inverseTransform(tensor([[1, 2]]))).toThrow('StandardScaler.inverseTransform: expected 3 features, got 2');
    expect(() => s.transform(tensor([1, 2, 3]))).toThrow('StandardScaler.transform: expected a 2-D tensor [N, features], got shape [3]');
    expect(() => s.fit(tensor([[1, Number.NaN]]))).toThrow('StandardScaler.fit: x must be finite, got NaN at row 0, feature 1');
    expect(() => s.fit(tensor([], { shape: [0, 2] }))).toThrow('StandardScaler.fit: expected at least 1 row, got 0');
    expect(() => new StandardScaler({ eps: -1 })).toThrow('StandardScaler: eps must be a finite number >= 0, got -1');
  });
});
