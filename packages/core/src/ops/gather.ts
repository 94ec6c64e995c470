import { effect } from '../autograd/capture.js';
import { apply, type Primitive } from '../autograd/primitive.js';
import { stridedOffsets } from '../kernels/strided.js';
import { fmtShape, normAxis, type Shape, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './util.js';

/** Integer indices with their shape. */
export interface Index {
  values: Int32Array;
  shape: number[];
}

interface GatherAttrs {
  axis: number;
  index: Index;
  full: number[];
}

/** Offsets into a tensor of shape `full` for `out[p] = full[…, index[p], …]` (torch.gather). */
function offsets(full: Shape, { axis, index }: GatherAttrs): Int32Array {
  const st = stridesOf(full);
  const base = stridedOffsets(index.shape, st.map((s, i) => (i === axis ? 0 : s)));
  const n = full[axis]!;
  for (let p = 0; p < base.length; p++) {
    const k = index.values[p]!;
    if (k < 0 || k >= n) throw new RangeError(`gather: index ${k} is out of range for axis ${axis} of length ${n}`);
    base[p] += k * st[axis]!;
  }
  return base;
}

const GATHER: Primitive<GatherAttrs> = {
  name: 'gather',
  forward([x], attrs) {
    const out = empty(x!.dtype, attrs.index.shape);
    const off = offsets(x!.shape, attrs);
    for (let p = 0; p < off.length; p++) out.data[p] = x!.data[off[p]!]!;
    return out;
  },
  vjp: (g, _x, _o, attrs) => [apply(SCATTER_ADD, [g], attrs)],
  jvp: ([t], _x, _o, attrs) => (t ? apply(GATHER, [t], attrs) : null),
};

/** Zeros of shape `full` with `src[p]` added at the gathered positions (the adjoint of gather). */
const SCATTER_ADD: Primitive<GatherAttrs> = {
  name: 'scatterAdd',
  forward([src], attrs) {
    const out = empty(src!.dtype, attrs.full);
    const off = offsets(attrs.full, attrs);
    for (let p = 0; p < off.length; p++) out.data[off[p]!] += src!.data[p]!;
    return out;
  },
  vjp: (g, _x, _o, attrs) => [apply(GATHER, [g], attrs)],
  jvp: ([t], _x, _o, attrs) => (t ? apply(SCATTER_ADD, [t], attrs) : null),
};

/** Converts indices (a tensor of integral values, an Int32Array or nested arrays) to `Index`. */
export function toIndex(idx: Tensor | Int32Array | readonly number[], shape?: readonly number[], op = 'gather'): Index {
  if (idx instanceof Tensor) {
    const values = new Int32Array(idx.size);
    // An effect: a compiled function reads (and checks) the index tensor's current values each time.
    effect(() => {
      const d = idx.data;
      for (let i = 0; i < values.length; i++) {
        values[i] = d[i]!;
        if (values[i] !== d[i]) throw new TypeError(`${op}: index ${d[i]} is not an integer`);
      }
    });
    return { values, shape: [...idx.shape] };
  }
  const values = Int32Array.from(idx);
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== idx[i]) throw new TypeError(`${op}: index ${idx[i]} is not an integer`);
  }
  return { values, shape: shape ? [...shape] : [values.length] };
}

/** `out[…i, j, k…] = x[…i, index[…i, j, k…], k…]` along `axis` (torch.gather semantics). */
export function gather(x: Tensor, axis: number, index: Tensor | Int32Array | readonly number[]): Tensor {
  const ax = normAxis(axis, x.ndim, 'gather');
  const ix = toIndex(index, undefined, 'gather');
  if (ix.shape.length !== x.ndim || ix.shape.some((d, i) => i !== ax && d > x.shape[i]!)) {
    throw new RangeError(`gather: index of shape ${fmtShape(ix.shape)} does not fit input of shape ${fmtShape(x.shape)} along axis ${ax}`);
  }
  return apply(GATHER, [x], { axis: ax, index: ix, full: [...x.shape] });
}

/** Zeros of shape `shape` with `src` added at `index` along `axis` (torch.scatter_add). */
export function scatterAdd(shape: readonly number[], axis: number, index: Tensor | Int32Array | readonly number[], src: Tensor): Tensor {
  const ax = normAxis(axis, shape.length, 'scatterAdd');
  const ix = toIndex(index, src.shape, 'scatterAdd');
  return apply(SCATTER_ADD, [src], { axis: ax, index: ix, full: [...shape] });
}
