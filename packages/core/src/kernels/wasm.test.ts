import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { OUT_PATH, WAT_PATH, generate } from '../../scripts/build-wasm.mjs';
import type { FloatArray } from '../dtype.js';
import { Rng } from '../rng.js';
import { gemm, gemmBatched, gemmBlock } from './matmul.js';
import { useWasmKernels, wasmKernelsAvailable, wasmKernelsEnabled } from './wasm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const rng = new Rng(17);
const rand = () => rng.next();
const dim = () => 1 + Math.floor(rand() * 300);
function fill(T: Ctor, size: number): FloatArray {
  const x = new T(size);
  for (let i = 0; i < size; i++) x[i] = rand() * 2 - 1;
  return x;
}

/** Runs `f` (which writes into a fresh C) with the WebAssembly and with the JavaScript kernels. */
function both(T: Ctor, size: number, f: (c: FloatArray) => void): [FloatArray, FloatArray] {
  const cw = new T(size).fill(Number.NaN);
  const cj = new T(size).fill(Number.NaN);
  useWasmKernels(true);
  f(cw);
  useWasmKernels(false);
  f(cj);
  return [cw, cj];
}

/** Index of the first element that differs in bits (NaN-aware), or -1. */
function firstDiff(x: FloatArray, y: FloatArray): number {
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

const initially = wasmKernelsEnabled();
afterEach(() => {
  useWasmKernels(initially);
});

describe('WebAssembly SIMD GEMM', () => {
  it('is available in Node and on by default unless ACTORGRAD_KERNELS=js', () => {
    expect(wasmKernelsAvailable()).toBe(true);
    expect(initially).toBe(process.env.ACTORGRAD_KERNELS !== 'js');
  });

  it('the committed wasm-gemm.generated.ts is what the build step makes from wasm/gemm.wat', async () => {
    const fresh = await generate(await readFile(WAT_PATH, 'utf8'));
    expect(await readFile(OUT_PATH, 'utf8')).toBe(fresh);
  });

  for (const T of [Float32Array, Float64Array]) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const layout = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
      it(`gives the JavaScript kernel's bits on random shapes 1…300 (${T.name}, ${layout})`, () => {
        for (let trial = 0; trial < 6; trial++) {
          const [m, n, k] = trial === 0 ? [300, 300, 300] : [dim(), dim(), dim()];
          const a = fill(T, m * k);
          const b = fill(T, k * n);
          const [cw, cj] = both(T, m * n, (c) => gemm(m, n, k, a, 0, b, 0, c, 0, transA, transB));
          expect(firstDiff(cw, cj), `${m}×${n}×${k}`).toBe(-1);
        }
      });
    }

    it(`batched and blocked forms give the JavaScript kernel's bits (${T.name})`, () => {
      const [batch, m, n, k] = [3, dim(), dim(), dim()];
      const a = fill(T, batch * m * k);
      const b = fill(T, batch * k * n);
      const [bw, bj] = both(T, batch * m * n, (c) => gemmBatched(batch, m, n, k, a, 0, m * k, b, 0, k * n, c, 0, m * n));
      expect(firstDiff(bw, bj)).toBe(-1);
      // A column block [c0, c1) of C = Aᵀ·B with leading dimensions, as the runtime's weight gradient uses.
      const c0 = Math.floor(n / 3);
      const [kw, kj] = both(T, m * n, (c) => gemmBlock(m, n - c0, k, a, 0, m, b, c0, n, c, c0, n, true, false));
      expect(firstDiff(kw, kj)).toBe(-1);
    });
  }

  it('k beyond one depth block (accumulates into C across blocks) and mixed dtypes', () => {
    const [m, n, k] = [37, 45, 700];
    const a = fill(Float64Array, m * k);
    const b = fill(Float32Array, k * n);
    const [cw, cj] = both(Float32Array, m * n, (c) => gemm(m, n, k, a, 0, b, 0, c, 0));
    expect(firstDiff(cw, cj)).toBe(-1);
    // and it is a product: one element against a double-precision dot product
    let s = 0;
    for (let p = 0; p < k; p++) s += a[5 * k + p]! * b[p * n + 7]!;
    expect(cw[5 * n + 7]).toBeCloseTo(s, 4);
  });

  it('switching returns the previous setting', () => {
    expect(useWasmKernels(false)).toBe(initially);
    expect(useWasmKernels(true)).toBe(false);
    expect(wasmKernelsEnabled()).toBe(true);
  });
});
