import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import {
  MNIST1D_DEFAULTS,
  gaussianFilter1d,
  interpolate,
  linspace,
  mnist1d,
  mnist1dExample,
  mnist1dTemplates,
  padZeros,
  shear,
  translate,
} from './mnist1d.js';

/** NumPy and SciPy's numbers (fixtures/mnist1d.py). */
const ref = JSON.parse(readFileSync(new URL('./fixtures/mnist1d.json', import.meta.url), 'utf8')) as Record<string, number[] & number[][]>;

const close = (a: number[], e: number[], tol: number) => {
  expect(a).toHaveLength(e.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - e[i]!) / Math.max(1, Math.abs(e[i]!))));
  expect(worst).toBeLessThanOrEqual(tol);
};

/** No randomness but the one under test: all other transforms switched off. */
const quiet = { ...MNIST1D_DEFAULTS, padding: [0, 0] as [number, number], scaleCoeff: 0, maxTranslation: 1, corrNoiseScale: 0, iidNoiseScale: 0, shearScale: 0 };
const eps = (t: number[]) => t.map((v) => v + 1e-8);

describe('mnist1d: the published templates and transforms', () => {
  it("the ten templates and their abscissae are the published ones (NumPy's get_templates)", () => {
    const { x, t } = mnist1dTemplates();
    expect(x).toHaveLength(10);
    expect(x).toEqual(ref.templates); // bit for bit: the means and stds summed in NumPy's order
    close(t, ref.t, 0);
    for (const row of x) expect(row[0]).toBe(0); // each starts at 0 (and the published ones end there, but 1, 4, 7)
  });

  it("linspace and interpolate are NumPy's linspace and SciPy's interp1d(kind='linear')", () => {
    close(linspace(-0.5, 0.5, 72), ref.linspace, 0);
    close(interpolate(ref.signal, 40), ref.interpolate40, 1e-15);
    close(interpolate(ref.signal, 100), ref.interpolate100, 1e-15);
    expect(() => interpolate([1], 4)).toThrow('mnist1d interpolate: expected at least 2 samples, got 1');
  });

  it("gaussianFilter1d is SciPy's gaussian_filter (σ 2, 'reflect'), also on a signal shorter than its radius", () => {
    close(gaussianFilter1d(ref.signal, 2), ref.gaussianFilter, 1e-15);
    close(gaussianFilter1d(ref.signal.slice(0, 5), 2), ref.gaussianFilterShort, 1e-15);
    close(gaussianFilter1d([3, 3, 3, 3, 3, 3], 2), [3, 3, 3, 3, 3, 3], 1e-15); // weights sum to 1
  });

  it('padZeros appends zeros; translate rotates right and back; shear subtracts a line', () => {
    expect(padZeros([1, 2], 3)).toEqual([1, 2, 0, 0, 0]);
    expect(translate([1, 2, 3, 4, 5], 2)).toEqual([4, 5, 1, 2, 3]);
    expect(translate([1, 2, 3, 4, 5], 0)).toEqual([1, 2, 3, 4, 5]);
    expect(translate(translate(ref.signal, 17), 72 - 17)).toEqual(ref.signal);
    const d = shear(ref.signal, 0.3).map((v, i) => ref.signal[i]! - v);
    close(d, linspace(-0.15, 0.15, 72), 1e-15);
  });
});

