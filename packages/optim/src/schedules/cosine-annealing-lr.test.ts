import { describe, expect, it } from 'vitest';
import { cosineAnnealingLR } from './cosine-annealing-lr.js';

/** torch 1.13's recursive ("chainable") CosineAnnealingLR.get_lr, as an independent reference. */
function torchRecursive(base: number, tMax: number, etaMin: number, steps: number): number[] {
  const lrs = [base];
  for (let e = 1; e < steps; e++) {
    const lr = lrs[e - 1];
    if ((e - 1 - tMax) % (2 * tMax) === 0) lrs.push(lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    else
      lrs.push(((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin);
  }
  return lrs;
}

describe('cosineAnnealingLR', () => {
  it('goes from baseLr to etaMin in tMax steps, half way at tMax/2', () => {
    const s = cosineAnnealingLR(1, { tMax: 8, etaMin: 0.2 });
    expect(s(0)).toBe(1);
    expect(s(4)).toBeCloseTo(0.6, 15);
    expect(s(8)).toBeCloseTo(0.2, 15);
  });
  it('agrees with torch 1.13 recursive form over three periods (also past tMax)', () => {
    const s = cosineAnnealingLR(0.1, { tMax: 7, etaMin: 0.01 });
    const ref = torchRecursive(0.1, 7, 0.01, 42);
    for (const [t, v] of ref.entries()) expect(Math.abs(s(t) - v)).toBeLessThan(1e-12 * Math.max(v, 1e-3));
    expect(s(14)).toBeCloseTo(0.1, 15);
  });
  it('rejects tMax < 1', () => {
    expect(() => cosineAnnealingLR(1, { tMax: 0 })).toThrow('cosineAnnealingLR: tMax must be an integer >= 1, got 0');
  });
});
