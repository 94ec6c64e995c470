import { describe, expect, it } from 'vitest';
import { Rng, tensor } from '../index.js';
import { MinMaxScaler } from './min-max-scaler.js';

describe('MinMaxScaler', () => {
  const rng = new Rng(3);
  const rows = Array.from({ length: 200 }, () => [rng.uniform(-5, 5), rng.uniform(100, 1000), rng.normal()]);

  it.each(['float32', 'float64'] as const)('%s: maps the training min/max of each feature to the range ends', (dtype) => {
    const x = tensor(rows, { dtype });
    const z = new MinMaxScaler({ featureRange: [-1, 2] }).fitTransform(x);
    expect(z.dtype).toBe(dtype);
    const cols = [0, 1, 2].map((j) => Array.from(z.data).filter((_, k) => k % 3 === j));
    for (const c of cols) {
      expect(Math.min(...c)).toBeCloseTo(-1, dtype === 'float64' ? 12 : 6);
      expect(Math.max(...c)).toBeCloseTo(2, dtype === 'float64' ? 12 : 5);
    }
  });

  it('default range [0, 1]: the lectures’ (x − min)/(max − min), applied to test data with training statistics', () => {
    const s = new MinMaxScaler().fit(tensor([[0, 10], [4, 20]], { dtype: 'float64' }));
    expect(s.transform(tensor([[1, 15], [8, 0]], { dtype: 'float64' })).toArray()).toEqual([[0.25, 0.5], [2, -1]]);
  });

  it('inverseTransform round-trips', () => {
    const x = tensor(rows, { dtype: 'float64' });
    const s = new MinMaxScaler({ featureRange: [-3, 3] }).fit(x);
    const back = s.inverseTransform(s.transform(x));
    let err = 0;
    back.data.forEach((v, k) => {
      err = Math.max(err, Math.abs(v - x.data[k]!));
    });
    expect(err).toBeLessThan(1e-12);
  });

  it('a constant feature maps to the lower end without dividing by zero', () => {
    const s = new MinMaxScaler({ featureRange: [2, 5] });
    const z = s.fitTransform(tensor([[3, 1], [3, 2]], { dtype: 'float64' }));
    expect(z.toArray()).toEqual([[2, 2], [2, 5]]);
    expect(s.inverseTransform(z).toArray()).toEqual([[3, 1], [3, 2]]);
  });

  it('state() round-trips through JSON', () => {
    const s = new MinMaxScaler({ featureRange: [0, 10] }).fit(tensor([[1, 2], [3, 6]]));
    const state = JSON.parse(JSON.stringify(s.state()));
    expect(state).toEqual({ kind: 'MinMaxScaler', featureRange: [0, 10], dataMin: [1, 2], dataMax: [3, 6] });
    expect(MinMaxScaler.fromState(state).transform(tensor([[2, 4]])).toArray()).toEqual([[5, 5]]);
    expect(() => MinMaxScaler.fromState({ ...state, dataMin: [4, 2] })).toThrow(
      'MinMaxScaler.fromState: state.dataMin[0] = 4 exceeds state.dataMax[0] = 3',
    );
  });

  it('bad input: transform before fit, wrong feature count, bad range', () => {
    expect(() => new MinMaxScaler().transform(tensor([[1]]))).toThrow('MinMaxScaler.transform: not fitted; call fit(x) on the training data first');
    const s = new MinMaxScaler().fit(tensor([[1, 2, 3]]));
    expect(() => s.transform(tensor([[1, 2]]))).toThrow('MinMaxScaler.transform: expected 3 features, got 2');
    expect(() => new MinMaxScaler({ featureRange: [1, 1] })).toThrow('MinMaxScaler: featureRange must be [a, b] with finite a < b, got [1,1]');
    expect(() => s.fit(tensor([[Number.POSITIVE_INFINITY]]))).toThrow('MinMaxScaler.fit: x must be finite, got Infinity at row 0, feature 0');
  });
});
