import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../index.js';
import { type Dataset, TensorDataset } from './dataset.js';

describe('TensorDataset', () => {
  const x = arange(10, undefined, 1).reshape([5, 2]);
  const y = tensor([0, 1, 0, 1, 1]);

  it('has the row count as length and returns batches by index', () => {
    const ds: Dataset = new TensorDataset(x, y);
    expect(ds.length).toBe(5);
    const b = ds.batch(Int32Array.from([4, 1]));
    expect(b.x.toArray()).toEqual([[8, 9], [2, 3]]);
    expect(b.y.toArray()).toEqual([1, 1]);
    expect(b.x.dtype).toBe('float32');
  });

  it('subset copies rows into a new dataset', () => {
    const ds = new TensorDataset(x, y);
    const s = ds.subset(Int32Array.from([0, 2, 3]));
    expect(s).toBeInstanceOf(TensorDataset);
    expect(s.length).toBe(3);
    expect(s.x.toArray()).toEqual([[0, 1], [4, 5], [6, 7]]);
    expect(s.y.toArray()).toEqual([0, 0, 1]);
    s.x.data[0] = 42;
    expect(x.data[0]).toBe(0);
  });

  it('rejects mismatched rows and scalars', () => {
    expect(() => new TensorDataset(x, zeros([4]))).toThrow(
      'TensorDataset: x and y must have the same number of rows, got x [5, 2] (5 rows) and y [4] (4 rows)',
    );
    expect(() => new TensorDataset(tensor(1), y)).toThrow('TensorDataset: x needs a row axis, got shape []');
    expect(() => new TensorDataset(x, [1, 2] as never)).toThrow('TensorDataset: y must be a Tensor, got an array');
  });
});
