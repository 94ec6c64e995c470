/**
 * ReLU and its derivative as core defines them (relu'(0) = 0; NaN stays NaN, with gradient g):
 * WebAssembly SIMD (a lane mask, `wasm/elementwise.wat`) when the thread's kernels are WebAssembly,
 * these JavaScript loops otherwise — the same bits.
 */
import type { FloatArray } from '../dtype.js';
import { staged } from './staged.js';

function check(name: string, x: FloatArray, others: Record<string, FloatArray>): void {
  for (const [k, a] of Object.entries(others)) {
    if (a.constructor !== x.constructor || a.length !== x.length) {
      throw new TypeError(`${name}: ${k} must be a ${x.constructor.name} of length ${x.length} like x, got a ${a.constructor.name} of length ${a.length}`);
    }
  }
}

/** y = x <= 0 ? +0 : x, element by element (`x <= 0`, not `x > 0`, so NaN stays NaN, as core and torch). */
export function reluForward(x: FloatArray, y: FloatArray): void {
  check('reluForward', x, { y });
  const f64 = x instanceof Float64Array ? 1 : 0;
  if (staged(x.length, [x], [y], (mod, len, src, dst) => mod.relu(len << (2 + f64), src[0]!, -1, dst[0]!, f64))) return;
  for (let i = 0; i < x.length; i++) y[i] = x[i]! <= 0 ? 0 : x[i]!;
}

/** gx = x <= 0 ? +0 : g, element by element (the gradient through ReLU at x). */
export function reluBackward(x: FloatArray, g: FloatArray, gx: FloatArray): void {
  check('reluBackward', x, { g, gx });
  const f64 = x instanceof Float64Array ? 1 : 0;
  if (staged(x.length, [x, g], [gx], (mod, len, src, dst) => mod.relu(len << (2 + f64), src[0]!, src[1]!, dst[0]!, f64))) return;
  for (let i = 0; i < x.length; i++) gx[i] = x[i]! <= 0 ? 0 : g[i]!;
}
