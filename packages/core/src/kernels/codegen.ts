import type { FloatArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/**
 * Elementwise kernels generated once per expression (`'x + y'`, `'Math.exp(x)'`) so the hot loop
 * has no per-element call. Generated code only ever contains the fixed expressions of this package.
 */
export type UnaryKernel = (x: FloatArray, out: FloatArray, n: number) => void;
export type BinaryKernel = (
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  outShape: Shape,
  sa: readonly number[],
  sb: readonly number[],
) => void;

const unaryCache = new Map<string, UnaryKernel>();
const binaryCache = new Map<string, BinaryKernel>();

/** A loop `out[i] = expr(x[i])`; the expression reads the variable `x`. */
export function unaryKernel(expr: string): UnaryKernel {
  let k = unaryCache.get(expr);
  if (!k) {
    k = new Function('xs', 'out', 'n', `for (let i = 0; i < n; i++) { const x = xs[i]; out[i] = ${expr}; }`) as UnaryKernel;
    unaryCache.set(expr, k);
  }
  return k;
}

/**
 * A broadcasting loop `out = expr(a, b)` over `outShape`, reading `a` and `b` through strides `sa`
 * and `sb` (0 on broadcast dimensions). The expression reads the variables `x` (from a) and `y`.
 */
export function binaryKernel(expr: string): BinaryKernel {
  let k = binaryCache.get(expr);
  if (!k) {
    const body = `
      const nd = outShape.length;
      let total = 1; for (let d = 0; d < nd; d++) total *= outShape[d];
      if (total === 0) return;
      if (nd === 0) { const x = A[0], y = B[0]; out[0] = ${expr}; return; }
      const inner = outShape[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
      let contiguous = true, scalarB = true, scalarA = true;
      let acc = 1;
      for (let d = nd - 1; d >= 0; d--) {
        if (outShape[d] !== 1) {
          if (sa[d] !== acc || sb[d] !== acc) contiguous = false;
          if (sb[d] !== 0) scalarB = false;
          if (sa[d] !== 0) scalarA = false;
        }
        acc *= outShape[d];
      }
      if (contiguous) { for (let i = 0; i < total; i++) { const x = A[i], y = B[i]; out[i] = ${expr}; } return; }
      if (scalarB && !scalarA) {
        let cont = true; acc = 1;
        for (let d = nd - 1; d >= 0; d--) { if (outShape[d] !== 1 && sa[d] !== acc) cont = false; acc *= outShape[d]; }
        if (cont) { const y = B[0]; for (let i = 0; i < total; i++) { const x = A[i]; out[i] = ${expr}; } return; }
      }
      if (scalarA && !scalarB) {
        let cont = true; acc = 1;
        for (let d = nd - 1; d >= 0; d--) { if (outShape[d] !== 1 && sb[d] !== acc) cont = false; acc *= outShape[d]; }
        if (cont) { const x = A[0]; for (let i = 0; i < total; i++) { const y = B[i]; out[i] = ${expr}; } return; }
      }
      const idx = new Int32Array(nd);
      let oa = 0, ob = 0, o = 0;
      const outer = total / inner;
      for (let r = 0; r < outer; r++) {
        let pa = oa, pb = ob;
        for (let j = 0; j < inner; j++) { const x = A[pa], y = B[pb]; out[o++] = ${expr}; pa += ia; pb += ib; }
        for (let d = nd - 2; d >= 0; d--) {
          idx[d]++; oa += sa[d]; ob += sb[d];
          if (idx[d] < outShape[d]) break;
          oa -= sa[d] * outShape[d]; ob -= sb[d] * outShape[d]; idx[d] = 0;
        }
      }`;
    k = new Function('A', 'B', 'out', 'outShape', 'sa', 'sb', body) as BinaryKernel;
    binaryCache.set(expr, k);
  }
  return k;
}
