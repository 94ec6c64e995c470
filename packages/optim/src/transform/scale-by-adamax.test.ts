import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { scaleByAdamax } from './scale-by-adamax.js';

describe('scaleByAdamax', () => {
  it('divides the bias-corrected first moment by max(β₂n, |g| + ε)', () => {
    const { updates, state } = run(scaleByAdamax({ b2: 0.5 }), [{ w: [4] }, { w: [-1] }]);
    expectClose(updates[0]!.w!, [4 / (4 + 1e-8)]);
    // n₂ = max(0.5·(4 + ε), 1 + ε) = 2 + ε/2
    const m = 0.9 * 0.4 - 0.1;
    expectClose(updates[1]!.w!, [m / (1 - 0.81) / (0.5 * (4 + 1e-8))]);
    expectClose(Array.from(state.nuInf.w!), [0.5 * (4 + 1e-8)]);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => scaleByAdamax({ b1: -0.5 })).toThrow('scaleByAdamax: b1 must be in [0, 1), got -0.5');
  });
});
