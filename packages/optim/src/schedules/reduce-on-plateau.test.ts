import { describe, expect, it } from 'vitest';
import { reduceOnPlateau } from './reduce-on-plateau.js';

const run = (p: ReturnType<typeof reduceOnPlateau>, lr: number, metrics: number[]): number[] => {
  let s = p.init(lr);
  return metrics.map((m) => {
    s = p.update(s, m);
    return s.lr;
  });
};

describe('reduceOnPlateau', () => {
  it('reduces after more than `patience` bad epochs, then waits out the cooldown', () => {
    const p = reduceOnPlateau({ factor: 0.5, patience: 1, cooldown: 2 });
    // bad epochs: 1 (wait), 2 → reduce; cooldown 2 epochs; then 2 more bad → reduce
    expect(run(p, 1, [1, 1, 1, 1, 1, 1, 1, 1])).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });
  it("mode 'max' with an absolute threshold", () => {
    const p = reduceOnPlateau({ mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 0 });
    // 0.55 is not better than 0.5 + 0.1
    expect(run(p, 1, [0.5, 0.55, 0.7])).toEqual([1, 0.1, 0.1]);
  });
  it('respects minLr and skips reductions of at most eps (1 → 0.1 changes by 0.9 ≤ 0.95)', () => {
    const p = reduceOnPlateau({ patience: 0, minLr: 0.05 });
    expect(run(p, 1, [1, 2, 2, 2])).toEqual([1, 0.1, 0.05, 0.05]);
    const q = reduceOnPlateau({ patience: 0, eps: 0.95 });
    expect(run(q, 1, [1, 2])).toEqual([1, 1]);
  });
  it('is pure: update does not touch its input', () => {
    const p = reduceOnPlateau();
    const s0 = p.init(0.1);
    const s1 = p.update(s0, 3);
    expect(s0).toEqual({ lr: 0.1, best: Infinity, badEpochs: 0, cooldownCounter: 0 });
    expect(s1).toEqual({ lr: 0.1, best: 3, badEpochs: 0, cooldownCounter: 0 });
  });
  it('validates arguments like torch (factor < 1)', () => {
    expect(() => reduceOnPlateau({ factor: 1 })).toThrow('reduceOnPlateau: factor must be in [0, 1), got 1');
    expect(() => reduceOnPlateau({ patience: -1 })).toThrow('reduceOnPlateau: patience must be an integer >= 0, got -1');
    // @ts-expect-error: an invalid mode
    expect(() => reduceOnPlateau({ mode: 'up' })).toThrow("reduceOnPlateau: mode must be 'min' or 'max', got up");
  });
});
