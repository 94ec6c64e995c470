/**
 * The lectures' versions of Adam and of "AdaDelta" (issue 18), as `form` options of `adam`,
 * `adamw` and `rmsprop`. Each is checked against its lecture's formula written out here in
 * float64, step by step (three steps, a gradient sequence with both signs), and one first step
 * by hand; the default forms are checked against the PyTorch fixtures in torch-fixtures.test.ts.
 */
import type { ArrayTree } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { adam, adamw, applyUpdates, type GradientTransformation, rmsprop } from '../src/index.js';
import { tree } from './helpers.js';

const THETA0 = [0.5, -1.25, 2];
/** Gradients of three steps (fixed, so each formula can be iterated by hand). */
const GRADS = [
  [2, -0.5, 0.01],
  [-1, -0.25, 3],
  [0.5, 1, -2],
];

/** θ after each step of `opt` fed GRADS. */
function trajectory(opt: GradientTransformation<unknown[]>): number[][] {
  let params: ArrayTree = tree({ w: THETA0 });
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of GRADS) {
    const [u, next] = opt.update(tree({ w: g }), state, params);
    params = applyUpdates(params, u);
    state = next;
    out.push(Array.from(params.w!));
  }
  return out;
}

/** The same, iterating a per-element formula `step(θ, g, t, s) → θ'` with per-element state s. */
function byFormula(step: (theta: number, g: number, t: number, s: Record<string, number>) => number): number[][] {
  const theta = [...THETA0];
  const states = THETA0.map(() => ({ m: 0, v: 0 }));
  return GRADS.map((g, k) => {
    for (let i = 0; i < theta.length; i++) theta[i] = step(theta[i]!, g[i]!, k + 1, states[i]!);
    return [...theta];
  });
}

function expectSame(actual: number[][], expected: number[][]): void {
  actual.forEach((row, k) =>
    row.forEach((a, i) => {
      const e = expected[k]![i]!;
      if (!(Math.abs(a - e) <= 1e-14 * Math.max(1, Math.abs(e)))) expect.fail(`step ${k + 1}, θ[${i}]: ${a}, formula ${e}`);
    }),
  );
}

const [B1, B2, ALPHA, EPS] = [0.9, 0.999, 0.1, 1e-8];

describe("adam({ form: 'lecture000' }): 000 §ADAM algorithm, θ ← θ − α/(δ + √v)·m, no bias correction", () => {
  it('first step by hand: m = 0.2, v = 0.004, θ = 0.5 − 0.1·0.2/(1e-8 + √0.004)', () => {
    const [first] = trajectory(adam({ lr: ALPHA, form: 'lecture000' }));
    expect(first![0]).toBeCloseTo(0.5 - (0.1 * 0.2) / (1e-8 + 0.0632455532033676), 14);
    // Without bias correction the first step is α(1 − β₁)/√(1 − β₂) = 3.16α, not torch's α·sign(g) (θ = 0.4).
    expect(first![0]).toBeCloseTo(0.5 - (0.1 * 0.1) / Math.sqrt(0.001), 6);
    expect(trajectory(adam({ lr: ALPHA }))[0]![0]).toBeCloseTo(0.4, 7);
  });
  it('three steps equal the lecture formula in float64', () => {
    const formula = byFormula((th, g, _t, s) => {
      s.m = B1 * s.m! + (1 - B1) * g;
      s.v = B2 * s.v! + (1 - B2) * g * g;
      return th - (ALPHA / (EPS + Math.sqrt(s.v))) * s.m;
    });
    expectSame(trajectory(adam({ lr: ALPHA, form: 'lecture000' })), formula);
  });
  it('adamw with the same form adds decoupled decay: θ ← θ(1 − αλ) − α·m/(δ + √v)', () => {
    const lambda = 0.05;
    const formula = byFormula((th, g, _t, s) => {
      s.m = B1 * s.m! + (1 - B1) * g;
      s.v = B2 * s.v! + (1 - B2) * g * g;
      return th - ALPHA * (s.m / (EPS + Math.sqrt(s.v)) + lambda * th);
    });
    expectSame(trajectory(adamw({ lr: ALPHA, weightDecay: lambda, form: 'lecture000' })), formula);
  });
});

