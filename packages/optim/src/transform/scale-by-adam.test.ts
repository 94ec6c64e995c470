import { describe, expect, it } from 'vitest';
import { expectClose, run, tree } from '../../test/helpers.js';
import { scaleByAdam } from './scale-by-adam.js';

describe('scaleByAdam', () => {
  it('first step is g / (|g| + ε) after bias correction', () => {
    const { updates } = run(scaleByAdam(), [{ w: [3, -0.5] }]);
    expectClose(updates[0]!.w!, [3 / (3 + 1e-8), -0.5 / (0.5 + 1e-8)], 1e-15);
  });

  it('second step matches m̂ / (√v̂ + ε) with torch’s grouping', () => {
    const { updates, state } = run(scaleByAdam({ b1: 0.8, b2: 0.9 }), [{ w: [1] }, { w: [3] }]);
    const m = 0.8 * 0.2 + 0.2 * 3;
    const v = 0.9 * 0.1 + 0.1 * 9;
    expectClose(updates[1]!.w!, [m / (1 - 0.8 ** 2) / (Math.sqrt(v) / Math.sqrt(1 - 0.9 ** 2) + 1e-8)]);
    expect(state.count).toBe(2);
    expect(state.nuMax).toBeNull();
  });

  it('AMSGrad divides by the running maximum of v', () => {
    const { updates, state } = run(scaleByAdam({ amsgrad: true, b2: 0.5 }), [{ w: [4] }, { w: [0] }]);
    // v: 8 then 4; the maximum stays 8
    expect(Array.from(state.nuMax!.w!)).toEqual([8]);
    const m = 0.9 * 0.4;
    expectClose(updates[1]!.w!, [m / (1 - 0.81) / (Math.sqrt(8) / Math.sqrt(1 - 0.25) + 1e-8)]);
  });

  it('epsRoot and biasCorrection: u = m / (√(v + ε′) + ε) on the second step without correction', () => {
    const { updates } = run(scaleByAdam({ b1: 0.8, b2: 0.9, eps: 0, epsRoot: 0.5, biasCorrection: false }), [{ w: [1] }, { w: [3] }]);
    const m = 0.8 * 0.2 + 0.2 * 3;
    const v = 0.9 * 0.1 + 0.1 * 9;
    expectClose(updates[1]!.w!, [m / Math.sqrt(v + 0.5)]);
  });

  it('keeps float32 state for float32 parameters', () => {
    const t = scaleByAdam();
    const s = t.init(tree({ w: [0, 0] }, 'float32'));
    expect(s.mu.w).toBeInstanceOf(Float32Array);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByAdam({ b2: 1 })).toThrow('scaleByAdam: b2 must be in [0, 1), got 1');
    expect(() => scaleByAdam({ eps: -1e-8 })).toThrow('scaleByAdam: eps must be a finite number > 0, got -1e-8');
    expect(() => scaleByAdam({ eps: 0 })).toThrow('scaleByAdam: eps must be a finite number > 0, got 0');
    expect(() => scaleByAdam({ epsRoot: -1 })).toThrow('scaleByAdam: epsRoot must be a finite number >= 0, got -1');
    expect(() => scaleByAdam({ eps: -1, epsRoot: 1e-8 })).toThrow('scaleByAdam: eps must be a finite number >= 0, got -1');
    expect(() => scaleByAdam({ biasCorrection: 1 as never })).toThrow('scaleByAdam: biasCorrection must be a boolean, got 1');
  });
});
