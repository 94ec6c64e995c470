import { describe, expect, it } from 'vitest';
import { run } from '../../test/helpers.js';
import { clipByValue } from './clip-by-value.js';

describe('clipByValue', () => {
  it('clamps every entry to [−c, c]', () => {
    const { updates } = run(clipByValue(1), [{ w: [-3, 0.5, 2, -1] }]);
    expect(updates).toEqual([{ w: [-1, 0.5, 1, -1] }]);
  });

  it('rejects a negative clip value', () => {
    expect(() => clipByValue(-1)).toThrow('clipByValue: clipValue must be a finite number >= 0, got -1');
  });
});
