import { describe, expect, it } from 'vitest';
import { run, tree } from '../../test/helpers.js';
import { scale } from './scale.js';

describe('scale', () => {
  it('multiplies every entry by the factor', () => {
    const { updates } = run(scale(-0.5), [{ a: [2, -4], b: [1] }]);
    expect(updates).toEqual([{ a: [-1, 2], b: [-0.5] }]);
  });

  it('keeps the dtype of the gradients', () => {
    const [u] = scale(3).update(tree({ a: [0.1] }, 'float32'), {});
    expect(u.a).toBeInstanceOf(Float32Array);
    expect(u.a![0]).toBe(Math.fround(3 * Math.fround(0.1)));
  });

  it('rejects a non-finite factor', () => {
    expect(() => scale(Number.NaN)).toThrow('scale: factor must be a finite number, got NaN');
  });
});
