import { type FloatArray, kernels } from '@actorgrad/core';

/**
 * The Linear layer's kernels, written against raw shared memory (no autograd, no allocation):
 * y = x·Wᵀ + b, and for the backward pass gW = gᵀ·x, gb = Σ_rows g, gx = g·W.
 * W is [out, in] as in torch.nn.Linear.
 */
export function linearForward(x: FloatArray, n: number, inF: number, w: FloatArray, b: FloatArray | null, outF: number, y: FloatArray): void {
  // W is read transposed in place while it is packed (no transposed copy).
  kernels.gemm(n, outF, inF, x, 0, w, 0, y, 0, false, true);
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
  gw: FloatArray | null,
  gb: FloatArray | null,
): void {
  // gw null: the caller computes the weight gradient itself (a shared queue of blocks).
  if (gw) kernels.gemm(outF, inF, n, g, 0, x, 0, gw, 0, true, false);
  if (gb) {
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * outF;
      for (let j = 0; j < outF; j++) gb[j] += g[o + j]!;
    }
  }
  if (gx) kernels.gemm(n, inF, outF, g, 0, w, 0, gx, 0);
}
