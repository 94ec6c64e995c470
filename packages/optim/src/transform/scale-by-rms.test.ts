import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByRms } from './scale-by-rms.js';

const grads = [{ w: [2] }, { w: [-1] }];

describe('scaleByRms', () => {
  it('plain: u = g / (√v + ε), v = αv + (1 − α)g²', () => {
    const { updates, state } = run(scaleByRms({ alpha: 0.9, eps: 1e-8 }), grads);
    const v1 = 0.1 * 4;
    const v2 = 0.9 * v1 + 0.1;
    expectClose(updates[0]!.w!, [2 / (Math.sqrt(v1) + 1e-8)]);
    expectClose(updates[1]!.w!, [-1 / (Math.sqrt(v2) + 1e-8)]);
    expect(state.gradAvg).toBeNull();
    expect(state.momentumBuffer).toBeNull();
  });

  it('centred with momentum: s = √(v − ḡ²) + ε, b = μb + g/s', () => {
    const { updates } = run(scaleByRms({ alpha: 0.9, eps: 1e-8, centered: true, momentum: 0.5 }), grads);
    const v1 = 0.4;
    const m1 = 0.2;
    const b1 = 2 / (Math.sqrt(v1 - m1 * m1) + 1e-8);
    const v2 = 0.9 * v1 + 0.1;
    const m2 = 0.9 * m1 - 0.1;
    const b2 = 0.5 * b1 - 1 / (Math.sqrt(v2 - m2 * m2) + 1e-8);
    expectClose(updates[0]!.w!, [b1]);
    expectClose(updates[1]!.w!, [b2]);
  });

  it('epsRoot: s = √(v + ε′) + ε, also centred: √(v − ḡ² + ε′) + ε', () => {
    const plain = run(scaleByRms({ alpha: 0.9, eps: 0, epsRoot: 0.3 }), grads).updates;
    expectClose(plain[0]!.w!, [2 / Math.sqrt(0.4 + 0.3)]);
    const centred = run(scaleByRms({ alpha: 0.9, eps: 1e-3, epsRoot: 0.3, centered: true }), grads).updates;
    expectClose(centred[0]!.w!, [2 / (Math.sqrt(0.4 - 0.04 + 0.3) + 1e-3)]);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByRms({ eps: 0 })).toThrow('scaleByRms: eps must be a finite number > 0, got 0');
    expect(() => scaleByRms({ epsRoot: Number.NaN })).toThrow('scaleByRms: epsRoot must be a finite number >= 0, got NaN');
    expect(() => scaleByRms({ alpha: -0.1 })).toThrow('scaleByRms: alpha must be in [0, 1), got -0.1');
    expect(() => scaleByRms({ momentum: Number.POSITIVE_INFINITY })).toThrow(
      'scaleByRms: momentum must be in [0, 1), got Infinity',
    );
  });
});
