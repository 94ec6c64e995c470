import { describe, expect, it } from 'vitest';
import { cosineAnnealingWarmRestarts } from './cosine-annealing-warm-restarts.js';

describe('cosineAnnealingWarmRestarts', () => {
  it('restarts every t0 steps when tMult = 1', () => {
    const s = cosineAnnealingWarmRestarts(1, { t0: 3 });
    expect([0, 3, 6, 300].map(s)).toEqual([1, 1, 1, 1]);
    expect(s(1)).toBeCloseTo(0.75, 15);
    expect(s(4)).toBeCloseTo(0.75, 15);
  });
  it('doubles the cycle with tMult = 2: restarts at 4, 12, 28', () => {
    const s = cosineAnnealingWarmRestarts(1, { t0: 4, tMult: 2, etaMin: 0.1 });
    for (const t of [0, 4, 12, 28]) expect(s(t)).toBe(1);
    expect(s(2)).toBeCloseTo(0.55, 15);
    expect(s(8)).toBeCloseTo(0.55, 15); // half of the 8-step cycle
    expect(s(20)).toBeCloseTo(0.55, 15); // half of the 16-step cycle
    expect(s(27)).toBeGreaterThan(0.1);
    expect(s(27)).toBeLessThan(0.11);
  });
  it('rejects a non-integer tMult', () => {
    expect(() => cosineAnnealingWarmRestarts(1, { t0: 2, tMult: 1.5 })).toThrow(
      'cosineAnnealingWarmRestarts: tMult must be an integer >= 1, got 1.5',
    );
  });
});
