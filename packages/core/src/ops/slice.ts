import { apply, type Primitive } from '../autograd/primitive.js';
import { stridedOffsets } from '../kernels/strided.js';
import { fmtShape, type Shape, stridesOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './util.js';

interface Box {
  starts: number[];
  shape: number[];
}

/**
 * The box as contiguous runs of the full array: the offset where each run starts (row-major order
 * of the box) and the run's length. The axes after the last one the box cuts are whole, so a run
 * spans them and that axis's extent: a batch of rows (`narrow` on axis 0) is one run.
 */
function boxRuns(full: Shape, { starts, shape }: Box): { offsets: Int32Array; run: number } {
  const st = stridesOf(full);
  let cut = shape.length - 1;
  while (cut > 0 && shape[cut] === full[cut]) cut--;
  const run = cut < 0 ? 1 : shape.slice(cut).reduce((a, d) => a * d, 1);
  const base = starts.reduce((a, s, i) => a + s * st[i]!, 0);
  return { offsets: stridedOffsets(shape.slice(0, Math.max(cut, 0)), st.slice(0, Math.max(cut, 0)), base), run };
}

/** The sub-box of the input starting at `starts` with extent `shape` (copies). */
const SLICE: Primitive<Box> = {
  name: 'slice',
  forward([x], box) {
    const out = empty(x!.dtype, box.shape);
    if (out.size === 0) return out;
    const { offsets, run } = boxRuns(x!.shape, box);
    const xd = x!.data;
    for (let i = 0; i < offsets.length; i++) out.data.set(xd.subarray(offsets[i]!, offsets[i]! + run), i * run);
    return out;
  },
  vjp: (g, [x], _o, box) => [padInto(g, x!.shape, box)],
  jvp: ([t], _x, _o, box) => (t ? apply(SLICE, [t], box) : null),
};

/** Zeros of shape `full` with the input written at the box (the adjoint of slice). */
const PAD: Primitive<Box & { full: number[] }> = {
  name: 'pad',
  forward([x], attrs) {
    const out = empty(x!.dtype, attrs.full);
    if (x!.size === 0) return out;
    const { offsets, run } = boxRuns(attrs.full, attrs);
    const xd = x!.data;
    for (let i = 0; i < offsets.length; i++) out.data.set(xd.subarray(i * run, (i + 1) * run), offsets[i]!);
    return out;
  },
  vjp: (g, _x, _o, attrs) => [apply(SLICE, [g], attrs)],
  jvp: ([t], _x, _o, attrs) => (t ? apply(PAD, [t], attrs) : null),
};

function padInto(g: Tensor, full: Shape, box: Box): Tensor {
  return apply(PAD, [g], { ...box, full: [...full] });
}

/**
 * `x[starts[0]:ends[0], starts[1]:ends[1], …]` with Python semantics for negative and missing
 * bounds (`ends[i]` undefined or null = to the end). Axes beyond the given lists are kept whole.
 */
export function slice(x: Tensor, starts: readonly (number | null)[], ends: readonly (number | null | undefined)[] = []): Tensor {
  if (starts.length > x.ndim || ends.length > x.ndim) {
    throw new RangeError(`slice: ${Math.max(starts.length, ends.length)} bounds given for a tensor of shape ${fmtShape(x.shape)}`);
  }
  const s: number[] = [];
  const shape: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const n = x.shape[i]!;
    const clampIdx = (v: number | null | undefined, dflt: number) => {
      if (v === undefined || v === null) return dflt;
      if (!Number.isInteger(v)) throw new TypeError(`slice: bound ${v} on axis ${i} is not an integer`);
      return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    };
    const a = clampIdx(starts[i], 0);
    const b = Math.max(clampIdx(ends[i], n), a);
    s.push(a);
    shape.push(b - a);
  }
  return apply(SLICE, [x], { starts: s, shape });
}

/** `length` entries of `axis` from `start` (like torch.narrow). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = axis < 0 ? axis + x.ndim : axis;
  const starts: (number | null)[] = x.shape.map(() => null);
  const ends: (number | null)[] = x.shape.map(() => null);
  starts[a] = start;
  ends[a] = start + length;
  if (start < 0 || start + length > (x.shape[a] ?? 0)) {
    throw new RangeError(`narrow: [${start}, ${start + length}) is outside axis ${axis} of shape ${fmtShape(x.shape)}`);
  }
  return slice(x, starts, ends);
}
