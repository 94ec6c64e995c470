import { describe, expect, it } from 'vitest';
import { run } from '../../test/helpers.js';
import { trace } from './trace.js';

const grads = [{ w: [1] }, { w: [2] }, { w: [3] }];

describe('trace', () => {
  it('seeds the buffer with the first gradient, then b = μb + g', () => {
    const { updates, state } = run(trace({ decay: 0.9 }), grads);
    expect(updates.map((u) => u.w![0])).toEqual([1, 0.9 * 1 + 2, 0.9 * (0.9 * 1 + 2) + 3]);
    expect(state.count).toBe(3);
  });

  it('dampens every gradient but the first: b = μb + (1 − d)g', () => {
    const { updates } = run(trace({ decay: 0.9, dampening: 0.5 }), grads);
    expect(updates.map((u) => u.w![0])).toEqual([1, 0.9 + 0.5 * 2, 0.9 * (0.9 + 0.5 * 2) + 0.5 * 3]);
  });

  it('returns g + μb with Nesterov', () => {
    const { updates } = run(trace({ decay: 0.5, nesterov: true }), grads);
    // b: 1, 2.5, 4.25
    expect(updates.map((u) => u.w![0])).toEqual([1 + 0.5 * 1, 2 + 0.5 * 2.5, 3 + 0.5 * 4.25]);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => trace({ decay: 1 })).toThrow('trace: decay must be in [0, 1), got 1');
    expect(() => trace({ decay: 0.9, dampening: 2 })).toThrow('trace: dampening must be in [0, 1], got 2');
    expect(() => trace({ decay: 0.9, dampening: 0.1, nesterov: true })).toThrow(
      'trace: nesterov needs decay > 0 and dampening = 0, got decay 0.9 and dampening 0.1',
    );
  });
});
