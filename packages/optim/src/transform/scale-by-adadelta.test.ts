import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByAdadelta } from './scale-by-adadelta.js';

describe('scaleByAdadelta', () => {
  it('scales by √(E[Δ²] + ε) / √(E[g²] + ε) and tracks both averages', () => {
    const rho = 0.9;
    const eps = 1e-6;
    const { updates, state } = run(scaleByAdadelta({ rho, eps }), [{ w: [2] }, { w: [1] }]);
    const s1 = 0.1 * 4;
    const d1 = (Math.sqrt(eps) / Math.sqrt(s1 + eps)) * 2;
    const a1 = 0.1 * d1 * d1;
    const s2 = rho * s1 + 0.1 * 1;
    const d2 = Math.sqrt(a1 + eps) / Math.sqrt(s2 + eps);
    expectClose(updates[0]!.w!, [d1]);
    expectClose(updates[1]!.w!, [d2]);
    expectClose(Array.from(state.accDelta.w!), [rho * a1 + 0.1 * d2 * d2]);
  });

  it('rejects rho outside [0, 1)', () => {
    expect(() => scaleByAdadelta({ rho: 1.5 })).toThrow('scaleByAdadelta: rho must be in [0, 1), got 1.5');
  });
});
