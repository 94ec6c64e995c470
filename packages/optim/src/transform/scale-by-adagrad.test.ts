import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByAdagrad } from './scale-by-adagrad.js';

describe('scaleByAdagrad', () => {
  it('divides by the root of the accumulated squares: u = g / (√r + ε)', () => {
    const { updates, state } = run(scaleByAdagrad({ initialAccumulatorValue: 0.1 }), [{ w: [2] }, { w: [-1] }]);
    expectClose(updates[0]!.w!, [2 / (Math.sqrt(4.1) + 1e-10)]);
    expectClose(updates[1]!.w!, [-1 / (Math.sqrt(5.1) + 1e-10)]);
    expect(Array.from(state.sum.w!)).toEqual([5.1]);
  });

  it('decays the step as 1 / (1 + (t − 1)κ)', () => {
    const { updates } = run(scaleByAdagrad({ lrDecay: 0.5 }), [{ w: [1] }, { w: [1] }, { w: [1] }]);
    expectClose(updates[1]!.w!, [1 / (Math.sqrt(2) + 1e-10) / 1.5]);
    expectClose(updates[2]!.w!, [1 / (Math.sqrt(3) + 1e-10) / 2]);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByAdagrad({ eps: 0 })).toThrow('scaleByAdagrad: eps must be a finite number > 0, got 0');
    expect(() => scaleByAdagrad({ lrDecay: -1 })).toThrow('scaleByAdagrad: lrDecay must be a finite number >= 0, got -1');
  });
});
