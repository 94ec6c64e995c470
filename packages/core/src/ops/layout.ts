import { apply, type Primitive } from '../autograd/primitive.js';
import { allocShared, checkDType, type DType } from '../dtype.js';
import { stridedOffsets } from '../kernels/strided.js';
import { broadcastShapes, broadcastStrides, fmtShape, normAxis, type Shape, shapeEq, sizeOf, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty, unbroadcast } from './util.js';

/** Out element i ← x element offsets[i], as a step to replay. */
function gatherStep(x: Tensor, out: Tensor, offsets: Int32Array): () => void {
  const xd = x.data;
  const od = out.data;
  return () => {
    for (let i = 0; i < od.length; i++) od[i] = xd[offsets[i]!]!;
  };
}

function gatherInto(x: Tensor, outShape: Shape, offsets: Int32Array): Tensor {
  const out = empty(x.dtype, outShape);
  gatherStep(x, out, offsets)();
  return out;
}

function permuteOffsets(x: Tensor, perm: number[]): [number[], Int32Array] {
  const st = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  return [shape, stridedOffsets(shape, perm.map((p) => st[p]!))];
}

/** Same elements, new shape; shares memory with the input (tensors are always contiguous). */
const RESHAPE: Primitive<{ shape: number[] }> = {
  name: 'reshape',
  forward: ([x], { shape }) => new Tensor(x!.data, shape),
  vjp: (g, [x]) => [g.reshape(x!.shape)],
  jvp: ([t], _x, _o, { shape }) => (t ? t.reshape(shape) : null),
};

/** Reorders axes: out axis i is input axis perm[i] (copies). */
const PERMUTE: Primitive<{ perm: number[] }> = {
  name: 'permute',
  forward: ([x], { perm }) => gatherInto(x!, ...permuteOffsets(x!, perm)),
  plan: ([x], { perm }, out) => gatherStep(x!, out, permuteOffsets(x!, perm)[1]),
  vjp(g, _x, _o, { perm }) {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [g.permute(inv)];
  },
  jvp: ([t], _x, _o, { perm }) => (t ? t.permute(perm) : null),
};

/** Broadcasts to a larger shape (copies); its gradient sums back. */
const EXPAND: Primitive<{ shape: number[] }> = {
  name: 'expand',
  forward: ([x], { shape }) => gatherInto(x!, shape, stridedOffsets(shape, broadcastStrides(x!.shape, shape))),
  plan: ([x], { shape }, out) => gatherStep(x!, out, stridedOffsets(shape, broadcastStrides(x!.shape, shape))),
  vjp: (g, [x]) => [unbroadcast(g, x!.shape)],
  jvp: ([t], _x, _o, { shape }) => (t ? t.expand(shape) : null),
};

/** Converts between float32 and float64. */
const CAST: Primitive<{ dtype: DType }> = {
  name: 'cast',
  forward([x], { dtype }) {
    const d = allocShared(dtype, x!.size);
    d.set(x!.data);
    return new Tensor(d, x!.shape);
  },
  vjp: (g, [x]) => [g.cast(x!.dtype)],
  jvp: ([t], _x, _o, { dtype }) => (t ? t.cast(dtype) : null),
};

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer >= 0) {
    const known = s.reduce((a, d, i) => (i === infer ? a : a * d), 1);
    s[infer] = known === 0 ? 0 : x.size / known;
  }
  if (!s.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(s) !== x.size) {
    throw new RangeError(`reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
  }
  if (shapeEq(s, x.shape)) return x;
  return apply(RESHAPE, [x], { shape: s });
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis(a, x.ndim, 'permute'));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new RangeError(`permute: ${fmtShape(perm)} is not a permutation of the ${x.ndim} axes of shape ${fmtShape(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  return apply(PERMUTE, [x], { perm: p });
}

/** Swaps two axes (default: the last two, the matrix transpose). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  if (x.ndim < 2) return x;
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  const i = normAxis(a, x.ndim, 'transpose');
  const j = normAxis(b, x.ndim, 'transpose');
  perm[i] = j;
  perm[j] = i;
  return permute(x, perm);
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape, 'expand');
  if (!shapeEq(target, shape)) {
    throw new RangeError(`expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  if (shapeEq(x.shape, shape)) return x;
  return apply(EXPAND, [x], { shape: [...shape] });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, 'cast');
  return x.dtype === dtype ? x : apply(CAST, [x], { dtype });
}

/** Inserts an axis of length 1 at `axis`. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.ndim + 1, 'expandDims');
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}

/** Removes axes of length 1 (all of them, or the given ones, which must have length 1). */
export function squeeze(x: Tensor, axes?: number | number[]): Tensor {
  if (axes === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const list = (typeof axes === 'number' ? [axes] : axes).map((a) => normAxis(a, x.ndim, 'squeeze'));
  for (const a of list) {
    if (x.shape[a] !== 1) throw new RangeError(`squeeze: axis ${a} of shape ${fmtShape(x.shape)} has length ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !list.includes(i)));
}
