/**
 * The fused Adam update (optim's `adam` without weight decay or AMSGrad, one pass over memory):
 * WebAssembly SIMD (`wasm/elementwise.wat`) when the thread's kernels are WebAssembly, these
 * JavaScript loops otherwise — the same bits (see the .wat header; tested bit for bit).
 */
import type { FloatArray } from '../dtype.js';
import { staged } from './staged.js';

/** The per-step constants of Adam (t = the step's count, from 1). */
export interface AdamConstants {
  /** β₁, the first moment's decay. */
  b1: number;
  /** 1 − β₁. */
  c1: number;
  /** β₂, the second moment's decay. */
  b2: number;
  /** 1 − β₂. */
  c2: number;
  /** The first moment's bias correction 1 − β₁ᵗ. */
  bc1: number;
  /** The square root of the second moment's bias correction, √(1 − β₂ᵗ). */
  bc2Sqrt: number;
  /** ε, added to the corrected √v. */
  eps: number;
  /** −(learning rate). */
  factor: number;
}

/**
 * One Adam step on n = param.length elements, all arrays of one dtype and length: m = b1·m0 + c1·g,
 * v = b2·v0 + (c2·g)·g (stored in m and v), then p ← p + factor·(m / bc1 / (√v / bc2Sqrt + eps))
 * from the unrounded m and v, in float64; in float32 every value stored is rounded to float32, and
 * so are the update before and after the factor (as optim stores them). m may be m0 and v may be v0.
 */
export function adamUpdate(g: FloatArray, m0: FloatArray, v0: FloatArray, m: FloatArray, v: FloatArray, param: FloatArray, k: AdamConstants): void {
  const n = param.length;
  const ctor = param.constructor;
  const operands = { g, m0, v0, m, v };
  for (const [name, a] of Object.entries(operands)) {
    if (a.constructor !== ctor || a.length !== n) {
      throw new TypeError(`adamUpdate: ${name} must be a ${ctor.name} of length ${n} like param, got a ${a.constructor.name} of length ${a.length}`);
    }
  }
  const f64 = param instanceof Float64Array;
  const wasm = staged(n, [g, m0, v0, param], [null, m, v, param], (mod, len, src, dst) => {
    mod.adamConstants(k.b1, k.c1, k.b2, k.c2, k.bc1, k.bc2Sqrt, k.eps, k.factor);
    (f64 ? mod.adam64 : mod.adam32)(len, src[0]!, src[1]!, src[2]!, dst[1]!, dst[2]!, dst[3]!);
  });
  if (wasm) return;
  if (param instanceof Float64Array) adamF64(n, g as Float64Array, m0 as Float64Array, v0 as Float64Array, m as Float64Array, v as Float64Array, param, k);
  else adamF32(n, g as Float32Array, m0 as Float32Array, v0 as Float32Array, m as Float32Array, v as Float32Array, param as Float32Array, k);
}

// The loops live in functions of their own, with nothing after them. Inside a longer function, V8
// compiled the loop on-stack (OSR) before the code after it had run, and the OSR code then
// deoptimised on that code's first property access at the end of every call ("insufficient type
// feedback"), without being thrown away: 2 285 deoptimisations of the same code in 660 inline steps
// of the runtime's benchmark MLP (V8 11.3, Node 20); none since.

/** Element i's moments (stored into m and v, rounded to their dtype) and its unrounded update m / bc1 / (√v / bc2Sqrt + eps). */
function moments(i: number, g: FloatArray, m0: FloatArray, v0: FloatArray, m: FloatArray, v: FloatArray, k: AdamConstants): number {
  const gi = g[i]!;
  const mi = k.b1 * m0[i]! + k.c1 * gi;
  const vi = k.b2 * v0[i]! + k.c2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  return mi / k.bc1 / (Math.sqrt(vi) / k.bc2Sqrt + k.eps);
}

/** The f32 update: the update and the scaled update rounded to f32 as optim stores them, the sum rounded on store. */
function adamF32(n: number, g: Float32Array, m0: Float32Array, v0: Float32Array, m: Float32Array, v: Float32Array, param: Float32Array, k: AdamConstants): void {
  const fr = Math.fround;
  for (let i = 0; i < n; i++) param[i] = param[i]! + fr(k.factor * fr(moments(i, g, m0, v0, m, v, k)));
}

/** The f64 update: `adamF32` without the roundings (one loop per dtype: no per-element branch). */
function adamF64(n: number, g: Float64Array, m0: Float64Array, v0: Float64Array, m: Float64Array, v: Float64Array, param: Float64Array, k: AdamConstants): void {
  for (let i = 0; i < n; i++) param[i] = param[i]! + k.factor * moments(i, g, m0, v0, m, v, k);
}
