import { effect } from '../autograd/capture.js';
import { allocShared } from '../dtype.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

/**
 * Inverted dropout: in training each unit is kept with probability 1 − p and scaled by 1/(1 − p),
 * so evaluation (the identity) needs no rescaling. The mask comes from the layer's own seeded
 * generator, whose state is part of the layer (`rng.getState()`), so runs are reproducible.
 */
export class Dropout extends Module {
  readonly rng: Rng;

  constructor(
    readonly p = 0.5,
    readonly seed = 0,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    this.rng = new Rng(seed);
  }

  /** The scaled keep-mask for an input of `shape` (advances the generator). */
  sampleMask(shape: readonly number[], dtype: Tensor['dtype']): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const m = allocShared(dtype, n);
    const scale = 1 / (1 - this.p);
    // An effect: a compiled step draws a fresh mask each time, as the eager one does.
    effect(() => {
      for (let i = 0; i < n; i++) m[i] = this.rng.next() >= this.p ? scale : 0;
    });
    return new Tensor(m, shape);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return x.mul(this.sampleMask(x.shape, x.dtype));
  }

  spec(): ModuleSpec {
    return { type: 'Dropout', args: { p: this.p, seed: this.seed } };
  }
}

registerModuleType('Dropout', (s) => new Dropout(s.args?.p as number, s.args?.seed as number));
