import { describe, expect, it } from 'vitest';
import { multiStepLR } from './multi-step-lr.js';

describe('multiStepLR', () => {
  it('decays at each milestone; a repeated milestone decays twice', () => {
    const s = multiStepLR(1, { milestones: [2, 4, 4], gamma: 0.5 });
    expect([0, 1, 2, 3, 4, 5, 100].map(s)).toEqual([1, 1, 0.5, 0.5, 0.125, 0.125, 0.125]);
  });
  it('rejects unsorted or non-integer milestones', () => {
    expect(() => multiStepLR(1, { milestones: [5, 3] })).toThrow(
      'multiStepLR: milestones must be non-decreasing integers >= 1, got [5, 3]',
    );
    expect(() => multiStepLR(1, { milestones: [0] })).toThrow(/milestones .* got \[0\]/);
  });
});
