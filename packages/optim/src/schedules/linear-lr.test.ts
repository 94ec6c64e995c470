import { describe, expect, it } from 'vitest';
import { linearLR } from './linear-lr.js';

describe('linearLR', () => {
  it("uses torch's defaults: factor 1/3 → 1 over 5 steps", () => {
    const s = linearLR(0.3);
    expect(s(0)).toBeCloseTo(0.1, 15);
    expect(s(5)).toBeCloseTo(0.3, 15);
    expect(s(50)).toBeCloseTo(0.3, 15);
    expect(s(2)).toBeCloseTo(0.3 * (1 / 3 + ((2 / 3) * 2) / 5), 15);
  });
  it('decays with endFactor < startFactor', () => {
    const s = linearLR(1, { startFactor: 1, endFactor: 0.5, totalIters: 2 });
    expect([0, 1, 2, 3].map(s)).toEqual([1, 0.75, 0.5, 0.5]);
  });
  it('validates factors like torch', () => {
    expect(() => linearLR(1, { startFactor: 0 })).toThrow('linearLR: startFactor must be in (0, 1], got 0');
    expect(() => linearLR(1, { endFactor: 1.5 })).toThrow('linearLR: endFactor must be in [0, 1], got 1.5');
    expect(() => linearLR(1, { totalIters: 2.5 })).toThrow('linearLR: totalIters must be an integer >= 1, got 2.5');
  });
});
