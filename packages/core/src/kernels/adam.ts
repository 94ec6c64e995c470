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
 * v = b2·v0 + (c2·g)·g (stored in m and v), u = m / bc1 / (√v / bc2Sqrt + eps), p ← p + factor·u.
 * In the arrays' dtype, as optim's `scaleByAdam` computes it: float64 in float64; float32 in float32
 * (as torch.optim.Adam on float32 tensors), i.e. the constants b1 … eps rounded to float32 and every
 * operation of m, v and u rounded to float32; then factor·u is rounded to float32 (the store of
 * `scaleByLearningRate`, factor itself not rounded) and so is the sum. m may be m0 and v may be v0.
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

/**
 * The float32 update. Each operation is done in float64 and rounded with `Math.fround`: for +, −, ×, ÷
 * and √ of float32 operands that gives the float32 operation's result exactly (float64 has more
 * than 2·24 + 2 bits), so these loops and the WebAssembly f32x4 kernel agree bit for bit.
 */
function adamF32(n: number, g: Float32Array, m0: Float32Array, v0: Float32Array, m: Float32Array, v: Float32Array, param: Float32Array, k: AdamConstants): void {
  const f = Math.fround;
  const [b1, c1, b2, c2, bc1, bc2Sqrt, eps] = [f(k.b1), f(k.c1), f(k.b2), f(k.c2), f(k.bc1), f(k.bc2Sqrt), f(k.eps)];
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = f(f(b1 * m0[i]!) + f(c1 * gi));
    const vi = f(f(b2 * v0[i]!) + f(f(c2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    const u = f(f(mi / bc1) / f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps));
    param[i] = param[i]! + f(k.factor * u);
  }
}

/** The float64 update. */
function adamF64(n: number, g: Float64Array, m0: Float64Array, v0: Float64Array, m: Float64Array, v: Float64Array, param: Float64Array, k: AdamConstants): void {
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = k.b1 * m0[i]! + k.c1 * gi;
    const vi = k.b2 * v0[i]! + k.c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i]! + k.factor * (mi / k.bc1 / (Math.sqrt(vi) / k.bc2Sqrt + k.eps));
  }
}
