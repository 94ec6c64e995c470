import { describe, expect, it } from 'vitest';
import { xor } from './xor.js';

describe('xor', () => {
  it('is the four corners with y = x₁ ⊕ x₂, float32 [4, 2] and [4, 1]', () => {
    const { x, y } = xor();
    expect(x.shape).toEqual([4, 2]);
    expect(y.shape).toEqual([4, 1]);
    expect(x.dtype).toBe('float32');
    expect(y.dtype).toBe('float32');
    expect(x.toArray()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(y.toArray()).toEqual([[0], [1], [1], [0]]);
    for (let i = 0; i < 4; i++) expect(y.data[i]).toBe(x.data[2 * i]! !== x.data[2 * i + 1]! ? 1 : 0);
  });

  it('takes a dtype and returns fresh tensors each call', () => {
    expect(xor({ dtype: 'float64' }).x.dtype).toBe('float64');
    const a = xor();
    a.x.data[0] = 9;
    expect(xor().x.data[0]).toBe(0);
    expect(() => xor({ dtype: 'int8' as never })).toThrow('unknown dtype "int8"');
  });
});
