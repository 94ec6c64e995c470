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
import { close, flat, lossAndGrad, type MlpProblem } from './problem.js';

/**
 * Every first-order case of fixtures/optimizers.json (PyTorch 1.13, float64, 25 full-batch steps):
 * each loss and the final parameters within 1e-9 relative (absolute floor 1e-12). The L-BFGS case
 * belongs to the second-order tests.
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

  for (const c of fixture.cases) {
    it(`${c.name}: ${c.torch_class}(${JSON.stringify(c.hyper)})`, () => {
      const make = aliases[c.torch_class];
      if (!make) throw new Error(`no alias for ${c.torch_class}`);
      const opt = make(camel(c.hyper));
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
    });
  }
});
