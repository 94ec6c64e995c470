import { describe, expect, it } from 'vitest';
import { expectClose, run } from '../test/helpers.js';
import { adadelta, adagrad, adam, adamax, adamw, momentum, nadam, nesterov, radam, rmsprop, sgd } from './alias.js';

const grads = [{ w: [0.5, -2] }, { w: [1, 1] }, { w: [-0.25, 3] }];
const params = { w: [1, -1] };
const steps = (t: Parameters<typeof run>[0]) => run(t, grads, params).updates.map((u) => u.w!);

describe('aliases', () => {
  it('use PyTorch defaults: the first Adam-family step is ≈ −lr·sign(g)', () => {
    expectClose(steps(adam())[0]!, [-1e-3 * (0.5 / (0.5 + 1e-8)), -1e-3 * (-2 / (2 + 1e-8))]);
    expectClose(steps(adamax())[0]!, [-2e-3 * (0.5 / (0.5 + 1e-8)), -2e-3 * (-2 / (2 + 1e-8))]);
    expectClose(steps(radam())[0]!, [-1e-3 * 0.5, -1e-3 * -2]);
    expect(Math.abs(steps(nadam())[0]![0]! + 2e-3)).toBeLessThan(2e-3);
  });

  it('adamw decays the weights by lr·λ·p with λ = 1e-2 by default', () => {
    const wd = steps(adamw({ lr: 0.1 }))[0]!;
    const plain = steps(adamw({ lr: 0.1, weightDecay: 0 }))[0]!;
    expectClose([wd[0]! - plain[0]!, wd[1]! - plain[1]!], [-0.1 * 1e-2 * 1, -0.1 * 1e-2 * -1], 1e-9);
  });

  it('adagrad, adadelta and rmsprop defaults', () => {
    expectClose(steps(adagrad())[0]!, [-1e-2 * (0.5 / (0.5 + 1e-10)), -1e-2 * (-2 / (2 + 1e-10))]);
    const d = Math.sqrt(1e-6) / Math.sqrt(0.1 * 0.25 + 1e-6);
    expectClose([steps(adadelta())[0]![0]!], [-d * 0.5]);
    expectClose([steps(rmsprop())[0]![0]!], [-1e-2 * (0.5 / (Math.sqrt(0.01 * 0.25) + 1e-8))]);
  });

  it('momentum and nesterov are the matching sgd variants', () => {
    expect(steps(momentum(0.1, 0.6))).toEqual(steps(sgd({ lr: 0.1, momentum: 0.6 })));
    expect(steps(nesterov(0.1, 0.8))).toEqual(steps(sgd({ lr: 0.1, momentum: 0.8, nesterov: true })));
    expect(steps(momentum(0.1, 0.6))).not.toEqual(steps(sgd({ lr: 0.1 })));
  });

  it('leave out the steps torch skips (no weight decay, no momentum)', () => {
    const p = { w: new Float64Array(2) };
    expect(sgd({ lr: 0.1 }).init(p)).toHaveLength(1);
    expect(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }).init(p)).toHaveLength(3);
    expect(adam().init(p)).toHaveLength(2);
    expect(adamw().init(p)).toHaveLength(3);
  });
});
