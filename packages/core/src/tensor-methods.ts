import { effect, isCapturing } from './autograd/capture.js';
import { gradients } from './autograd/engine.js';
import { unary } from './ops/unary.js';
import * as ops from './ops/index.js';
import { argmax } from './ops/reduce.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';
import { scalar } from './ops/util.js';

/**
 * `t.grad += g` in place (a copy of `g` when `t` has no gradient yet): the leaf-gradient step of a
 * captured `backward()`, replayed into whatever gradient `t` holds then (zeroGrad keeps it).
 */
function accumulateGrad(t: Tensor, g: Tensor): void {
  const acc = t.grad;
  if (acc === null) {
    t.grad = g.clone();
    return;
  }
  if (acc.size !== g.size || acc.dtype !== g.dtype) {
    throw new RangeError(`backward: the gradient held by a ${t} is a ${acc}, expected ${g} (a compiled step accumulates in place)`);
  }
  const a = acc.data;
  const d = g.data;
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + d[i]!;
}

/** Installs the ops as methods of `Tensor` (kept apart from the class so ops can use methods). */
const proto = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  add(b: ops.TensorLike) { return ops.add(this, b); },
  sub(b: ops.TensorLike) { return ops.sub(this, b); },
  mul(b: ops.TensorLike) { return ops.mul(this, b); },
  div(b: ops.TensorLike) { return ops.div(this, b); },
  pow(b: ops.TensorLike) { return ops.pow(this, b); },
  maximum(b: ops.TensorLike) { return ops.maximum(this, b); },
  minimum(b: ops.TensorLike) { return ops.minimum(this, b); },
  gt(b: ops.TensorLike) { return ops.gt(this, b); },
  ge(b: ops.TensorLike) { return ops.ge(this, b); },
  lt(b: ops.TensorLike) { return ops.lt(this, b); },
  le(b: ops.TensorLike) { return ops.le(this, b); },
  eq(b: ops.TensorLike) { return ops.eq(this, b); },
  ne(b: ops.TensorLike) { return ops.ne(this, b); },
  neg() { return unary('neg', this); },
  exp() { return unary('exp', this); },
  log() { return unary('log', this); },
  log1p() { return unary('log1p', this); },
  sqrt() { return unary('sqrt', this); },
  square() { return ops.mul(this, this); },
  abs() { return unary('abs', this); },
  sign() { return unary('sign', this); },
  sin() { return unary('sin', this); },
  cos() { return unary('cos', this); },
  tanh() { return unary('tanh', this); },
  sigmoid() { return unary('sigmoid', this); },
  erf() { return unary('erf', this); },
  relu() { return unary('relu', this); }, // NaN stays NaN, as F.relu
  clip(lo: number | null, hi: number | null) { return ops.clip(this, lo, hi); },
  matmul(b: Tensor) { return ops.matmul(this, b); },
  sum(axes?: number[], keep?: boolean) { return ops.sum(this, axes, keep); },
  mean(axes?: number[], keep?: boolean) { return ops.mean(this, axes, keep); },
  max(axes?: number[], keep?: boolean) { return ops.max(this, axes, keep); },
  min(axes?: number[], keep?: boolean) { return ops.min(this, axes, keep); },
  var(axes?: number[], keep?: boolean, c?: number) { return ops.variance(this, axes, keep, c); },
  std(axes?: number[], keep?: boolean, c?: number) { return ops.std(this, axes, keep, c); },
  argmax(axis?: number, keep?: boolean) { return argmax(this, axis, keep, true); },
  argmin(axis?: number, keep?: boolean) { return argmax(this, axis, keep, false); },
  reshape(shape: number[]) { return ops.reshape(this, shape); },
  flatten(start = 0) {
    const s = this.shape.slice(0, start);
    return ops.reshape(this, [...s, -1]);
  },
  transpose(a?: number, b?: number) { return ops.transpose(this, a, b); },
  permute(perm: number[]) { return ops.permute(this, perm); },
  expand(shape: number[]) { return ops.expand(this, shape); },
  expandDims(axis: number) { return ops.expandDims(this, axis); },
  squeeze(axes?: number | number[]) { return ops.squeeze(this, axes); },
  slice(starts: (number | null)[], ends?: (number | null)[]) { return ops.slice(this, starts, ends); },
  narrow(axis: number, start: number, length: number) { return ops.narrow(this, axis, start, length); },
  gather(axis: number, index: Tensor) { return ops.gather(this, axis, index); },
  cast(dtype: 'float32' | 'float64') { return ops.cast(this, dtype); },
  backward(gradient?: Tensor, options?: { createGraph?: boolean }) {
    if (!this.requiresGrad) {
      throw new Error('backward: this tensor does not require grad (no input had requiresGrad, or it was computed under noGrad)');
    }
    if (!gradient && this.size !== 1) {
      throw new RangeError(`backward: a gradient is needed for a non-scalar output of shape ${fmtShape(this.shape)}; pass one, or reduce the output (e.g. .sum()) first`);
    }
    const seed = gradient ?? scalar(1, this.dtype).reshape(this.shape);
    const grads = gradients(this, seed, options?.createGraph ?? false);
    const capturing = isCapturing();
    if (capturing && options?.createGraph) throw new Error('compile: backward with createGraph inside a compiled function is not supported');
    for (const [t, g] of grads) {
      if (t._node !== null || !t.requiresGrad) continue;
      // Accumulate, never assign. Without createGraph the stored gradient owns its memory, so
      // in-place updates (zeroGrad, reductions across shards) never reach a shared buffer.
      if (options?.createGraph) t.grad = t.grad ? t.grad.add(g) : g;
      else if (capturing) effect(() => accumulateGrad(t, g));
      else t.grad = t.grad ? t.grad.detach().add(g) : g.clone();
    }
  },
};
for (const [name, fn] of Object.entries(methods)) proto[name] = fn;
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return ops.transpose(this);
  },
});
