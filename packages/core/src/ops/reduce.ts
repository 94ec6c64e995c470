import { apply, type Primitive, ZERO_DERIVATIVE } from '../autograd/primitive.js';
import { stridedOffsets } from '../kernels/strided.js';
import { broadcastStrides, normAxes, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './util.js';

interface ReduceAttrs {
  axes: number[];
  keepDims: boolean;
}

function reducedShape(shape: Shape, axes: number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** For each input element, the offset of the output element it reduces into. */
function reduceOffsets(shape: Shape, axes: number[]): Int32Array {
  return stridedOffsets(shape, broadcastStrides(reducedShape(shape, axes, true), shape));
}

/** The gradient of a reduction, reshaped with kept dims and broadcast back to the input. */
function spread(g: Tensor, x: Tensor, { axes, keepDims }: ReduceAttrs): Tensor {
  const kept = keepDims ? g : g.reshape(reducedShape(x.shape, axes, true));
  return kept.expand(x.shape);
}

/** Σ over axes, accumulated in float64 for both dtypes. */
const SUM: Primitive<ReduceAttrs> = {
  name: 'sum',
  forward([x], attrs) {
    const out = empty(x!.dtype, reducedShape(x!.shape, attrs.axes, attrs.keepDims));
    SUM.plan!([x!], attrs, out)();
    return out;
  },
  plan([x], { axes }, out) {
    const off = reduceOffsets(x!.shape, axes);
    const acc = new Float64Array(out.size);
    const xd = x!.data;
    const od = out.data;
    return () => {
      acc.fill(0);
      for (let i = 0; i < xd.length; i++) acc[off[i]!] += xd[i]!;
      od.set(acc);
    };
  },
  vjp: (g, [x], _out, attrs) => [spread(g, x!, attrs)],
  jvp: ([t], _x, _out, { axes, keepDims }) => (t ? t.sum(axes, keepDims) : null),
};

function extremum(name: 'max' | 'min'): Primitive<ReduceAttrs> {
  const better = name === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  // The subgradient at ties is shared equally among the tied elements (as torch.amax/amin do).
  const weights = (x: Tensor, out: Tensor, attrs: ReduceAttrs): Tensor => {
    const hit = x.eq(spread(out.detach(), x, attrs));
    return hit.div(spread(hit.sum(attrs.axes, attrs.keepDims), x, attrs));
  };
  return {
    name,
    forward([x], { axes, keepDims }) {
      const out = empty(x!.dtype, reducedShape(x!.shape, axes, keepDims));
      if (x!.size === 0) throw new RangeError(`${name}: cannot reduce an empty tensor`);
      const off = reduceOffsets(x!.shape, axes);
      const seen = new Uint8Array(out.size);
      const xd = x!.data;
      const od = out.data;
      for (let i = 0; i < xd.length; i++) {
        const o = off[i]!;
        const v = xd[i]!;
        if (!seen[o] || better(v, od[o]!) || Number.isNaN(v)) {
          od[o] = v;
          seen[o] = 1;
        }
      }
      return out;
    },
    vjp: (g, [x], out, attrs) => [spread(g, x!, attrs).mul(weights(x!, out, attrs))],
    jvp: ([t], [x], out, attrs) => (t ? t.mul(weights(x!, out, attrs)).sum(attrs.axes, attrs.keepDims) : null),
  };
}

const MAX = extremum('max');
const MIN = extremum('min');

type Axes = number | readonly number[] | null | undefined;

export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply(SUM, [x], { axes: normAxes(axes, x.ndim, 'sum'), keepDims });
}

export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply(MAX, [x], { axes: normAxes(axes, x.ndim, 'max'), keepDims });
}

export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply(MIN, [x], { axes: normAxes(axes, x.ndim, 'min'), keepDims });
}

interface ArgAttrs {
  axis: number;
  keepDims: boolean;
  largest: boolean;
}

/** argmax/argmin along one axis; piecewise constant, so its derivative is 0 (see ZERO_DERIVATIVE). */
const ARGMAX: Primitive<ArgAttrs> = {
  name: 'argmax',
  forward([x], { axis, keepDims, largest }) {
    const outer = x!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const n = x!.shape[axis]!;
    const inner = x!.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const out = empty(x!.dtype, reducedShape(x!.shape, [axis], keepDims));
    const xd = x!.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bv = xd[o * n * inner + i]!;
        for (let j = 1; j < n && !Number.isNaN(bv); j++) {
          const v = xd[(o * n + j) * inner + i]!;
          if ((largest ? v > bv : v < bv) || Number.isNaN(v)) {
            bv = v;
            best = j;
          }
        }
        out.data[o * inner + i] = best;
      }
    }
    return out;
  },
  ...ZERO_DERIVATIVE,
};

/**
 * The index of the largest (or smallest) element along `axis` (first one at ties). A NaN counts
 * as the extremum, so its first index wins (as torch.argmax/argmin). Its derivative is 0: torch
 * returns int64 indices that cannot require grad, ours are floats recorded with a zero gradient,
 * so `.backward()` through them gives zeros like the project's `grad(f)`.
 */
export function argmax(x: Tensor, axis = -1, keepDims = false, largest = true): Tensor {
  const [ax] = normAxes(axis, x.ndim, 'argmax');
  return apply(ARGMAX, [x], { axis: ax!, keepDims, largest });
}
