import { describe, expect, it } from 'vitest';
import { arange, tensor } from '../index.js';
import { takeRows } from './take-rows.js';

describe('takeRows', () => {
  const t = arange(12, undefined, 1, { dtype: 'float64' }).reshape([4, 3]);

  it('copies the rows at the indices, in order, into fresh memory of the same dtype', () => {
    const r = takeRows(t, Int32Array.from([2, 0, 3]));
    expect(r.shape).toEqual([3, 3]);
    expect(r.dtype).toBe('float64');
    expect(r.toArray()).toEqual([[6, 7, 8], [0, 1, 2], [9, 10, 11]]);
    r.data[0] = 100;
    expect(t.data[6]).toBe(6);
  });

  it('copies consecutive runs, repeats and single-element rows', () => {
    expect(takeRows(t, Int32Array.from([1, 2, 3, 1])).toArray()).toEqual([[3, 4, 5], [6, 7, 8], [9, 10, 11], [3, 4, 5]]);
    const v = tensor([10, 11, 12, 13]);
    expect(takeRows(v, Int32Array.from([3, 1, 2])).toArray()).toEqual([13, 11, 12]);
    expect(takeRows(v, new Int32Array(0)).shape).toEqual([0]);
    const cube = arange(8).reshape([2, 2, 2]);
    expect(takeRows(cube, Int32Array.from([1])).toArray()).toEqual([[[4, 5], [6, 7]]]);
  });

  it('writes into a given tensor of the right shape and dtype, and names a wrong one', () => {
    const into = arange(6, undefined, 1, { dtype: 'float64' }).reshape([2, 3]);
    expect(takeRows(t, Int32Array.from([3, 1]), 'takeRows', into)).toBe(into);
    expect(into.toArray()).toEqual([[9, 10, 11], [3, 4, 5]]);
    expect(() => takeRows(t, Int32Array.from([0]), 'takeRows', into)).toThrow('takeRows: the output must be [1, 3] float64, got [2, 3] float64');
    expect(() => takeRows(t, Int32Array.from([0, 1]), 'takeRows', arange(6).reshape([2, 3]))).toThrow('takeRows: the output must be [2, 3] float64, got [2, 3] float32');
  });

  it('names the bad index and its position', () => {
    expect(() => takeRows(t, Int32Array.from([0, 4]))).toThrow('takeRows: index 4 at position 1 is out of range for 4 rows');
    expect(() => takeRows(t, Int32Array.from([2, 3, 4]))).toThrow('takeRows: index 4 at position 2 is out of range for 4 rows');
    expect(() => takeRows(t, Int32Array.from([-1]))).toThrow('takeRows: index -1 at position 0 is out of range for 4 rows');
    expect(() => takeRows(tensor(1), Int32Array.from([0]))).toThrow('takeRows: expected a tensor with a row axis, got shape []');
  });
});