describe("adam({ form: 'lecture003' }): 003 §Adam, x ← x − α·μ/√(v + ε), no bias correction", () => {
  it('first step by hand: μ = 0.2, v = 0.004, x = 0.5 − 0.1·0.2/√(0.004 + 1e-8)', () => {
    const [first] = trajectory(adam({ lr: ALPHA, form: 'lecture003' }));
    expect(first![0]).toBeCloseTo(0.5 - (0.1 * 0.2) / Math.sqrt(0.004 + 1e-8), 14);
  });
  it('three steps equal the lecture formula (ε = 1e-3, large enough that its place shows)', () => {
    const eps = 1e-3;
    const formula = byFormula((th, g, _t, s) => {
      s.m = B1 * s.m! + (1 - B1) * g;
      s.v = B2 * s.v! + (1 - B2) * g * g;
      return th - (ALPHA * s.m) / Math.sqrt(s.v + eps);
    });
    expectSame(trajectory(adam({ lr: ALPHA, eps, form: 'lecture003' })), formula);
    // ε under the root is not ε outside it.
    expect(trajectory(adam({ lr: ALPHA, eps, form: 'lecture000' }))[0]![2]).not.toBeCloseTo(formula[0]![2]!, 6);
  });
});

describe("adam({ form: 'lecture004' }): 004 §Adam, φ ← φ − α·m̃/√(ṽ + ε), with bias correction", () => {
  it("reproduces the lecture's normalised-gradient example: m = (3, −2, 5), v = (9, 4, 25) → (1.0, −1.0, 1.0)", () => {
    // β = γ = 0: m and v are the gradient and its square (the slide's first "Normalized gradients").
    const opt = adam({ lr: 1, betas: [0, 0], form: 'lecture004' });
    const params = tree({ w: [0, 0, 0] });
    const [u] = opt.update(tree({ w: [3, -2, 5] }), opt.init(params), params);
    const step = Array.from(u.w!).map((x) => -x);
    expect(step.map((x) => Math.round(x * 10) / 10)).toEqual([1, -1, 1]);
    step.forEach((x, i) => expect(x).toBeCloseTo([3, -2, 5][i]! / Math.sqrt([9, 4, 25][i]! + 1e-8), 15));
  });
  it('three steps equal the lecture formula (ε = 1e-3)', () => {
    const eps = 1e-3;
    const formula = byFormula((th, g, t, s) => {
      s.m = B1 * s.m! + (1 - B1) * g;
      s.v = B2 * s.v! + (1 - B2) * g * g;
      return th - (ALPHA * (s.m / (1 - B1 ** t))) / Math.sqrt(s.v / (1 - B2 ** t) + eps);
    });
    expectSame(trajectory(adam({ lr: ALPHA, eps, form: 'lecture004' })), formula);
  });
});

describe("rmsprop({ form: 'lecture002' }): 002 §AdaDelta, θ ← θ − η/√(E[g²] + ε)·g", () => {
  const [GAMMA, ETA] = [0.9, 0.01];
  it('first step by hand: E = 0.1·4 = 0.4, θ = 0.5 − 0.01·2/√(0.4 + 1e-8)', () => {
    const [first] = trajectory(rmsprop({ lr: ETA, alpha: GAMMA, form: 'lecture002' }));
    expect(first![0]).toBeCloseTo(0.5 - (0.01 * 2) / Math.sqrt(0.4 + 1e-8), 15);
  });
  it('three steps equal the lecture formula (ε = 1e-2); the torch form differs', () => {
    const eps = 1e-2;
    const formula = byFormula((th, g, _t, s) => {
      s.v = GAMMA * s.v! + (1 - GAMMA) * g * g;
      return th - (ETA / Math.sqrt(s.v + eps)) * g;
    });
    expectSame(trajectory(rmsprop({ lr: ETA, alpha: GAMMA, eps, form: 'lecture002' })), formula);
    expect(trajectory(rmsprop({ lr: ETA, alpha: GAMMA, eps }))[0]![2]).not.toBeCloseTo(formula[0]![2]!, 6);
  });
});

describe('form: checked like every other option', () => {
  it('names the alias, the option, the choices and the value', () => {
    expect(() => adam({ form: 'lecture002' as never })).toThrow(
      `adam: form must be one of 'torch', 'lecture000', 'lecture003', 'lecture004', got "lecture002"`,
    );
    expect(() => adamw({ form: 'Lecture000' as never })).toThrow(/^adamw: form must be one of 'torch', .*got "Lecture000"$/);
    expect(() => rmsprop({ form: 'lecture003' as never })).toThrow(`rmsprop: form must be one of 'torch', 'lecture002', got "lecture003"`);
    expect(() => rmsprop({ form: 1 as never })).toThrow(`rmsprop: form must be one of 'torch', 'lecture002', got 1`);
  });
  it("'torch' is the default: the same steps as without form", () => {
    expectSame(trajectory(adam({ lr: ALPHA, form: 'torch' })), trajectory(adam({ lr: ALPHA })));
    expectSame(trajectory(rmsprop({ form: 'torch' })), trajectory(rmsprop()));
  });
});
