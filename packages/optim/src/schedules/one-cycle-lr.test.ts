import { describe, expect, it } from 'vitest';
import { oneCycleLR } from './one-cycle-lr.js';

describe('oneCycleLR', () => {
  it('starts at maxLr/divFactor, peaks at step pct·N − 1, ends at initial/finalDivFactor', () => {
    const { lr } = oneCycleLR({ maxLr: 2, totalSteps: 100 });
    expect(lr(0)).toBeCloseTo(2 / 25, 15);
    expect(lr(29)).toBe(2);
    expect(lr(99) / (2 / 25 / 1e4)).toBeCloseTo(1, 12);
  });
  it('cycles momentum inversely: 0.95 → 0.85 at the peak → 0.95', () => {
    const { momentum } = oneCycleLR({ maxLr: 1, totalSteps: 100 });
    expect(momentum(0)).toBe(0.95);
    expect(momentum(29)).toBe(0.85);
    expect(momentum(99)).toBeCloseTo(0.95, 15);
    expect(momentum(64)).toBeCloseTo(0.9, 15);
  });
  it('linear anneal and three phases', () => {
    const { lr, momentum } = oneCycleLR({ maxLr: 1, totalSteps: 21, pctStart: 0.5, annealStrategy: 'linear', threePhase: true });
    // phases end at steps 9.5 (peak), 19 (back to initial), 20 (final)
    expect(lr(0)).toBeCloseTo(0.04, 15);
    expect(lr(19)).toBeCloseTo(0.04, 15);
    // torch's linear anneal (b − a)·pct + a cancels: ~1e-12 relative at a tiny end value
    expect(lr(20) / 4e-6).toBeCloseTo(1, 10);
    expect(momentum(20)).toBe(0.95);
    expect(lr(5)).toBeCloseTo(0.04 + (0.96 * 5) / 9.5, 14);
  });
  it('holds momentum at maxMomentum when cycleMomentum is false', () => {
    expect(oneCycleLR({ maxLr: 1, totalSteps: 10, cycleMomentum: false }).momentum(5)).toBe(0.95);
  });
  it('throws past totalSteps, as torch does, and validates arguments', () => {
    const { lr } = oneCycleLR({ maxLr: 1, totalSteps: 20 });
    expect(lr(20)).toBeGreaterThan(0);
    expect(() => lr(21)).toThrow('oneCycleLR: step must be <= totalSteps (20), got 21');
    expect(() => oneCycleLR({ maxLr: 1, totalSteps: 10, pctStart: 1.2 })).toThrow('oneCycleLR: pctStart must be in [0, 1], got 1.2');
    expect(() => oneCycleLR({ maxLr: 1, totalSteps: 0 })).toThrow('oneCycleLR: totalSteps must be an integer >= 1, got 0');
    // @ts-expect-error: an invalid strategy
    expect(() => oneCycleLR({ maxLr: 1, totalSteps: 5, annealStrategy: 'exp' })).toThrow(
      "oneCycleLR: annealStrategy must be 'cos' or 'linear', got exp",
    );
  });
});
