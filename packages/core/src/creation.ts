import { allocShared, checkDType, type DType, type FloatArray } from './dtype.js';
import { defaultRng, type Rng } from './rng.js';
import { checkShape, fmtShape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  rng?: Rng;
}

function make(shape: readonly number[], opts: TensorOptions | undefined, fill: (d: FloatArray) => void, op: string): Tensor {
  const s = checkShape(shape, op);
  const dtype = checkDType(opts?.dtype ?? 'float32', `${op}: dtype`);
  const d = allocShared(dtype, sizeOf(s));
  fill(d);
  return new Tensor(d, s, opts?.requiresGrad ?? false);
}

function inferShape(data: NestedArray, path: string): number[] {
  if (typeof data === 'number') return [];
  if (!Array.isArray(data)) throw new TypeError(`tensor: expected numbers or nested arrays, got ${typeof data} at ${path}`);
  if (data.length === 0) return [0];
  const inner = inferShape(data[0]!, `${path}[0]`);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i]!, `${path}[${i}]`);
    if (s.length !== inner.length || s.some((d, j) => d !== inner[j])) {
      throw new RangeError(`tensor: ragged nested array: ${path}[0] has shape ${fmtShape(inner)} but ${path}[${i}] has shape ${fmtShape(s)}`);
    }
  }
  return [data.length, ...inner];
}

/**
 * A tensor from a number, nested arrays or a typed array (`shape` then required unless 1-D).
 * Data are copied into fresh shared memory.
 */
export function tensor(
  data: NestedArray | ArrayLike<number>,
  opts?: TensorOptions & { shape?: readonly number[] },
): Tensor {
  let shape: number[];
  let flat: ArrayLike<number>;
  if (ArrayBuffer.isView(data)) {
    flat = data as unknown as ArrayLike<number>;
    shape = opts?.shape ? checkShape(opts.shape, 'tensor') : [flat.length];
  } else {
    shape = opts?.shape ? checkShape(opts.shape, 'tensor') : inferShape(data as NestedArray, 'data');
    flat = typeof data === 'number' ? [data] : (data as NestedArray[]).flat(Number.POSITIVE_INFINITY as 1) as number[];
  }
  if (flat.length !== sizeOf(shape)) {
    throw new RangeError(`tensor: ${flat.length} values do not fill shape ${fmtShape(shape)}`);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') throw new TypeError(`tensor: element ${i} is ${typeof flat[i]}, expected a number`);
  }
  return make(shape, opts, (d) => d.set(flat), 'tensor');
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return make(shape, opts, () => {}, 'zeros');
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return make(shape, opts, (d) => d.fill(1), 'ones');
}

export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  return make(shape, opts, (d) => d.fill(value), 'full');
}

export function zerosLike(x: Tensor, opts?: TensorOptions): Tensor {
  return zeros(x.shape, { dtype: x.dtype, ...opts });
}

export function onesLike(x: Tensor, opts?: TensorOptions): Tensor {
  return ones(x.shape, { dtype: x.dtype, ...opts });
}

/** start, start + step, … up to but excluding stop (like torch.arange). */
export function arange(start: number, stop?: number, step = 1, opts?: TensorOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(Math.ceil((stop - start) / step), 0);
  return make([n], opts, (d) => {
    for (let i = 0; i < n; i++) d[i] = start + i * step;
  }, 'arange');
}

/** `steps` evenly spaced values from start to end inclusive (like torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  return make([steps], opts, (d) => {
    // Fill symmetric halves from each end, as torch does, so the end point is exact.
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) d[i] = i < half ? start + h * i : end - h * (steps - 1 - i);
  }, 'linspace');
}

/** Standard normal samples from a seeded generator. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  const rng = opts?.rng ?? defaultRng();
  return make(shape, opts, (d) => {
    for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  }, 'randn');
}

/** Uniform samples in [0, 1) from a seeded generator. */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  const rng = opts?.rng ?? defaultRng();
  return make(shape, opts, (d) => {
    for (let i = 0; i < d.length; i++) d[i] = rng.next();
  }, 'rand');
}

/** The n×n identity matrix. */
export function eye(n: number, opts?: TensorOptions): Tensor {
  return make([n, n], opts, (d) => {
    for (let i = 0; i < n; i++) d[i * n + i] = 1;
  }, 'eye');
}
