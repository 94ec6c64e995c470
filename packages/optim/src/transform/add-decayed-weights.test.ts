import { describe, expect, it } from 'vitest';
import { run, tree } from '../../test/helpers.js';
import { addDecayedWeights } from './add-decayed-weights.js';

describe('addDecayedWeights', () => {
  it('adds λ·p to the updates', () => {
    const { updates } = run(addDecayedWeights(0.5), [{ w: [1, -1] }], { w: [2, 4] });
    expect(updates).toEqual([{ w: [2, 1] }]);
  });

  it('needs the params and matching keys', () => {
    const t = addDecayedWeights(0.1);
    expect(() => t.update(tree({ w: [1] }), {})).toThrow(
      'addDecayedWeights: update needs the current params (third argument)',
    );
    expect(() => t.update(tree({ w: [1] }), {}, tree({ v: [1] }))).toThrow("addDecayedWeights: params has no entry 'w'");
  });

  it('rejects a negative weight decay', () => {
    expect(() => addDecayedWeights(-0.1)).toThrow('addDecayedWeights: weightDecay must be a finite number >= 0, got -0.1');
  });
});
