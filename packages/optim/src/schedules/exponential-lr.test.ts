import { describe, expect, it } from 'vitest';
import { exponentialLR } from './exponential-lr.js';

describe('exponentialLR', () => {
  it('multiplies by gamma each step', () => {
    const s = exponentialLR(2, 0.5);
    expect([0, 1, 2, 10].map(s)).toEqual([2, 1, 0.5, 2 / 1024]);
  });
  it('rejects gamma <= 0', () => {
    expect(() => exponentialLR(1, 0)).toThrow('exponentialLR: gamma must be a finite number > 0, got 0');
  });
});
