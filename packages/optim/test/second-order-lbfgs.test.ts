import { describe, expect, it } from 'vitest';
import { ClosureOptimizer, gatherFlatGrad, gatherFlatParams, lbfgs, minimize, objectiveFromTensorFn } from '../src/second-order/index.js';
import { analyticLossAndGrad } from './problem.js';
import { fixture, initialParams, makeClosure, paramTree, tinyNetFlatLoss } from './second-order-problem.js';

const { hyper, loss_returned_by_each_step: torchLosses, outer_steps } = fixture.lbfgs;
const options = { lr: hyper.lr, maxIter: hyper.max_iter, historySize: hyper.history_size, lineSearchFn: 'strong_wolfe' } as const;

describe('L-BFGS on the optimizers.json tiny net (torch.optim.LBFGS, strong Wolfe)', () => {
  it("core's autograd (backward()) gives the analytic gradient (1e-12), which matches central differences", () => {
    const ps = initialParams();
    const loss = makeClosure(ps)().item();
    const auto = gatherFlatGrad(ps);
    const hand = analyticLossAndGrad(fixture, paramTree(ps));
    expect(Math.abs(loss - hand.loss)).toBeLessThanOrEqual(1e-12 * hand.loss);
    const handFlat = Float64Array.from(Object.values(hand.grads).flatMap((g) => [...g]));
    expect(auto.length).toBe(handFlat.length);
    for (let i = 0; i < auto.length; i++) expect(Math.abs(auto[i] - handFlat[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(handFlat[i])));
    // The objective minimize() sees (objectiveFromTensorFn over the flat vector) agrees too.
    const x0 = gatherFlatParams(ps);
    const flat = objectiveFromTensorFn(tinyNetFlatLoss)(x0);
    expect(Math.abs(flat.loss - hand.loss)).toBeLessThanOrEqual(1e-12 * hand.loss);
    for (let i = 0; i < x0.length; i++) {
      expect(Math.abs(flat.grad[i] - handFlat[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(handFlat[i])));
      const at = (delta: number) => {
        const x = Float64Array.from(x0);
        x[i] += delta;
        return objectiveFromTensorFn(tinyNetFlatLoss)(x).loss;
      };
      expect(auto[i]).toBeCloseTo((at(1e-6) - at(-1e-6)) / 2e-6, 8);
    }
  });

  it(`${outer_steps} steps of step(closure): losses as torch's (1e-9, then 1e-3 relative), final < 1e-6`, () => {
    const params = initialParams();
    const opt = new ClosureOptimizer(params, lbfgs(options));
    const closure = makeClosure(params);
    const losses = Array.from({ length: outer_steps }, () => opt.step(closure));
    expect(Math.abs(losses[0] - torchLosses[0])).toBeLessThan(1e-9);
    expect(Math.abs(losses[1] - torchLosses[1]) / torchLosses[1]).toBeLessThan(1e-3);
    const final = closure().item();
    expect(final).toBeLessThan(1e-6);
    expect(fixture.lbfgs.final_loss).toBeLessThan(1e-6);
    // Stricter than the fixture's note asks: we follow torch's path closely (≈ 2e-8 relative here, with core's autograd).
    expect(Math.abs(final - fixture.lbfgs.final_loss) / fixture.lbfgs.final_loss).toBeLessThan(1e-3);
    // one step is up to max_iter = 20 iterations: torch's first step already reaches 0.023
    expect(opt.state.nIter).toBeGreaterThan(20);
    expect(opt.state.steps.length).toBeLessThanOrEqual(hyper.history_size);
  });

  it('minimize() on the flattened problem (objectiveFromTensorFn) follows the same path as step(closure)', () => {
    const x0 = gatherFlatParams(initialParams());
    const r = minimize(objectiveFromTensorFn(tinyNetFlatLoss), x0, lbfgs(options));
    expect(r.iterations).toBe(20);
    expect(Math.abs(r.loss - torchLosses[1]) / torchLosses[1]).toBeLessThan(1e-3);
  });
});
