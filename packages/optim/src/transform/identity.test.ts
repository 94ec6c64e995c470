import { describe, expect, it } from 'vitest';
import { run } from '../../test/helpers.js';
import { identity } from './identity.js';

describe('identity', () => {
  it('returns the gradients unchanged and keeps an empty state', () => {
    const { updates, state } = run(identity(), [{ w: [1, -2.5] }, { w: [0, 3] }]);
    expect(updates).toEqual([{ w: [1, -2.5] }, { w: [0, 3] }]);
    expect(state).toEqual({});
  });
});
