import { describe, expect, it } from 'vitest';
import * as aliases from './alias.js';
import { ALIAS_OPTION_KEYS, DEFAULT_LR, baseLearningRate } from './alias.js';
import type { GradientTransformation } from './types.js';

/** A valid value for every key of the table (a new key without one fails the second test). */
const SAMPLE: Record<string, unknown> = {
  lr: 0.05,
  momentum: 0.5,
  dampening: 0,
  weightDecay: 0.01,
  nesterov: false,
  betas: [0.8, 0.99],
  eps: 1e-7,
  amsgrad: true,
  momentumDecay: 0.004,
  lrDecay: 0.001,
  initialAccumulatorValue: 0.1,
  rho: 0.8,
  alpha: 0.9,
  centered: true,
  form: 'torch',
};

const names = Object.keys(ALIAS_OPTION_KEYS) as (keyof typeof ALIAS_OPTION_KEYS)[];
const build = (name: string, o: object) => (aliases as unknown as Record<string, (o: object) => unknown>)[name]!(o);

describe('ALIAS_OPTION_KEYS', () => {
  it.each(names)('%s: lists exactly the keys the alias reads', (name) => {
    const read = new Set<string>();
    const spy = new Proxy({} as Record<string, unknown>, {
      get(_t, k) {
        if (typeof k === 'string') read.add(k);
        return k === 'lr' ? 0.1 : undefined;
      },
    });
    build(name, spy);
    expect([...read].sort()).toEqual([...ALIAS_OPTION_KEYS[name]].sort());
  });

  it.each(names)('%s: accepts every listed key with a valid value', (name) => {
    for (const key of ALIAS_OPTION_KEYS[name]) {
      expect(SAMPLE, `no sample value for '${key}'`).toHaveProperty(key);
      expect(() => build(name, { lr: 0.1, [key]: SAMPLE[key] })).not.toThrow();
    }
  });

  it('covers every alias that takes an options object', () => {
    expect(names.sort()).toEqual(['adadelta', 'adagrad', 'adam', 'adamax', 'adamw', 'nadam', 'radam', 'rmsprop', 'sgd']);
  });
});

describe('DEFAULT_LR', () => {
  it.each(names.filter((n) => n !== 'sgd'))('%s without lr steps exactly as with lr = DEFAULT_LR (PyTorch\'s default)', (name) => {
    const params = { w: new Float64Array([0.5, -1.5, 2]) };
    const grads = { w: new Float64Array([0.3, -0.2, 0.7]) };
    const step = (t: ReturnType<typeof build>) => {
      const tr = t as GradientTransformation;
      const [updates] = tr.update(grads, tr.init(params), params);
      return Array.from((updates as { w: Float64Array }).w);
    };
    const implicit = step(build(name, {}));
    expect(implicit).toEqual(step(build(name, { lr: DEFAULT_LR[name] })));
    expect(implicit).not.toEqual(step(build(name, { lr: DEFAULT_LR[name] * 2 })));
  });
});

describe('baseLearningRate', () => {
  it("is the config's lr when given, else its alias's default, else 1e-3", () => {
    expect(baseLearningRate('rmsprop', {})).toBe(1e-2);
    expect(baseLearningRate('adadelta', { lr: undefined })).toBe(1);
    expect(baseLearningRate('adam', { lr: 0.5 })).toBe(0.5);
    expect(baseLearningRate('someOtherName', {})).toBe(1e-3);
  });
});
