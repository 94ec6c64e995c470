import { describe, expect, it } from 'vitest';
import { constantSchedule } from './constant.js';
import { exponentialLR } from './exponential-lr.js';
import { linearWarmup } from './linear-warmup.js';

describe('linearWarmup', () => {
  it('ramps from startFactor·schedule(0), then runs the schedule from its step 0', () => {
    const s = linearWarmup(exponentialLR(1, 0.5), 4, 0.2);
    expect([0, 1, 2, 3].map(s).map((v) => Number(v.toFixed(12)))).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect([4, 5, 6].map(s)).toEqual([1, 0.5, 0.25]);
  });
  it('defaults startFactor to 0 and is the identity for 0 warm-up steps', () => {
    expect(linearWarmup(constantSchedule(3), 10)(0)).toBe(0);
    expect(linearWarmup(exponentialLR(1, 0.5), 0)(2)).toBe(0.25);
  });
  it('rejects a fractional warm-up', () => {
    expect(() => linearWarmup(constantSchedule(1), 1.5)).toThrow('linearWarmup: warmupSteps must be an integer >= 0, got 1.5');
  });
});
