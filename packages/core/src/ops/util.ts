import { allocShared, checkDType, type DType, promote } from '../dtype.js';
import { type Shape, shapeEq, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** A tensor or a plain number (a number takes the dtype of the tensor it meets). */
export type TensorLike = Tensor | number;

/** A fresh zero-filled tensor (no graph). */
export function empty(dtype: DType, shape: Shape): Tensor {
  return new Tensor(allocShared(dtype, sizeOf(shape)), shape);
}

/** A 0-d tensor holding `v`. */
export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  const t = empty(dtype, []);
  t.data[0] = v;
  return t;
}

/** Converts numbers to 0-d tensors of `dtype`; checks tensors are tensors. */
export function asTensor(x: TensorLike, dtype: DType, op: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return scalar(x, dtype);
  throw new TypeError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}

/** Two operands as tensors of a common dtype (numbers adopt the tensor's dtype). */
export function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const da = a instanceof Tensor ? a.dtype : undefined;
  const db = b instanceof Tensor ? b.dtype : undefined;
  const dtype = da && db ? promote(da, db) : (da ?? db ?? 'float32');
  let ta = asTensor(a, dtype, op);
  let tb = asTensor(b, dtype, op);
  if (ta.dtype !== dtype) ta = ta.cast(dtype);
  if (tb.dtype !== dtype) tb = tb.cast(dtype);
  return [ta, tb];
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof Tensor) return x.toString();
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return `${typeof x} ${String(x)}`;
}

/** Sums `g` down to `shape` (the reverse of broadcasting `shape` up to `g.shape`). */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (shapeEq(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? g.sum(axes, true) : g;
  return s.reshape(shape);
}

export { checkDType };
