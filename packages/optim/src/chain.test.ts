import { describe, expect, it } from 'vitest';
import { run, tree } from '../test/helpers.js';
import { chain } from './chain.js';
import { scale } from './transform/scale.js';
import { scaleByLearningRate } from './transform/scale-by-learning-rate.js';
import { trace } from './transform/trace.js';

describe('chain', () => {
  it('applies the transformations left to right and keeps their states in order', () => {
    const t = chain(trace({ decay: 0.5 }), scale(2), scaleByLearningRate(0.1));
    const { updates, state } = run(t, [{ w: [1] }, { w: [1] }]);
    expect(updates.map((u) => u.w![0])).toEqual([-0.1 * 2 * 1, -0.1 * 2 * 1.5]);
    expect(state).toHaveLength(3);
    expect(state[1]).toEqual({});
    expect(state[2]).toEqual({ count: 2 });
  });

  it('with no transformations is the identity', () => {
    const { updates } = run(chain(), [{ w: [3] }]);
    expect(updates).toEqual([{ w: [3] }]);
  });

  it('rejects a state of the wrong length', () => {
    const t = chain(scale(1), scale(2));
    expect(() => t.update(tree({ w: [1] }), [{}])).toThrow('chain: state must be an array of 2 inner states, got 1');
  });
});
