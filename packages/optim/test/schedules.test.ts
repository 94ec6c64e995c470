import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  exponentialLR,
  linearLR,
  oneCycleLR,
  reduceOnPlateau,
  stepLR,
} from '../src/schedules/index.js';
import type { Schedule } from '../src/types.js';

interface Case {
  name: string;
  base_lr: number;
  lr_at_each_step: number[];
  metric_fed_after_each_step?: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/schedules.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

/** |a − b| ≤ 1e-12 · max(|b|, 1e-15 / 1e-12): relative 1e-12 with an absolute floor of 1e-15. */
function expectClose(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (err > Math.max(1e-12 * Math.abs(expected), 1e-15)) {
    expect.fail(`${what}: got ${actual}, torch ${expected} (|err| = ${err})`);
  }
}

const schedules: Record<string, (base: number) => Schedule> = {
  'step_lr_size3_gamma0.5': (b) => stepLR(b, { stepSize: 3, gamma: 0.5 }),
  'exponential_gamma0.9': (b) => exponentialLR(b, 0.9),
  'linear_1.0_to_0.1_over_10': (b) => linearLR(b, { startFactor: 1, endFactor: 0.1, totalIters: 10 }),
  cosine_tmax10_eta0: (b) => cosineAnnealingLR(b, { tMax: 10 }),
  sgdr_t0_4_tmult2: (b) => cosineAnnealingWarmRestarts(b, { t0: 4, tMult: 2 }),
  'one_cycle_max1.0_total20': () => oneCycleLR({ maxLr: 1, totalSteps: 20 }).lr,
};

describe('schedules match torch 1.13 (fixtures/schedules.json)', () => {
  it('covers every fixture case', () => {
    const names = fixture.cases.map((c) => c.name);
    expect(names.sort()).toEqual([...Object.keys(schedules), 'reduce_on_plateau_factor0.5_patience2'].sort());
  });

  for (const c of fixture.cases.filter((k) => k.name in schedules)) {
    it(`${c.name}: lr of each of ${c.lr_at_each_step.length} steps within 1e-12`, () => {
      const s = schedules[c.name](c.base_lr);
      for (const [t, lr] of c.lr_at_each_step.entries()) expectClose(s(t), lr, `step ${t}`);
    });
  }

  it('one_cycle momentum: 0.95 → 0.85 at the phase boundary (step 5) → 0.95', () => {
    const { lr, momentum } = oneCycleLR({ maxLr: 1, totalSteps: 20 });
    expect(momentum(0)).toBe(0.95);
    expect(momentum(5)).toBe(0.85);
    expect(lr(5)).toBe(1);
    expectClose(momentum(19), 0.95, 'momentum at the last step');
    // momentum mirrors lr: m = 0.95 − 0.1 · (lr − lr_lo) / (lr_hi − lr_lo) within each phase (cos anneal)
    for (let t = 0; t < 20; t++) {
      const [lo, hi] = t <= 5 ? [0.04, 1] : [4e-6, 1];
      expectClose(momentum(t), 0.95 - (0.1 * (lr(t) - lo)) / (hi - lo), `momentum at step ${t}`);
    }
    for (let t = 1; t <= 5; t++) expect(momentum(t)).toBeLessThan(momentum(t - 1));
    for (let t = 6; t < 20; t++) expect(momentum(t)).toBeGreaterThan(momentum(t - 1));
  });

  it('reduce_on_plateau_factor0.5_patience2: metric fed after each step', () => {
    const c = fixture.cases.find((k) => k.name === 'reduce_on_plateau_factor0.5_patience2')!;
    const plateau = reduceOnPlateau({ mode: 'min', factor: 0.5, patience: 2 });
    let state = plateau.init(c.base_lr);
    for (const [t, lr] of c.lr_at_each_step.entries()) {
      expectClose(state.lr, lr, `step ${t}`);
      state = plateau.update(state, c.metric_fed_after_each_step![t]);
    }
  });
});
