import { describe, expect, it } from 'vitest';
import { Rng, tensor, type Tensor } from '../index.js';
import { kmeans, kmeansPlusPlus } from './kmeans.js';

/** `perBlob` points around each centre with N(0, std²) noise, interleaved blob by blob. */
function blobs(centres: number[][], perBlob: number, std: number, rng: Rng): { x: Tensor; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < perBlob; i++) {
    centres.forEach((c, j) => {
      rows.push(c.map((v) => v + rng.normal(0, std)));
      labels.push(j);
    });
  }
  return { x: tensor(rows, { dtype: 'float64' }), labels };
}

const rowsOf = (t: Tensor) => t.toArray() as number[][];
const CENTRES = [[0, 0], [10, 0], [0, 10], [10, 10]];

describe('kmeansPlusPlus', () => {
  it('is deterministic by seed, and its centres are data points', () => {
    const { x } = blobs(CENTRES, 30, 1, new Rng(0));
    const a = kmeansPlusPlus(x, 4, new Rng(7));
    const b = kmeansPlusPlus(x, 4, new Rng(7));
    const c = kmeansPlusPlus(x, 4, new Rng(8));
    expect(a.shape).toEqual([4, 2]);
    expect(a.dtype).toBe('float64');
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const points = rowsOf(x).map((r) => r.join(','));
    for (const r of rowsOf(a)) expect(points).toContain(r.join(','));
  });

  it('D² sampling puts one seed in each of four well-separated blobs, for every seed tried', () => {
    const { x } = blobs(CENTRES, 50, 0.5, new Rng(1));
    for (let seed = 0; seed < 20; seed++) {
      const seeds = rowsOf(kmeansPlusPlus(x, 4, new Rng(seed)));
      const blobOf = seeds.map((s) => CENTRES.findIndex((c) => Math.hypot(s[0]! - c[0]!, s[1]! - c[1]!) < 3));
      expect(new Set(blobOf).size).toBe(4);
      expect(blobOf).not.toContain(-1);
    }
  });

  it('with fewer distinct points than k, still returns k centres (duplicates)', () => {
    const x = tensor([[1, 1], [1, 1], [2, 2]]);
    const c = rowsOf(kmeansPlusPlus(x, 3, new Rng(0)));
    expect(c).toHaveLength(3);
    expect(new Set(c.map((r) => r.join(','))).size).toBe(2);
  });

  it('rejects k > N, a non-integer k and a non-2-D input', () => {
    const x = tensor([[0, 0], [1, 1], [2, 2]]);
    expect(() => kmeansPlusPlus(x, 4, new Rng(0))).toThrow('kmeansPlusPlus: k = 4 exceeds the number of points N = 3');
    expect(() => kmeansPlusPlus(x, 1.5, new Rng(0))).toThrow('kmeansPlusPlus: k must be a positive integer, got 1.5');
    expect(() => kmeansPlusPlus(tensor([1, 2, 3]), 2, new Rng(0))).toThrow('expected points of shape [N, d], got [3]');
    expect(() => kmeansPlusPlus(tensor([[0, Number.NaN]]), 1, new Rng(0))).toThrow('non-finite');
  });
});

describe('kmeans', () => {
  it('finds four well-separated blobs: centres within 0.3 of the truth, one label per blob', () => {
    const { x, labels } = blobs(CENTRES, 50, 0.5, new Rng(2));
    const r = kmeans(x, 4, { rng: new Rng(3) });
    expect(r.converged).toBe(true);
    const found = rowsOf(r.centers);
    for (const c of CENTRES) {
      const d = Math.min(...found.map((f) => Math.hypot(f[0]! - c[0]!, f[1]! - c[1]!)));
      expect(d).toBeLessThan(0.3);
    }
    // The partition equals the generating one up to relabelling.
    const map = new Map<number, number>();
    labels.forEach((l, i) => {
      if (!map.has(l)) map.set(l, r.assignments[i]!);
      expect(r.assignments[i]).toBe(map.get(l));
    });
    expect(new Set(map.values()).size).toBe(4);
    // inertia = Σ ‖x − μ_a‖², recomputed.
    const xs = rowsOf(x);
    const inertia = xs.reduce((s, p, i) => s + (p[0]! - found[r.assignments[i]!]![0]!) ** 2 + (p[1]! - found[r.assignments[i]!]![1]!) ** 2, 0);
    expect(r.inertia).toBeCloseTo(inertia, 9);
  });

  it('is deterministic by seed', () => {
    const { x } = blobs(CENTRES, 20, 3, new Rng(4));
    const a = kmeans(x, 5, { rng: new Rng(9) });
    const b = kmeans(x, 5, { rng: new Rng(9) });
    expect(Array.from(a.centers.data)).toEqual(Array.from(b.centers.data));
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.inertia).toBe(b.inertia);
  });

  it('nInit keeps the best of several restarts (never worse than the first)', () => {
    const { x } = blobs(CENTRES, 20, 3, new Rng(5));
    for (let seed = 0; seed < 5; seed++) {
      const one = kmeans(x, 6, { rng: new Rng(seed) });
      const many = kmeans(x, 6, { rng: new Rng(seed), nInit: 8 });
      expect(many.inertia).toBeLessThanOrEqual(one.inertia);
    }
  });

  it('re-seeds an empty cluster on the worst-served point', () => {
    const x = tensor([[0, 0], [1, 0], [10, 10]], { dtype: 'float64' });
    const r = kmeans(x, 3, { init: tensor([[0, 0], [0, 0], [5, 5]], { dtype: 'float64' }) });
    expect(r.inertia).toBe(0);
    expect(new Set(r.assignments).size).toBe(3);
  });

  it('keeps the input dtype and validates its options', () => {
    const x = tensor([[0, 0], [1, 1], [2, 2]]);
    expect(kmeans(x, 2, { rng: new Rng(0) }).centers.dtype).toBe('float32');
    expect(() => kmeans(x, 5)).toThrow('kmeans: k = 5 exceeds the number of points N = 3');
    expect(() => kmeans(x, 2, { maxIter: 0 })).toThrow('kmeans: maxIter must be a positive integer, got 0');
    expect(() => kmeans(x, 2, { init: tensor([[0, 0]]) })).toThrow('kmeans: init must have shape [2, 2], got [1, 2]');
  });
});
