import { describe, expect, it } from 'vitest';
import { tensor } from '../index.js';
import { centredMatmul, checkFeatures, checkMatrix, columnAffine, columnMeans, stateArray } from './matrix.js';

describe('matrix helpers', () => {
  const x = tensor([[1, 2], [3, 6]], { dtype: 'float64' });

  it('columnMeans, columnAffine and centredMatmul compute row-vector maps in float64', () => {
    expect(Array.from(columnMeans(x))).toEqual([2, 4]);
    const a = columnAffine(x, Float64Array.from([1, 2]), Float64Array.from([2, 0.5]), Float64Array.from([0, 10]));
    expect(a.toArray()).toEqual([[0, 10], [4, 12]]);
    // (x − [1, 2]) · [[1, 2], [3, 4]]
    const m = centredMatmul(x, Float64Array.from([1, 2]), Float64Array.from([1, 2, 3, 4]));
    expect(m.toArray()).toEqual([[0, 0], [14, 20]]);
    const f = centredMatmul(x.cast('float32'), new Float64Array(2), Float64Array.from([1, 0, 0, 1]));
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([[1, 2], [3, 6]]);
  });

  it('checks shapes and state arrays with named errors', () => {
    expect(checkMatrix(x, 'op')).toEqual([2, 2]);
    expect(() => checkMatrix(tensor([[[1]]]), 'op')).toThrow('op: expected a 2-D tensor [N, features], got shape [1, 1, 1]');
    expect(() => checkMatrix(3, 'op')).toThrow('op: expected a Tensor, got number');
    expect(() => checkFeatures(x, 3, 'op')).toThrow('op: expected 3 features, got 2');
    expect(Array.from(stateArray([1, 2], 2, 'op', 'mean'))).toEqual([1, 2]);
    expect(() => stateArray('1,2', 2, 'op', 'mean')).toThrow('op: state.mean must be an array of numbers, got string');
    expect(() => stateArray([1, null], 2, 'op', 'mean')).toThrow('op: state.mean[1] must be a finite number, got null');
  });
});
