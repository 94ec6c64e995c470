import * as A from '../functional/activations.js';
import type { Tensor } from '../tensor.js';
import { Module, type ModuleSpec, registerModuleType } from './module.js';

/** A parameter-free module wrapping an activation of `F`. */
export class Activation extends Module {
  constructor(
    readonly kind: ActivationName,
    readonly args: Record<string, number | string> = {},
  ) {
    super();
    if (!(kind in ACTIVATIONS)) throw new RangeError(`Activation: unknown activation '${kind}'; known: ${Object.keys(ACTIVATIONS).join(', ')}`);
  }

  forward(x: Tensor): Tensor {
    return ACTIVATIONS[this.kind](x, this.args);
  }

  spec(): ModuleSpec {
    return { type: 'Activation', args: { kind: this.kind, ...this.args } };
  }
}

type Args = Record<string, number | string>;
const num = (a: Args, k: string, d: number) => (a[k] === undefined ? d : Number(a[k]));

const ACTIVATIONS = {
  identity: (x: Tensor) => x,
  binaryStep: (x: Tensor) => A.binaryStep(x),
  sigmoid: (x: Tensor) => A.sigmoid(x),
  tanh: (x: Tensor) => A.tanh(x),
  sobolevaTanh: (x: Tensor, a: Args) => A.sobolevaTanh(x, num(a, 'a', 1), num(a, 'b', 1), num(a, 'c', 1), num(a, 'd', 1)),
  lecunTanh: (x: Tensor) => A.lecunTanh(x),
  relu: (x: Tensor) => A.relu(x),
  leakyRelu: (x: Tensor, a: Args) => A.leakyRelu(x, num(a, 'alpha', 0.01)),
  elu: (x: Tensor, a: Args) => A.elu(x, num(a, 'alpha', 1)),
  selu: (x: Tensor) => A.selu(x),
  gelu: (x: Tensor, a: Args) => A.gelu(x, a.approximate === 'tanh' ? 'tanh' : 'none'),
  silu: (x: Tensor) => A.silu(x),
  gaussian: (x: Tensor) => A.gaussian(x),
  softplus: (x: Tensor, a: Args) => A.softplus(x, num(a, 'beta', 1)),
  softmax: (x: Tensor, a: Args) => A.softmax(x, num(a, 'axis', -1)),
  logSoftmax: (x: Tensor, a: Args) => A.logSoftmax(x, num(a, 'axis', -1)),
} satisfies Record<string, (x: Tensor, a: Args) => Tensor>;

export type ActivationName = keyof typeof ACTIVATIONS;

registerModuleType('Activation', (s) => {
  const { kind, ...rest } = (s.args ?? {}) as Args;
  return new Activation(kind as ActivationName, rest);
});

export const Identity = () => new Activation('identity');
export const BinaryStep = () => new Activation('binaryStep');
export const Sigmoid = () => new Activation('sigmoid');
export const Tanh = () => new Activation('tanh');
export const SobolevaTanh = (a = 1, b = 1, c = 1, d = 1) => new Activation('sobolevaTanh', { a, b, c, d });
export const LecunTanh = () => new Activation('lecunTanh');
export const ReLU = () => new Activation('relu');
export const LeakyReLU = (alpha = 0.01) => new Activation('leakyRelu', { alpha });
export const ELU = (alpha = 1) => new Activation('elu', { alpha });
export const SELU = () => new Activation('selu');
export const GELU = (approximate: 'none' | 'tanh' = 'none') => new Activation('gelu', { approximate });
export const SiLU = () => new Activation('silu');
export const Gaussian = () => new Activation('gaussian');
export const Softplus = (beta = 1) => new Activation('softplus', { beta });
export const Softmax = (axis = -1) => new Activation('softmax', { axis });
export const LogSoftmax = (axis = -1) => new Activation('logSoftmax', { axis });
