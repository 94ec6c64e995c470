import { checkDType, type DType } from '../dtype.js';
import { full } from '../creation.js';
import { prelu } from '../functional/activations.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

/**
 * PReLU: x for x > 0, α·x otherwise, with α learnable — one shared α (`numParameters = 1`) or one
 * per channel (axis 1, or the last axis of a 2-D input), initialised to 0.25 as in PyTorch.
 */
export class PReLU extends Module {
  readonly weight: Tensor;

  constructor(
    readonly numParameters = 1,
    readonly initValue = 0.25,
    dtype: DType = 'float32',
  ) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1) throw new RangeError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    this.weight = this.registerParameter('weight', full([numParameters], initValue, { dtype: checkDType(dtype, 'PReLU: dtype') }));
  }

  forward(x: Tensor): Tensor {
    if (this.numParameters === 1) return prelu(x, this.weight);
    const c = x.shape[1];
    if (c !== this.numParameters) {
      throw new RangeError(`PReLU(${this.numParameters}): expected ${this.numParameters} channels on axis 1, got shape ${fmtShape(x.shape)}`);
    }
    const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
    return prelu(x, this.weight.reshape(shape));
  }

  spec(): ModuleSpec {
    return { type: 'PReLU', args: { numParameters: this.numParameters, initValue: this.initValue, dtype: this.weight.dtype } };
  }
}

registerModuleType('PReLU', (s) => new PReLU(s.args?.numParameters as number, s.args?.initValue as number, s.args?.dtype as DType));
