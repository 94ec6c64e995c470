import { describe, expect, it } from 'vitest';
import { run } from '../../test/helpers.js';
import { scaleByLearningRate } from './scale-by-learning-rate.js';

describe('scaleByLearningRate', () => {
  it('multiplies by −lr and counts the steps', () => {
    const { updates, state } = run(scaleByLearningRate(0.5), [{ w: [2] }, { w: [-4] }]);
    expect(updates).toEqual([{ w: [-1] }, { w: [2] }]);
    expect(state).toEqual({ count: 2 });
  });

  it('evaluates a schedule at the 0-based step', () => {
    const seen: number[] = [];
    const lr = (t: number) => {
      seen.push(t);
      return 1 / (t + 1);
    };
    const { updates } = run(scaleByLearningRate(lr), [{ w: [1] }, { w: [1] }, { w: [1] }]);
    expect(seen).toEqual([0, 1, 2]);
    expect(updates.map((u) => u.w![0])).toEqual([-1, -1 / 2, -1 / 3]);
  });

  it('rejects a negative lr, and a schedule value that is not a finite number >= 0', () => {
    expect(() => scaleByLearningRate(-1)).toThrow('scaleByLearningRate: lr must be a finite number >= 0, got -1');
    const bad = scaleByLearningRate((t) => (t === 1 ? Number.NaN : 0.1));
    expect(() => run(bad, [{ w: [1] }, { w: [1] }])).toThrow(
      'scaleByLearningRate: lr(1) must be a finite number >= 0, got NaN',
    );
  });
});
