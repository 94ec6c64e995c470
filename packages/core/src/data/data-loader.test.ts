import { describe, expect, it } from 'vitest';
import { arange } from '../index.js';
import { DataLoader } from './data-loader.js';
import { TensorDataset } from './dataset.js';

const N = 10;
const ds = new TensorDataset(arange(2 * N, undefined, 1, { dtype: 'float64' }).reshape([N, 2]), arange(N, undefined, 1, { dtype: 'float64' }));
const epochRows = (loader: DataLoader) => [...loader].map((b) => Array.from(b.y.data));

describe('DataLoader', () => {
  it('without shuffle yields rows in order, last batch partial', () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches[2]!.x.toArray()).toEqual([[16, 17], [18, 19]]);
    expect(batches.flatMap((b) => Array.from(b.y.data))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('dropLast leaves out the partial batch', () => {
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true, shuffle: true });
    expect(loader.length).toBe(2);
    const sizes = [...loader].map((b) => b.x.shape[0]);
    expect(sizes).toEqual([4, 4]);
    expect(new DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
    expect(new DataLoader(ds, { batchSize: 11, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(ds, { batchSize: 11, dropLast: true })]).toEqual([]);
    expect([...new DataLoader(ds, { batchSize: 11 })].map((b) => b.x.shape)).toEqual([[10, 2]]);
  });

  it('shuffled: every index exactly once per epoch, x and y rows stay paired', () => {
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    for (let e = 0; e < 3; e++) {
      const seen: number[] = [];
      for (const { x, y } of loader) {
        expect(x.shape[0]).toBe(y.shape[0]);
        for (let i = 0; i < y.size; i++) expect(x.data[2 * i]).toBe(2 * y.data[i]!);
        seen.push(...y.data);
      }
      expect(seen.length).toBe(N);
      expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(loader.epoch).toBe(3);
  });

  it('same seed and epoch give the same order; a new epoch or seed a different one', () => {
    const a = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1 });
    const b = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1 });
    const a0 = epochRows(a);
    expect(epochRows(b)).toEqual(a0);
    const a1 = epochRows(a);
    expect(a1).not.toEqual(a0);
    expect(a.order(0)).toEqual(b.order(0));
    expect(Array.from(new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 2 }).order(0))).not.toEqual(Array.from(a.order(0)));
    expect(a0.flat()).toEqual(Array.from(a.order(0)));
  });

  it('setEpoch(e, k) starts that pass at batch k of epoch e, and the next pass at batch 0', () => {
    const whole = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 4 });
    whole.setEpoch(2);
    const e2 = epochRows(whole);
    const e3 = epochRows(whole);
    const resumed = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 4 });
    resumed.setEpoch(2, 2);
    expect(epochRows(resumed)).toEqual(e2.slice(2));
    expect(resumed.epoch).toBe(3);
    expect(epochRows(resumed)).toEqual(e3);
    resumed.setEpoch(0, 4);
    expect(epochRows(resumed)).toEqual([]);
    expect(() => resumed.setEpoch(0, 5)).toThrow('DataLoader.setEpoch: batch must be an integer in [0, 4] (batches per epoch), got 5');
  });

  it('setEpoch resumes the order of that epoch', () => {
    const a = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
    epochRows(a);
    epochRows(a);
    const third = epochRows(a);
    const resumed = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
    resumed.setEpoch(2);
    expect(epochRows(resumed)).toEqual(third);
    expect(resumed.epoch).toBe(3);
  });

  it('leaving a pass early still advances the epoch', () => {
    const a = new DataLoader(ds, { batchSize: 2, shuffle: true });
    for (const _ of a) break;
    expect(a.epoch).toBe(1);
  });

  it('reuseBuffers: the same rows as fresh batches, written into one pair of tensors per batch size', () => {
    const fresh = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 5 });
    const reused = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 5, reuseBuffers: true });
    // Memory is identified by buffer and byte offset: small tensors share slabs of one buffer.
    const sameMemory = (p: ArrayBufferView, q: ArrayBufferView) => p.buffer === q.buffer && p.byteOffset === q.byteOffset;
    const seen: ArrayBufferView[] = [];
    const note = (d: ArrayBufferView) => {
      if (!seen.some((s) => sameMemory(s, d))) seen.push(d);
    };
    for (let e = 0; e < 2; e++) {
      const want = [...fresh].map((b) => [b.x.toArray(), b.y.toArray()]);
      const got: unknown[] = [];
      for (const b of reused) {
        got.push([b.x.toArray(), b.y.toArray()]);
        note(b.x.data);
        note(b.y.data);
      }
      expect(got).toEqual(want);
    }
    // Sizes 4 and 2: two batches' worth of buffers over two epochs of three batches.
    expect(seen.length).toBe(4);
    // A dataset without batchInto gets fresh batches.
    const plain = { length: N, batch: (i: Int32Array) => ds.batch(i) };
    const [a, b] = [...new DataLoader(plain, { batchSize: 4, reuseBuffers: true })];
    expect(sameMemory(a!.x.data, b!.x.data)).toBe(false);
  });

  it('validates batchSize and epoch', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow('DataLoader: batchSize must be a positive integer, got 2.5');
    expect(() => new DataLoader(ds, {} as never)).toThrow('DataLoader: batchSize must be a positive integer, got undefined');
    expect(() => new DataLoader({} as never, { batchSize: 1 })).toThrow('DataLoader: dataset must implement Dataset');
    expect(() => new DataLoader(ds, { batchSize: 1 }).setEpoch(-1)).toThrow('DataLoader.setEpoch: epoch must be a non-negative integer, got -1');
  });
});
