import { describe, expect, it } from 'vitest';
import { stepLR } from './step-lr.js';

describe('stepLR', () => {
  it('multiplies by gamma every stepSize steps', () => {
    const s = stepLR(1, { stepSize: 2, gamma: 0.5 });
    expect([0, 1, 2, 3, 4, 5, 6].map(s)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
  });
  it('defaults gamma to 0.1', () => {
    expect(stepLR(1, { stepSize: 1 })(2)).toBeCloseTo(0.01, 16);
  });
  it('rejects a bad stepSize or gamma', () => {
    expect(() => stepLR(1, { stepSize: 0 })).toThrow('stepLR: stepSize must be an integer >= 1, got 0');
    expect(() => stepLR(1, { stepSize: 1, gamma: -1 })).toThrow('stepLR: gamma must be a finite number > 0, got -1');
    expect(() => stepLR(-1, { stepSize: 1 })).toThrow('stepLR: baseLr must be a finite number >= 0, got -1');
  });
});
