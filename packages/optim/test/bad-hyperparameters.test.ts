import { describe, expect, it } from 'vitest';
import {
  accumulateGradients,
  adadelta,
  adagrad,
  adam,
  adamax,
  adamw,
  clipByGlobalNorm,
  clipByValue,
  identity,
  momentum,
  nadam,
  nesterov,
  radam,
  rmsprop,
  scale,
  scaleByLearningRate,
  sgd,
  trace,
} from '../src/index.js';

/** Every bad hyper-parameter throws a RangeError naming the function, the argument and the value. */
const cases: [string, () => unknown, string][] = [
  ['negative lr', () => sgd({ lr: -0.1 }), 'sgd: lr must be a finite number >= 0, got -0.1'],
  ['missing lr', () => sgd({} as never), 'sgd: lr must be a finite number >= 0, got undefined'],
  ['NaN lr', () => adam({ lr: Number.NaN }), 'adam: lr must be a finite number >= 0, got NaN'],
  ['infinite lr', () => rmsprop({ lr: Number.POSITIVE_INFINITY }), 'rmsprop: lr must be a finite number >= 0, got Infinity'],
  ['momentum 1', () => sgd({ lr: 0.1, momentum: 1 }), 'sgd: momentum must be in [0, 1), got 1'],
  ['negative momentum', () => momentum(0.1, -0.5), 'momentum: beta must be in [0, 1), got -0.5'],
  ['dampening > 1', () => sgd({ lr: 0.1, momentum: 0.9, dampening: 1.5 }), 'sgd: dampening must be in [0, 1], got 1.5'],
  [
    'nesterov with dampening',
    () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    'sgd: nesterov needs momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1',
  ],
  [
    'nesterov without momentum',
    () => sgd({ lr: 0.1, nesterov: true }),
    'sgd: nesterov needs momentum > 0 and dampening = 0, got momentum 0 and dampening 0',
  ],
  ['nesterov beta 0', () => nesterov(0.1, 0), 'nesterov: beta must be in (0, 1), got 0'],
  ['negative weight decay', () => sgd({ lr: 0.1, weightDecay: -1e-4 }), 'sgd: weightDecay must be a finite number >= 0, got -0.0001'],
  ['beta2 1.5', () => adam({ betas: [0.9, 1.5] }), 'adam: betas[1] must be in [0, 1), got 1.5'],
  ['beta1 negative', () => adamw({ betas: [-0.1, 0.999] }), 'adamw: betas[0] must be in [0, 1), got -0.1'],
  ['betas not a pair', () => adamax({ betas: [0.9] as never }), 'adamax: betas must be a pair [beta1, beta2], got [0.9]'],
  ['eps 0', () => adam({ eps: 0 }), 'adam: eps must be a finite number > 0, got 0'],
  ['eps negative', () => radam({ eps: -1e-8 }), 'radam: eps must be a finite number > 0, got -1e-8'],
  ['amsgrad not boolean', () => adam({ amsgrad: 1 as never }), 'adam: amsgrad must be a boolean, got 1'],
  ['adamw negative decay', () => adamw({ weightDecay: -0.01 }), 'adamw: weightDecay must be a finite number >= 0, got -0.01'],
  ['adagrad lrDecay', () => adagrad({ lrDecay: -1 }), 'adagrad: lrDecay must be a finite number >= 0, got -1'],
  [
    'adagrad accumulator',
    () => adagrad({ initialAccumulatorValue: Number.NaN }),
    'adagrad: initialAccumulatorValue must be a finite number >= 0, got NaN',
  ],
  ['adadelta rho 1', () => adadelta({ rho: 1 }), 'adadelta: rho must be in [0, 1), got 1'],
  ['rmsprop alpha', () => rmsprop({ alpha: 2 }), 'rmsprop: alpha must be in [0, 1), got 2'],
  ['rmsprop momentum', () => rmsprop({ momentum: -0.1 }), 'rmsprop: momentum must be in [0, 1), got -0.1'],
  ['rmsprop centered', () => rmsprop({ centered: 'yes' as never }), 'rmsprop: centered must be a boolean, got "yes"'],
  ['nadam momentumDecay', () => nadam({ momentumDecay: -4e-3 }), 'nadam: momentumDecay must be a finite number >= 0, got -0.004'],
  ['scale NaN', () => scale(Number.NaN), 'scale: factor must be a finite number, got NaN'],
  ['scaleByLearningRate', () => scaleByLearningRate(-1), 'scaleByLearningRate: lr must be a finite number >= 0, got -1'],
  ['trace decay', () => trace({ decay: 1.2 }), 'trace: decay must be in [0, 1), got 1.2'],
  ['clipByValue', () => clipByValue(Number.NaN), 'clipByValue: clipValue must be a finite number >= 0, got NaN'],
  ['clipByGlobalNorm', () => clipByGlobalNorm(-1), 'clipByGlobalNorm: maxNorm must be a finite number > 0, got -1'],
  ['accumulate k 0', () => accumulateGradients(0, identity()), 'accumulateGradients: k must be an integer >= 1, got 0'],
];

describe('bad hyper-parameters', () => {
  for (const [what, make, message] of cases) {
    it(`${what}: ${message}`, () => {
      expect(make).toThrow(RangeError);
      expect(make).toThrow(message);
    });
  }

  it('a schedule that yields a bad lr fails at the step that uses it', () => {
    const t = sgd({ lr: (step) => (step < 2 ? 0.1 : -0.5) });
    const p = { w: new Float64Array(1) };
    let s = t.init(p);
    [, s] = t.update({ w: Float64Array.of(1) }, s, p);
    [, s] = t.update({ w: Float64Array.of(1) }, s, p);
    expect(() => t.update({ w: Float64Array.of(1) }, s, p)).toThrow(
      'scaleByLearningRate: lr(2) must be a finite number >= 0, got -0.5',
    );
  });
});
