import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../../test/helpers.js';
import { clipByGlobalNorm } from './clip-by-global-norm.js';

describe('clipByGlobalNorm', () => {
  it('rescales by maxNorm / (‖g‖ + 1e-6) when the global norm is above maxNorm', () => {
    const { updates } = run(clipByGlobalNorm(1), [{ a: [3], b: [4] }]);
    const c = 1 / (5 + 1e-6);
    expectClose([updates[0]!.a![0]!, updates[0]!.b![0]!], [3 * c, 4 * c]);
  });

  it('leaves gradients below the threshold unchanged', () => {
    const { updates } = run(clipByGlobalNorm(10), [{ a: [3], b: [4] }]);
    expect(updates).toEqual([{ a: [3], b: [4] }]);
  });

  it('rejects maxNorm <= 0', () => {
    expect(() => clipByGlobalNorm(0)).toThrow('clipByGlobalNorm: maxNorm must be a finite number > 0, got 0');
  });
});
