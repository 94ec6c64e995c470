import type { FloatArray } from '../dtype.js';

/** dst[c·rows + r] = src[r·cols + c]: the transpose of a row-major rows×cols matrix, in 32×32 blocks for cache locality. */
export function transpose2d(src: FloatArray, srcOff: number, rows: number, cols: number, dst: FloatArray, dstOff: number): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(r0 + B, rows);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(c0 + B, cols);
      for (let r = r0; r < r1; r++) {
        const s = srcOff + r * cols;
        for (let c = c0; c < c1; c++) dst[dstOff + c * rows + r] = src[s + c]!;
      }
    }
  }
}
