import { checkDType, type DType } from '../dtype.js';
import * as init from '../init/initializers.js';
import { linear } from '../ops/matmul.js';
import { defaultRng, type Rng } from '../rng.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
  rng?: Rng;
  /** Weight initialiser (default: PyTorch's U(−1/√in, 1/√in)). */
  weightInit?: init.Initializer;
  biasInit?: init.Initializer;
}

/**
 * y = x·Wᵀ + b with the weight stored [out, in] as in `torch.nn.Linear`, so state dicts load into
 * PyTorch unchanged. Default initialisation is PyTorch's: U(−1/√in, 1/√in) for W and b.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    const dtype = checkDType(opts.dtype ?? 'float32', 'Linear: dtype');
    const rng = opts.rng ?? defaultRng();
    const wInit = opts.weightInit ?? init.torchLinearDefault;
    this.weight = this.registerParameter('weight', wInit([outFeatures, inFeatures], { rng, dtype }));
    this.bias =
      opts.bias === false
        ? null
        : this.registerParameter('bias', (opts.biasInit ?? init.torchLinearDefault)([outFeatures], { rng, dtype, fanIn: inFeatures, fanOut: outFeatures }));
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(`Linear(${this.inFeatures}, ${this.outFeatures}): expected input with ${this.inFeatures} features in the last axis, got shape ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }

  spec(): ModuleSpec {
    return { type: 'Linear', args: { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, dtype: this.weight.dtype } };
  }
}

registerModuleType('Linear', (s) => {
  const a = s.args as { inFeatures: number; outFeatures: number; bias: boolean; dtype: DType };
  return new Linear(a.inFeatures, a.outFeatures, { bias: a.bias, dtype: a.dtype });
});
