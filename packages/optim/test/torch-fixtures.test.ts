import { readFileSync } from 'node:fs';
import type { ArrayTree } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import {
  adadelta,
  adagrad,
  adam,
  adamax,
  adamw,
  applyUpdates,
  type GradientTransformation,
  nadam,
  radam,
  rmsprop,
  sgd,
} from '../src/index.js';
import { analyticLossAndGrad, close, flat, lossAndGrad, type MlpProblem } from './problem.js';

/**
 * Every first-order case of fixtures/optimizers.json (PyTorch 1.13, float64, 25 full-batch steps):
 * each loss and the final parameters within 1e-9 relative (absolute floor 1e-12). The gradients
 * come from core's autograd (float64 tensors, `valueAndGrad`), cross-checked against the
 * hand-written backward pass. The L-BFGS case belongs to the second-order tests.
 */
interface Case {
  name: string;
  torch_class: string;
  hyper: Record<string, number | boolean>;
  losses_before_each_step: number[];
  final: Record<string, number[] | number[][]>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as MlpProblem & {
  init: Record<string, number[] | number[][]>;
  steps: number;
  cases: Case[];
};

/** torch's snake_case keyword arguments in camelCase. */
function camel(hyper: Record<string, number | boolean>): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(hyper)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: the fixture's options are checked by the aliases
const aliases: Record<string, (o: any) => GradientTransformation<unknown[]>> = {
  SGD: sgd,
  Adagrad: adagrad,
  Adadelta: adadelta,
  RMSprop: rmsprop,
  Adam: adam,
  AdamW: adamw,
  Adamax: adamax,
  NAdam: nadam,
  RAdam: radam,
};

describe('PyTorch 1.13 optimizer fixtures (float64, 25 steps)', () => {
  it('has the 17 first-order cases', () => {
    expect(fixture.cases.length).toBe(17);
    expect(fixture.steps).toBe(25);
  });

  it("core's autograd gives the analytic loss and gradient (1e-12), at the start and along a trajectory", () => {
    let params: ArrayTree = {};
    for (const [k, v] of Object.entries(fixture.init)) params[k] = flat(v);
    const opt = adam({ lr: 0.1 });
    let state = opt.init(params);
    for (let t = 0; t < 5; t++) {
      const auto = lossAndGrad(fixture, params);
      const hand = analyticLossAndGrad(fixture, params);
      const bad: string[] = [];
      if (!close(auto.loss, hand.loss, 1e-12)) bad.push(`loss ${auto.loss} vs ${hand.loss}`);
      for (const [k, g] of Object.entries(hand.grads)) {
        const a = auto.grads[k]!;
        expect(a.length).toBe(g.length);
        for (let i = 0; i < g.length; i++) {
          if (!(Math.abs(a[i]! - g[i]!) <= 1e-12 * Math.max(1, Math.abs(g[i]!)))) bad.push(`${k}[${i}] ${a[i]} vs ${g[i]}`);
        }
      }
      expect(bad).toEqual([]);
      const [updates, next] = opt.update(auto.grads, state, params);
      params = applyUpdates(params, updates);
      state = next;
    }
  });

  /** 25 steps of `opt` from the fixture's start: the losses and final parameters against torch's. */
  function expectTorchTrajectory(c: Case, opt: GradientTransformation<unknown[]>): void {
    let params: ArrayTree = {};
    for (const [k, v] of Object.entries(fixture.init)) params[k] = flat(v);
    let state = opt.init(params);
    const losses: number[] = [];
    for (let t = 0; t < fixture.steps; t++) {
      const { loss, grads } = lossAndGrad(fixture, params);
      losses.push(loss);
      const [updates, next] = opt.update(grads, state, params);
      params = applyUpdates(params, updates);
      state = next;
    }
    const bad: string[] = [];
    losses.forEach((l, t) => {
      const ref = c.losses_before_each_step[t]!;
      if (!close(l, ref)) bad.push(`loss[${t}] ${l} vs ${ref}`);
    });
    for (const [k, v] of Object.entries(c.final)) {
      const ref = flat(v);
      const got = params[k]!;
      expect(got.length).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) if (!close(got[i]!, ref[i]!)) bad.push(`${k}[${i}] ${got[i]} vs ${ref[i]}`);
    }
    expect(bad).toEqual([]);
  }

  for (const c of fixture.cases) {
    it(`${c.name}: ${c.torch_class}(${JSON.stringify(c.hyper)})`, () => {
      const make = aliases[c.torch_class];
      if (!make) throw new Error(`no alias for ${c.torch_class}`);
      expectTorchTrajectory(c, make(camel(c.hyper)));
    });
  }

  // The aliases with a lecture `form` option: form 'torch', spelled out, is still torch's optimiser.
  const withForm = fixture.cases.filter((c) => ['Adam', 'AdamW', 'RMSprop'].includes(c.torch_class));
  it('has Adam, AdamW and RMSprop cases to check form: "torch" on', () => expect(withForm.length).toBeGreaterThanOrEqual(3));
  for (const c of withForm) {
    it(`${c.name} with form: 'torch'`, () => expectTorchTrajectory(c, aliases[c.torch_class]!({ ...camel(c.hyper), form: 'torch' })));
  }
});
