import { describe, expect, it } from 'vitest';
import { lbfgs } from './lbfgs.js';
import { minimize } from './minimize.js';
import type { Objective } from './types.js';

// A 5-d quadratic ½·Σ c_i (x_i − 1)², c = 1 … 5.
const quadratic: Objective = (x) => ({
  loss: x.reduce((s, xi, i) => s + 0.5 * (i + 1) * (xi - 1) ** 2, 0),
  grad: x.map((xi, i) => (i + 1) * (xi - 1)),
});
const x0 = new Float64Array(5);

describe('lbfgs (torch.optim.LBFGS semantics)', () => {
  it('returns at once, without iterating, when ‖∇f‖∞ ≤ toleranceGrad at the start', () => {
    const m = lbfgs();
    const r = m.run(quadratic, Float64Array.of(1, 1, 1, 1, 1), quadratic(Float64Array.of(1, 1, 1, 1, 1)), m.init(5));
    expect(r).toMatchObject({ iterations: 0, evaluations: 1, converged: true });
    expect(r.state.nIter).toBe(0);
    expect(r.state.funcEvals).toBe(1);
  });
  it('with the strong-Wolfe search, converges on a quadratic and counts evaluations', () => {
    const r = minimize(quadratic, x0, lbfgs({ lineSearchFn: 'strong_wolfe', toleranceChange: 0 }));
    expect(r.converged).toBe(true);
    expect(Math.max(...r.grad.map(Math.abs))).toBeLessThanOrEqual(1e-7);
    expect(r.iterations).toBeLessThanOrEqual(12);
  });
  it('keeps at most historySize pairs', () => {
    const m = lbfgs({ historySize: 2, lineSearchFn: 'strong_wolfe', toleranceGrad: 0, toleranceChange: 0, maxIter: 8 });
    const r = m.run(quadratic, x0, quadratic(x0), m.init(5));
    expect(r.iterations).toBeGreaterThan(3);
    expect(r.state.steps).toHaveLength(2);
    expect(r.state.rho).toHaveLength(2);
  });
  it('without a line search takes fixed steps lr and skips the evaluation after the last one', () => {
    const m = lbfgs({ lr: 0.1, maxIter: 4 });
    const r = m.run(quadratic, x0, quadratic(x0), m.init(5));
    expect(r.iterations).toBe(4);
    expect(r.evaluations).toBe(4); // the start, then after iterations 1–3
    expect(r.stale).toBe(true);
    // the first step is t = min(1, 1/‖∇f‖₁)·lr along −∇f: ‖∇f‖₁ = 15
    const first = lbfgs({ lr: 0.1, maxIter: 1 }).run(quadratic, x0, quadratic(x0), m.init(5));
    expect(first.x[4]).toBeCloseTo((0.1 / 15) * 5, 15);
    // minimize() evaluates the final point instead of reporting a stale loss
    const mr = minimize(quadratic, x0, lbfgs({ lr: 0.1, maxIter: 4 }));
    expect(mr.loss).toBe(quadratic(mr.x).loss);
    expect(mr.evaluations).toBe(5);
  });
  it('stops at maxEval', () => {
    const m = lbfgs({ lr: 0.01, maxIter: 100, maxEval: 7, toleranceChange: 0 });
    expect(m.run(quadratic, x0, quadratic(x0), m.init(5)).evaluations).toBe(7);
  });
  it('does not mutate the state it is given', () => {
    const m = lbfgs({ lineSearchFn: 'strong_wolfe', maxIter: 3 });
    const s0 = m.init(5);
    m.run(quadratic, x0, quadratic(x0), s0);
    expect(s0).toEqual(m.init(5));
  });
  it('validates its options', () => {
    // @ts-expect-error: only strong_wolfe is supported
    expect(() => lbfgs({ lineSearchFn: 'armijo' })).toThrow("lbfgs: lineSearchFn must be 'strong_wolfe' or null, got armijo");
    expect(() => lbfgs({ historySize: 0 })).toThrow('lbfgs: historySize must be an integer >= 1, got 0');
    expect(() => lbfgs({ lr: -1 })).toThrow('lbfgs: lr must be a finite number > 0, got -1');
  });
});
