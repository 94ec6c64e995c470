import { describe, expect, it } from 'vitest';
import { twoSpirals } from './two-spirals.js';

describe('twoSpirals', () => {
  it('shapes, labels and class balance', () => {
    const { x, y } = twoSpirals({ n: 200 });
    expect(x.shape).toEqual([200, 2]);
    expect(y.shape).toEqual([200, 1]);
    expect(x.dtype).toBe('float32');
    const labels = Array.from(y.data);
    expect(labels.filter((v) => v === 0).length).toBe(100);
    expect(labels.filter((v) => v === 1).length).toBe(100);
    expect(labels.slice(0, 100).every((v) => v === 0)).toBe(true);
  });

  it('without noise the points lie on the spirals r = s, θ = 2π·turns·s, class 1 the reflection of class 0', () => {
    const m = 50;
    const turns = 2;
    const { x } = twoSpirals({ n: 2 * m, turns, dtype: 'float64' });
    for (let i = 0; i < m; i++) {
      const s = (i + 1) / m;
      expect(Math.hypot(x.data[2 * i]!, x.data[2 * i + 1]!)).toBeCloseTo(s, 12);
      const theta = 2 * Math.PI * turns * s;
      expect(x.data[2 * i]).toBeCloseTo(s * Math.cos(theta), 12);
      expect(x.data[2 * i + 1]).toBeCloseTo(s * Math.sin(theta), 12);
      expect(x.data[2 * (m + i)]).toBe(-x.data[2 * i]!);
      expect(x.data[2 * (m + i) + 1]).toBe(-x.data[2 * i + 1]!);
    }
    // the outermost point of class 0 ends at angle 2π·turns, i.e. on the positive x axis
    expect(x.data[2 * (m - 1)]).toBeCloseTo(1, 12);
  });

  it('noise is Gaussian with the given std, and deterministic by seed', () => {
    const clean = twoSpirals({ n: 4000, dtype: 'float64' });
    const noisy = twoSpirals({ n: 4000, noise: 0.05, seed: 1, dtype: 'float64' });
    const d = Array.from(noisy.x.data, (v, k) => v - clean.x.data[k]!);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(Math.abs(std - 0.05) / 0.05).toBeLessThan(0.03);
    expect(Array.from(twoSpirals({ n: 4000, noise: 0.05, seed: 1, dtype: 'float64' }).x.data)).toEqual(Array.from(noisy.x.data));
    expect(Array.from(twoSpirals({ n: 4000, noise: 0.05, seed: 2, dtype: 'float64' }).x.data)).not.toEqual(Array.from(noisy.x.data));
  });

  it('rejects an odd n and bad noise or turns', () => {
    expect(() => twoSpirals({ n: 7 })).toThrow('twoSpirals: n must be an even integer >= 2 (two balanced classes), got 7');
    expect(() => twoSpirals({ noise: -1 })).toThrow('twoSpirals: noise must be a finite number >= 0, got -1');
    expect(() => twoSpirals({ turns: 0 })).toThrow('twoSpirals: turns must be a finite number > 0, got 0');
  });
});
