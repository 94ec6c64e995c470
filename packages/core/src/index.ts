import './tensor-methods.js';

export * from './dtype.js';
export * from './rng.js';
export * from './tree.js';
export * from './shape.js';
export { Tensor, type TensorHandle, type NestedArray } from './tensor.js';
export * from './creation.js';
export * from './ops/index.js';
export { noGrad, isGradEnabled } from './autograd/mode.js';
export { grad, valueAndGrad, vjp, jvp, hvp, jacobian, hessian } from './autograd/functional.js';
export { type Backend, getBackend, setBackend } from './backend.js';
export { gradcheck, type GradcheckResult } from './autograd/gradcheck.js';
export * as F from './functional/index.js';
export * as nn from './nn/index.js';
export * as init from './init/index.js';
export * as kernels from './kernels/index.js';
export type { ModuleSpec } from './nn/module.js';
export * as data from './data/index.js';