describe('mnist1d: one example, one transform at a time', () => {
  const template = mnist1dTemplates().x[3]!;
  const plain = interpolate(eps(template), 40);

  it('with every transform off, an example is the template (+1e-8) resampled to 40 points', () => {
    close(mnist1dExample(template, new Rng(0), quiet), plain, 1e-15);
  });

  it('scale multiplies the whole example by one factor in [0.8, 1.2]', () => {
    const factors = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => {
      const x = mnist1dExample(template, new Rng(s), { ...quiet, scaleCoeff: 0.4 });
      const f = x[5]! / plain[5]!;
      close(x, plain.map((v) => v * f), 1e-12);
      return f;
    });
    for (const f of factors) expect(Math.abs(f - 1)).toBeLessThanOrEqual(0.2);
    expect(new Set(factors).size).toBe(factors.length);
  });

  it('padding and translation: the stretched, zero-padded template rotated by k < maxTranslation', () => {
    const args = { ...quiet, padding: [36, 36] as [number, number], maxTranslation: 48, finalSeqLength: 48 };
    const padded = padZeros(eps(template), 36);
    const ks = [0, 1, 2, 3, 4, 5].map((s) => {
      const x = mnist1dExample(template, new Rng(s), args);
      const k = Array.from({ length: 48 }, (_, k) => k).find((k) => translate(padded, k).every((v, i) => Math.abs(v - x[i]!) < 1e-12));
      expect(k).toBeDefined();
      return k!;
    });
    expect(new Set(ks).size).toBeGreaterThan(1);
  });

  it('correlated noise fills only the zero padding, with std 0.25·‖w‖ and strong correlation between neighbours', () => {
    const args = { ...quiet, padding: [60, 60] as [number, number], corrNoiseScale: 0.25, finalSeqLength: 72 };
    const clean = mnist1dExample(template, new Rng(0), { ...args, corrNoiseScale: 0 });
    const noise: number[] = [];
    let lag1 = 0;
    for (let s = 0; s < 200; s++) {
      const x = mnist1dExample(template, new Rng(s), args);
      x.forEach((v, i) => {
        if (i < 12) expect(Math.abs(v - clean[i]!)).toBeLessThan(1e-15);
        else if (i > 12) noise.push(v); // 12 is the interpolated step from the last template point to 0
      });
      for (let i = 14; i < 72; i++) lag1 += x[i]! * x[i - 1]!;
    }
    const w = Array.from({ length: 17 }, (_, j) => Math.exp(-((j - 8) ** 2) / 8));
    const norm = Math.hypot(...w) / w.reduce((a, b) => a + b, 0);
    const variance = noise.reduce((a, v) => a + v * v, 0) / noise.length;
    expect(Math.sqrt(variance) / (0.25 * norm)).toBeGreaterThan(0.9);
    expect(Math.sqrt(variance) / (0.25 * norm)).toBeLessThan(1.1);
    expect(lag1 / (200 * 58) / variance).toBeGreaterThan(0.85);
  });

  it('i.i.d. noise adds N(0, 0.02²) to every point', () => {
    const args = { ...quiet, padding: [60, 60] as [number, number], iidNoiseScale: 0.02, finalSeqLength: 72 };
    const clean = mnist1dExample(template, new Rng(0), { ...args, iidNoiseScale: 0 });
    const d: number[] = [];
    for (let s = 0; s < 100; s++) mnist1dExample(template, new Rng(s), args).forEach((v, i) => d.push(v - clean[i]!));
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.abs(std - 0.02) / 0.02).toBeLessThan(0.03);
  });

  it('shear adds a line through the middle with slope in [−0.375, 0.375] per unit length', () => {
    const slopes = [0, 1, 2, 3, 4, 5].map((s) => {
      const d = mnist1dExample(template, new Rng(s), { ...quiet, shearScale: 0.75 }).map((v, i) => v - plain[i]!);
      const c = d[0]! * 2; // the line −c·linspace(−½, ½): c/2 at the first point
      close(d, linspace(c / 2, -c / 2, 40), 1e-12);
      return c;
    });
    for (const c of slopes) expect(Math.abs(c)).toBeLessThanOrEqual(0.375);
    expect(new Set(slopes).size).toBe(slopes.length);
  });
});

