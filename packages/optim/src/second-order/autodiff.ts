/**
 * Bridges from a tensor function to what the second-order methods need, by core's autodiff in
 * float64: the objective (loss and gradient, reverse mode), the dense Hessian (reverse over
 * reverse, one backward pass per row) and Hessian-vector products (forward over reverse).
 *
 * @example
 * const f = (p: Tensor) => p.square().sum();
 * minimize(objectiveFromTensorFn(f), x0, newton({ hessian: hessianFromTensorFn(f) }));
 */
import { type Tensor, hessian, hvp, tensor, valueAndGrad } from '@actorgrad/core';
import type { Objective } from './types.js';

/** A scalar-valued function of one tensor, written with core's differentiable ops. */
export type TensorFn = (x: Tensor) => Tensor;

/** `x` as a float64 tensor of `shape` (default `[x.length]`), checking that the sizes agree. */
function toTensor(x: Float64Array, shape: readonly number[] | undefined, fn: string): Tensor {
  const s = shape ?? [x.length];
  const size = s.reduce((a, b) => a * b, 1);
  if (size !== x.length) {
    throw new RangeError(`${fn}: x has ${x.length} elements but shape [${s.join(', ')}] holds ${size}`);
  }
  return tensor(x, { dtype: 'float64', shape: s });
}

function checkFn(f: unknown, fn: string): void {
  if (typeof f !== 'function') throw new TypeError(`${fn}: f must be a function (x: Tensor) => Tensor, got ${typeof f}`);
}

function checkFloat64(t: Tensor, what: string, fn: string): void {
  if (t.dtype !== 'float64') throw new TypeError(`${fn}: ${what} is ${t.dtype}, expected float64 (keep every constant of f in float64)`);
}

/**
 * The {@link Objective} `x ↦ { loss: f(x), grad: ∇f(x) }` of a scalar tensor function, by core's
 * `valueAndGrad` (reverse mode). `x` is passed to `f` as a float64 tensor of `shape` (default
 * `[n]`, the flat vector); `f` must return a float64 scalar.
 */
export function objectiveFromTensorFn(f: TensorFn, shape?: readonly number[]): Objective {
  const fn = 'objectiveFromTensorFn';
  checkFn(f, fn);
  const vg = valueAndGrad(f);
  return (x) => {
    const [y, [g]] = vg(toTensor(x, shape, fn));
    checkFloat64(y, 'the loss', fn);
    return { loss: y.item(), grad: Float64Array.from(g!.data) };
  };
}

/**
 * The Hessian `x ↦ ∇²f(x)`, n×n row-major (n = `x.length`), of a scalar tensor function, by core's
 * `hessian` (the Jacobian of the gradient: n reverse passes). For {@link newton}'s `hessian`
 * option; O(n²) memory, so for small models. `shape` as in {@link objectiveFromTensorFn}.
 */
export function hessianFromTensorFn(f: TensorFn, shape?: readonly number[]): (x: Float64Array) => Float64Array {
  const fn = 'hessianFromTensorFn';
  checkFn(f, fn);
  const h = hessian(f);
  return (x) => {
    const out = h(toTensor(x, shape, fn));
    checkFloat64(out, 'the Hessian', fn);
    return Float64Array.from(out.data);
  };
}

/**
 * The Hessian-vector product `(x, v) ↦ ∇²f(x)·v` of a scalar tensor function, by core's `hvp`
 * (forward over reverse: one pass, O(n) memory, no n×n matrix). `v` has the length of `x`;
 * `shape` as in {@link objectiveFromTensorFn}.
 */
export function hessianVectorProductFromTensorFn(
  f: TensorFn,
  shape?: readonly number[],
): (x: Float64Array, v: Float64Array) => Float64Array {
  const fn = 'hessianVectorProductFromTensorFn';
  checkFn(f, fn);
  return (x, v) => {
    if (v.length !== x.length) throw new RangeError(`${fn}: v has length ${v.length}, expected ${x.length} (the length of x)`);
    const out = hvp(f, toTensor(x, shape, fn), toTensor(v, shape, fn));
    checkFloat64(out, 'H·v', fn);
    return Float64Array.from(out.data);
  };
}
