import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../index.js';
import { trainTestSplit } from './train-test-split.js';

const N = 100;
const x = arange(2 * N, undefined, 1, { dtype: 'float64' }).reshape([N, 2]);
const ids = arange(N, undefined, 1, { dtype: 'float64' }).reshape([N, 1]);

describe('trainTestSplit', () => {
  it('splits a fraction (ceil for the test set), disjoint and covering, rows paired', () => {
    const s = trainTestSplit(x, ids, { testSize: 0.25 });
    expect(s.xTrain.shape).toEqual([75, 2]);
    expect(s.yTrain.shape).toEqual([75, 1]);
    expect(s.xTest.shape).toEqual([25, 2]);
    expect(s.yTest.shape).toEqual([25, 1]);
    const tr = Array.from(s.yTrain.data);
    const te = Array.from(s.yTest.data);
    expect(new Set([...tr, ...te]).size).toBe(N);
    expect(tr.filter((i) => te.includes(i))).toEqual([]);
    for (let i = 0; i < 25; i++) expect(s.xTest.data[2 * i]).toBe(2 * s.yTest.data[i]!);
    expect(te).not.toEqual([...te].sort((a, b) => a - b));
    expect(trainTestSplit(x, ids, { testSize: 0.333 }).xTest.shape[0]).toBe(34);
  });

  it('takes a whole count; without shuffle the test set is the tail', () => {
    const s = trainTestSplit(x, ids, { testSize: 10, shuffle: false });
    expect(Array.from(s.yTest.data)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(s.yTrain.data[0]).toBe(0);
    expect(s.xTrain.shape).toEqual([90, 2]);
  });

  it('is deterministic by seed', () => {
    const a = trainTestSplit(x, ids, { testSize: 0.2, seed: 5 });
    const b = trainTestSplit(x, ids, { testSize: 0.2, seed: 5 });
    const c = trainTestSplit(x, ids, { testSize: 0.2, seed: 6 });
    expect(Array.from(a.yTest.data)).toEqual(Array.from(b.yTest.data));
    expect(Array.from(a.yTest.data)).not.toEqual(Array.from(c.yTest.data));
  });

  it('stratify keeps the class proportions of labels', () => {
    // 60 % class 0, 30 % class 1, 10 % class 2
    const labels = tensor(Array.from({ length: N }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2)));
    const s = trainTestSplit(x, labels, { testSize: 0.2, stratify: true, seed: 1 });
    const count = (t: typeof labels, c: number) => Array.from(t.data).filter((v) => v === c).length;
    expect([0, 1, 2].map((c) => count(s.yTest, c))).toEqual([12, 6, 2]);
    expect([0, 1, 2].map((c) => count(s.yTrain, c))).toEqual([48, 24, 8]);
    // rows stay paired with their labels
    for (let i = 0; i < s.yTest.size; i++) {
      const row = s.xTest.data[2 * i]! / 2;
      expect(s.yTest.data[i]).toBe(labels.data[row]);
    }
  });

  it('stratify apportions by largest remainder and works on one-hot rows', () => {
    // classes of sizes 5, 3, 2 and 3 test rows: quotas 1.5, 0.9, 0.6 → 1 + 1 + 1
    const oneHot = tensor([0, 0, 0, 0, 0, 1, 1, 1, 2, 2].map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
    const xs = arange(10).reshape([10, 1]);
    const s = trainTestSplit(xs, oneHot, { testSize: 3, stratify: true });
    expect(s.yTest.sum(0).toArray()).toEqual([1, 1, 1]);
    expect(s.yTrain.sum(0).toArray()).toEqual([4, 2, 1]);
    const u = trainTestSplit(xs, oneHot, { testSize: 3, stratify: true, shuffle: false });
    expect(Array.from(u.xTest.data)).toEqual([4, 7, 9]);
  });

  it('rejects bad sizes and mismatched rows', () => {
    expect(() => trainTestSplit(x, zeros([99]), { testSize: 0.2 })).toThrow(
      'trainTestSplit: x and y must have the same number of rows, got x [100, 2] and y [99]',
    );
    expect(() => trainTestSplit(x, ids, { testSize: 0 })).toThrow('trainTestSplit: testSize must be a fraction in (0, 1) or a whole count >= 1, got 0');
    expect(() => trainTestSplit(x, ids, { testSize: 2.5 })).toThrow('got 2.5');
    expect(() => trainTestSplit(x, ids, { testSize: 100 })).toThrow(
      'trainTestSplit: testSize 100 leaves no training rows: 100 test rows of 100; expected fewer than 100',
    );
  });
});