describe('mnist1d: the data set', () => {
  const d = mnist1d();

  it('the published sizes: 4000 training and 1000 test examples of 40 points, 500 of each digit', () => {
    expect([d.xTrain, d.yTrain, d.xTest, d.yTest].map((t) => [t.shape, t.dtype])).toEqual([
      [[4000, 40], 'float32'],
      [[4000], 'float32'],
      [[1000, 40], 'float32'],
      [[1000], 'float32'],
    ]);
    const counts = new Array(10).fill(0);
    for (const y of [...d.yTrain.data, ...d.yTest.data]) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(500));
    // shuffled: the training set has every digit, not the first eight
    expect(new Set(d.yTrain.data).size).toBe(10);
    expect(d.t).toHaveLength(40);
  });

  it('all values together have mean 0 and std 1', () => {
    const all = [...d.xTrain.data, ...d.xTest.data];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, v) => a + (v - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(Math.abs(std - 1)).toBeLessThan(1e-6);
  });

  it('the same seed gives the same data bit for bit; another seed other data', () => {
    const again = mnist1d({ dtype: 'float64', numSamples: 300 });
    const same = mnist1d({ dtype: 'float64', numSamples: 300 });
    for (const k of ['xTrain', 'yTrain', 'xTest', 'yTest'] as const) {
      expect(Buffer.from(again[k].data.buffer).equals(Buffer.from(same[k].data.buffer))).toBe(true);
    }
    expect(Array.from(mnist1d({ dtype: 'float64', numSamples: 300, seed: 1 }).xTrain.data)).not.toEqual(Array.from(again.xTrain.data));
  });

  it('a digit\'s examples are closer to their own template than to the others on average', () => {
    const clean = mnist1dTemplates().x.map((t) => interpolate(interpolate(padZeros(t, 24), 72), 40));
    const { xTrain, yTrain } = mnist1d({ numSamples: 1000, trainSplit: 1, maxTranslation: 1, corrNoiseScale: 0, iidNoiseScale: 0, shearScale: 0, scaleCoeff: 0, padding: [24, 24], dtype: 'float64' });
    // with translation, noise, scale and shear off, an example is its template up to the global normalisation
    for (let r = 0; r < 1000; r++) {
      const row = Array.from(xTrain.data.subarray(40 * r, 40 * r + 40));
      const corr = clean.map((t) => pearson(t, row));
      expect(corr.indexOf(Math.max(...corr))).toBe(yTrain.data[r]);
    }
  });

  it('shuffleSeq applies one permutation of the positions to every example', () => {
    const a = mnist1d({ numSamples: 100, dtype: 'float64' });
    const b = mnist1d({ numSamples: 100, dtype: 'float64', shuffleSeq: true });
    const row = (t: typeof a.xTrain, r: number) => Array.from(t.data.subarray(40 * r, 40 * r + 40));
    // (the values agree to rounding: the mean and std are summed in another order)
    const perm = row(b.xTrain, 0).map((v) => row(a.xTrain, 0).findIndex((u) => Math.abs(u - v) < 1e-12));
    expect([...perm].sort((p, q) => p - q)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (let r = 1; r < 80; r++) close(perm.map((p) => row(a.xTrain, r)[p]!), row(b.xTrain, r), 1e-12);
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => mnist1d({ numSamples: 5 })).toThrow('mnist1d: numSamples must be an integer >= 10, got 5');
    expect(() => mnist1d({ trainSplit: 0 })).toThrow('mnist1d: trainSplit must be in (0, 1], got 0');
    expect(() => mnist1d({ padding: [10, 5] })).toThrow('mnist1d: padding must be integers [low, high] with 0 <= low <= high, got [10, 5]');
    expect(() => mnist1d({ maxTranslation: 73 })).toThrow('mnist1d: maxTranslation must be an integer in [1, 72] (12 + padding[1]), got 73');
    expect(() => mnist1d({ iidNoiseScale: -1 })).toThrow('mnist1d: iidNoiseScale must be a finite number >= 0, got -1');
    expect(() => mnist1d({ dtype: 'int8' as never })).toThrow(/dtype/);
  });
});

function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((v, i) => {
    ab += (v - ma) * (b[i]! - mb);
    aa += (v - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}
