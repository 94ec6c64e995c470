import { describe, expect, it } from 'vitest';
import { ClosureOptimizer, lbfgs, minimize } from '../src/second-order/index.js';
import { fixture, initialParams, makeClosure, tinyNet } from './second-order-problem.js';

const { hyper, loss_returned_by_each_step: torchLosses, outer_steps } = fixture.lbfgs;
const options = { lr: hyper.lr, maxIter: hyper.max_iter, historySize: hyper.history_size, lineSearchFn: 'strong_wolfe' } as const;

describe('L-BFGS on the optimizers.json tiny net (torch.optim.LBFGS, strong Wolfe)', () => {
  it('the analytic gradient matches central differences', () => {
    const ps = initialParams();
    const { grads } = tinyNet(ps[0].data, ps[1].data, ps[2].data, ps[3].data);
    for (const [k, p] of ps.entries()) {
      for (let i = 0; i < p.data.length; i++) {
        const at = (delta: number) => {
          const q = ps.map((r) => Float64Array.from(r.data));
          q[k][i] += delta;
          return tinyNet(q[0], q[1], q[2], q[3]).loss;
        };
        expect(grads[k][i]).toBeCloseTo((at(1e-6) - at(-1e-6)) / 2e-6, 8);
      }
    }
  });

  it(`${outer_steps} steps of step(closure): losses as torch's (1e-9, then 1e-3 relative), final < 1e-6`, () => {
    const params = initialParams();
    const opt = new ClosureOptimizer(params, lbfgs(options));
    const closure = makeClosure(params);
    const losses = Array.from({ length: outer_steps }, () => opt.step(closure));
    expect(Math.abs(losses[0] - torchLosses[0])).toBeLessThan(1e-9);
    expect(Math.abs(losses[1] - torchLosses[1]) / torchLosses[1]).toBeLessThan(1e-3);
    const final = closure();
    expect(final).toBeLessThan(1e-6);
    expect(fixture.lbfgs.final_loss).toBeLessThan(1e-6);
    // Stricter than the fixture's note asks: we follow torch's path closely (≈ 6e-8 relative here).
    expect(Math.abs(final - fixture.lbfgs.final_loss) / fixture.lbfgs.final_loss).toBeLessThan(1e-3);
    // one step is up to max_iter = 20 iterations: torch's first step already reaches 0.023
    expect(opt.state.nIter).toBeGreaterThan(20);
    expect(opt.state.steps.length).toBeLessThanOrEqual(hyper.history_size);
  });

  it('minimize() on the flattened problem follows the same path as step(closure)', () => {
    const sizes = initialParams().map((p) => p.data.length);
    const split = (x: Float64Array) => {
      const out: Float64Array[] = [];
      let o = 0;
      for (const s of sizes) {
        out.push(x.subarray(o, o + s));
        o += s;
      }
      return out;
    };
    const objective = (x: Float64Array) => {
      const [w1, b1, w2, b2] = split(x);
      const { loss, grads } = tinyNet(w1, b1, w2, b2);
      const grad = new Float64Array(x.length);
      let o = 0;
      for (const g of grads) {
        grad.set(g, o);
        o += g.length;
      }
      return { loss, grad };
    };
    const x0 = Float64Array.from(initialParams().flatMap((p) => [...p.data]));
    const r = minimize(objective, x0, lbfgs(options));
    expect(r.iterations).toBe(20);
    expect(Math.abs(r.loss - torchLosses[1]) / torchLosses[1]).toBeLessThan(1e-3);
  });
});
