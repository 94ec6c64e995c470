import { type FloatArray, kernels } from '@actorgrad/core';
import { scratch } from './scratch.js';

/**
 * The Linear layer's kernels, written against raw shared memory (no autograd, no allocation):
 * y = x·Wᵀ + b, and for the backward pass gW = gᵀ·x, gb = Σ_rows g, gx = g·W.
 * W is [out, in] as in torch.nn.Linear.
 */
export function linearForward(x: FloatArray, n: number, inF: number, w: FloatArray, b: FloatArray | null, outF: number, y: FloatArray): void {
  const wT = scratch(w instanceof Float64Array ? 'float64' : 'float32', inF * outF, 'wT');
  kernels.transpose2d(w, 0, outF, inF, wT, 0);
  kernels.gemm(n, outF, inF, x, 0, wT, 0, y, 0);
  if (b) {
    for (let i = 0; i < n; i++) {
      const o = i * outF;
      for (let j = 0; j < outF; j++) y[o + j] += b[j]!;
    }
  }
}

export function linearBackward(
  x: FloatArray,
  n: number,
  inF: number,
  w: FloatArray,
  outF: number,
  g: FloatArray,
  gx: FloatArray | null,
  gw: FloatArray,
  gb: FloatArray | null,
): void {
  const gT = scratch(g instanceof Float64Array ? 'float64' : 'float32', n * outF, 'gT');
  kernels.transpose2d(g, 0, n, outF, gT, 0);
  kernels.gemm(outF, inF, n, gT, 0, x, 0, gw, 0);
  if (gb) {
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * outF;
      for (let j = 0; j < outF; j++) gb[j] += g[o + j]!;
    }
  }
  if (gx) kernels.gemm(n, inF, outF, g, 0, w, 0, gx, 0);
}
