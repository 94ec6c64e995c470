import type { Shape } from '../shape.js';

/**
 * For every element of a row-major array of shape `outShape`, the element offset
 * `base + Σ idx_d · strides_d` into a source array. Broadcasting (stride 0), permutation and
 * slicing are all such maps, so one routine serves them.
 */
export function stridedOffsets(outShape: Shape, strides: readonly number[], base = 0): Int32Array {
  const nd = outShape.length;
  let total = 1;
  for (const d of outShape) total *= d;
  const out = new Int32Array(total);
  if (total === 0) return out;
  if (nd === 0) {
    out[0] = base;
    return out;
  }
  const inner = outShape[nd - 1]!;
  const si = strides[nd - 1]!;
  const idx = new Int32Array(nd);
  let off = base;
  let o = 0;
  const outer = total / inner;
  for (let r = 0; r < outer; r++) {
    let p = off;
    for (let j = 0; j < inner; j++) {
      out[o++] = p;
      p += si;
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < outShape[d]!) break;
      off -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
