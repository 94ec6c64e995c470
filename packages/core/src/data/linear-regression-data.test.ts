import { describe, expect, it } from 'vitest';
import { linearRegressionData } from './linear-regression-data.js';

describe('linearRegressionData', () => {
  it('defaults to the lectures’ N = 30 samples, x [30, 1] in [0, 1) and y [30, 1], float32', () => {
    const { x, y } = linearRegressionData();
    expect(x.shape).toEqual([30, 1]);
    expect(y.shape).toEqual([30, 1]);
    expect(x.dtype).toBe('float32');
    for (const v of x.data) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('noise bounds: |y − (3x + 2)| ≤ 0.1 (exactly in float64, up to the rounding of y in float32)', () => {
    const d64 = linearRegressionData({ n: 2000, dtype: 'float64', seed: 1 });
    const r64 = Array.from(d64.y.data, (v, i) => v - (3 * d64.x.data[i]! + 2));
    expect(Math.max(...r64.map(Math.abs))).toBeLessThanOrEqual(0.1);
    // the noise really spans the interval, and is centred
    expect(Math.max(...r64)).toBeGreaterThan(0.09);
    expect(Math.min(...r64)).toBeLessThan(-0.09);
    expect(Math.abs(r64.reduce((s, v) => s + v, 0) / r64.length)).toBeLessThan(0.01);
    const d32 = linearRegressionData({ n: 2000, seed: 1 });
    for (let i = 0; i < 2000; i++) expect(Math.abs(d32.y.data[i]! - (3 * d32.x.data[i]! + 2))).toBeLessThanOrEqual(0.1 + 3e-7);
  });

  it('is deterministic by seed', () => {
    const a = linearRegressionData({ seed: 3 });
    expect(Array.from(linearRegressionData({ seed: 3 }).y.data)).toEqual(Array.from(a.y.data));
    expect(Array.from(linearRegressionData({ seed: 4 }).x.data)).not.toEqual(Array.from(a.x.data));
  });

  it('draws x then noise per sample from Rng(seed): seed 7 gives the least-squares fit (b, w) ≈ (2.0154, 2.9727)', () => {
    // the same data as packages/optim's linear-regression example
    const { x, y } = linearRegressionData({ seed: 7, dtype: 'float64' });
    let [sx, sy, sxx, sxy] = [0, 0, 0, 0];
    for (let i = 0; i < 30; i++) {
      sx += x.data[i]!;
      sy += y.data[i]!;
      sxx += x.data[i]! ** 2;
      sxy += x.data[i]! * y.data[i]!;
    }
    const w = (30 * sxy - sx * sy) / (30 * sxx - sx * sx);
    const b = (sy - w * sx) / 30;
    expect(b).toBeCloseTo(2.0154, 4);
    expect(w).toBeCloseTo(2.9727, 4);
  });

  it('takes slope, intercept, noise and the x range', () => {
    const { x, y } = linearRegressionData({ n: 50, slope: -1, intercept: 5, noise: 0, low: 10, high: 20, dtype: 'float64' });
    for (let i = 0; i < 50; i++) {
      expect(x.data[i]).toBeGreaterThanOrEqual(10);
      expect(x.data[i]).toBeLessThan(20);
      expect(y.data[i]).toBe(-x.data[i]! + 5);
    }
  });

  it('rejects bad options', () => {
    expect(() => linearRegressionData({ n: -1 })).toThrow('linearRegressionData: n must be a non-negative integer, got -1');
    expect(() => linearRegressionData({ noise: -0.1 })).toThrow('linearRegressionData: noise must be a finite number >= 0, got -0.1');
    expect(() => linearRegressionData({ low: 1, high: 0 })).toThrow('linearRegressionData: expected finite low < high, got low = 1, high = 0');
  });
});
