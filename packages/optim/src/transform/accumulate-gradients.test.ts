import { describe, expect, it } from 'vitest';
import { run } from '../../test/helpers.js';
import { accumulateGradients } from './accumulate-gradients.js';
import { scaleByLearningRate } from './scale-by-learning-rate.js';

describe('accumulateGradients', () => {
  it('emits zeros, then the inner step on the mean of every k gradients', () => {
    const t = accumulateGradients(3, scaleByLearningRate((s) => (s + 1) * 0.1));
    const grads = [1, 2, 6, 3, 3, 3, 5].map((x) => ({ w: [x] }));
    const { updates, state } = run(t, grads);
    expect(updates.map((u) => u.w![0])).toEqual([0, 0, -0.1 * 3, 0, 0, -0.2 * 3, 0]);
    expect(state.count).toBe(1);
    expect(state.inner).toEqual({ count: 2 });
    expect(Array.from(state.sum.w!)).toEqual([5]);
  });

  it('is the inner transformation when k = 1', () => {
    const { updates } = run(accumulateGradients(1, scaleByLearningRate(2)), [{ w: [1] }, { w: [3] }]);
    expect(updates).toEqual([{ w: [-2] }, { w: [-6] }]);
  });

  it('rejects k < 1 and non-integers', () => {
    const inner = scaleByLearningRate(1);
    expect(() => accumulateGradients(0, inner)).toThrow('accumulateGradients: k must be an integer >= 1, got 0');
    expect(() => accumulateGradients(2.5, inner)).toThrow('accumulateGradients: k must be an integer >= 1, got 2.5');
  });
});
