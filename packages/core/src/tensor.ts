import { assertNotCapturing, effect } from './autograd/capture.js';
import { allocShared, type DType, sharedMemory, dtypeOf, type FloatArray, viewOf } from './dtype.js';
import { fmtShape, type Shape, sizeOf } from './shape.js';

/** A plain description of a tensor's memory; it crosses threads without copying the data. */
export interface TensorHandle {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  shape: number[];
  dtype: DType;
}

/** Reverse-mode bookkeeping: the op that made a tensor and how to push a gradient back. @internal */
export interface GradNode {
  name: string;
  inputs: Tensor[];
  /** Gradients w.r.t. each input (null where an input needs none), built with differentiable ops. */
  backward: (g: Tensor) => (Tensor | null)[];
}

/**
 * An n-dimensional array of float32 or float64 over a `SharedArrayBuffer`, contiguous in row-major
 * order. Ops are methods (`a.add(b)`) and free functions (`add(a, b)`). A tensor with
 * `requiresGrad` records the ops applied to it so `backward()` can compute gradients.
 */
export class Tensor {
  readonly shape: number[];
  readonly dtype: DType;
  /** The elements, row-major; a typed-array view over shared memory. */
  readonly data: FloatArray;
  /** The gradient accumulated by `backward()`, or null. */
  grad: Tensor | null = null;
  requiresGrad: boolean;
  /** @internal */
  _node: GradNode | null = null;
  /** @internal forward-mode tangent (see `jvp`) */
  _tangent: Tensor | null = null;
  /** @internal the forward-mode level the tangent belongs to */
  _tangentLevel = 0;

  constructor(data: FloatArray, shape: Shape, requiresGrad = false) {
    // Without SharedArrayBuffer (a browser page that is not cross-origin isolated) any buffer will do.
    if (sharedMemory && !(data.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('Tensor: storage must be a typed array over a SharedArrayBuffer');
    }
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new RangeError(`Tensor: ${data.length} elements do not fill shape ${fmtShape(shape)} (${n} elements)`);
    }
    this.data = data;
    this.shape = [...shape];
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The handle `{buffer, byteOffset, shape, dtype}` of this tensor's memory. */
  handle(): TensorHandle {
    return {
      buffer: this.data.buffer as SharedArrayBuffer,
      byteOffset: this.data.byteOffset,
      shape: [...this.shape],
      dtype: this.dtype,
    };
  }

  /** Rebuilds a tensor over the memory a handle describes (no copy; writes are shared). */
  static fromHandle(h: TensorHandle): Tensor {
    return new Tensor(viewOf(h.buffer, h.byteOffset, sizeOf(h.shape), h.dtype), h.shape);
  }

  /** The value of a one-element tensor. */
  item(): number {
    assertNotCapturing('item()');
    if (this.size !== 1) throw new RangeError(`item: expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    return this.data[0]!;
  }

  /** Nested arrays of numbers (a number for a 0-d tensor). */
  toArray(): NestedArray {
    assertNotCapturing('toArray()');
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, off: number): NestedArray => {
      const n = this.shape[dim]!;
      if (dim === this.shape.length - 1) return Array.from(this.data.subarray(off, off + n));
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** A tensor sharing this one's memory but cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy in fresh shared memory (no graph). */
  clone(): Tensor {
    const d = allocShared(this.dtype, this.size);
    const src = this.data;
    // An effect: inside a compiled function the copy is made again on every call.
    effect(() => d.set(src));
    return new Tensor(d, this.shape);
  }

  /** Sets `requiresGrad` in place and returns this tensor. */
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }
}

export type NestedArray = number | NestedArray[];

type T = Tensor;
type TL = Tensor | number;
type Axes = number | readonly number[] | null;
type IndexLike = Tensor | Int32Array | readonly number[];

/** The ops as methods; installed by `tensor-methods.ts` (see the free functions for docs). */
export interface Tensor {
  add(b: TL): T;
  sub(b: TL): T;
  mul(b: TL): T;
  div(b: TL): T;
  pow(b: TL): T;
  maximum(b: TL): T;
  minimum(b: TL): T;
  gt(b: TL): T;
  ge(b: TL): T;
  lt(b: TL): T;
  le(b: TL): T;
  eq(b: TL): T;
  ne(b: TL): T;
  neg(): T;
  exp(): T;
  log(): T;
  log1p(): T;
  sqrt(): T;
  square(): T;
  abs(): T;
  sign(): T;
  sin(): T;
  cos(): T;
  tanh(): T;
  sigmoid(): T;
  erf(): T;
  relu(): T;
  clip(min: number | null, max: number | null): T;
  matmul(b: T): T;
  sum(axes?: Axes, keepDims?: boolean): T;
  mean(axes?: Axes, keepDims?: boolean): T;
  max(axes?: Axes, keepDims?: boolean): T;
  min(axes?: Axes, keepDims?: boolean): T;
  var(axes?: Axes, keepDims?: boolean, correction?: number): T;
  std(axes?: Axes, keepDims?: boolean, correction?: number): T;
  argmax(axis?: number, keepDims?: boolean): T;
  argmin(axis?: number, keepDims?: boolean): T;
  reshape(shape: readonly number[]): T;
  flatten(startAxis?: number): T;
  transpose(a?: number, b?: number): T;
  permute(perm: readonly number[]): T;
  expand(shape: readonly number[]): T;
  expandDims(axis: number): T;
  squeeze(axes?: number | number[]): T;
  slice(starts: readonly (number | null)[], ends?: readonly (number | null | undefined)[]): T;
  narrow(axis: number, start: number, length: number): T;
  gather(axis: number, index: IndexLike): T;
  cast(dtype: DType): T;
  /** The matrix transpose (last two axes). */
  readonly T: T;
  /** Runs reverse mode from this tensor, accumulating into the `.grad` of every leaf that requires it. */
  backward(gradient?: T, options?: { createGraph?: boolean }): void;
}
