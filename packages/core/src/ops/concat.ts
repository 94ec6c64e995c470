import { apply, type Primitive } from '../autograd/primitive.js';
import { promote } from '../dtype.js';
import { fmtShape, normAxis, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { narrow } from './slice.js';
import { empty } from './util.js';

const CONCAT: Primitive<{ axis: number }> = {
  name: 'concat',
  forward(xs, { axis }) {
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((a, x) => a + x.shape[axis]!, 0);
    const out = empty(xs[0]!.dtype, shape);
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const row = shape[axis]! * inner;
    let col = 0;
    for (const x of xs) {
      const w = x.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * w, (o + 1) * w), o * row + col);
      col += w;
    }
    return out;
  },
  vjp(g, xs, _o, { axis }) {
    let start = 0;
    return xs.map((x) => {
      const n = x.shape[axis]!;
      const part = x.requiresGrad ? narrow(g, axis, start, n) : null;
      start += n;
      return part;
    });
  },
  // Inputs without a tangent contribute zeros (not x·0, which is NaN where x is ±∞).
  jvp: (ts, xs, _o, { axis }) => concat(xs.map((x, i) => ts[i] ?? empty(x.dtype, x.shape)), axis),
};

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new RangeError('concat: expected at least one tensor');
  const first = xs[0]!;
  const ax = normAxis(axis, first.ndim, 'concat');
  const dtype = xs.reduce((d, x) => promote(d, x.dtype), first.dtype);
  for (const x of xs) {
    if (x.ndim !== first.ndim || x.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new RangeError(`concat: shapes ${fmtShape(first.shape)} and ${fmtShape(x.shape)} differ outside axis ${ax}`);
    }
  }
  return apply(CONCAT, xs.map((x) => x.cast(dtype)), { axis: ax });
}

/** Joins tensors of equal shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new RangeError('stack: expected at least one tensor');
  const ax = normAxis(axis, xs[0]!.ndim + 1, 'stack');
  for (const x of xs) {
    if (x.ndim !== xs[0]!.ndim || x.shape.some((d, i) => d !== xs[0]!.shape[i])) {
      throw new RangeError(`stack: shapes ${fmtShape(xs[0]!.shape)} and ${fmtShape(x.shape)} differ`);
    }
  }
  return concat(xs.map((x) => x.expandDims(ax)), ax);
}
