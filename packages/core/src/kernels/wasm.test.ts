import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { OUT_PATH, generate } from '../../scripts/build-wasm.mjs';
import type { FloatArray } from '../dtype.js';
import { Rng } from '../rng.js';
import { gemm, gemmBatched, gemmBlock } from './matmul.js';
import * as w from './wasm.js';

const { gemmKernel, kernelChoice, kernelFromEnv, relaxedSimdAvailable, useGemmKernel, useKernelChoice, useWasmKernels } = w;
const { wasmKernelsAvailable, wasmKernelsEnabled } = w;

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
const initialChoice = kernelChoice();
afterEach(() => {
  useKernelChoice(initialChoice);
});

describe('WebAssembly SIMD GEMM', () => {
  it('is available in Node and on by default unless ACTORGRAD_KERNELS=js', () => {
    expect(wasmKernelsAvailable()).toBe(true);
    expect(initially).toBe(process.env.ACTORGRAD_KERNELS !== 'js');
    expect(gemmKernel()).toBe(process.env.ACTORGRAD_KERNELS || 'fast');
  });

  it('the committed wasm-gemm.generated.ts is what the build step makes from wasm/*.wat', async () => {
    expect(await readFile(OUT_PATH, 'utf8')).toBe(await generate());
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
    expect(useGemmKernel('fast')).toBe('wasm');
    expect(wasmKernelsEnabled()).toBe(true);
    expect(useGemmKernel('js')).toBe('fast');
  });

  it('a kernel choice crosses threads as plain data; bad choices are refused by name', () => {
    useGemmKernel('fast');
    const c = kernelChoice();
    expect(c).toEqual({ kernel: 'fast', fma: relaxedSimdAvailable() });
    useGemmKernel('js');
    useKernelChoice(structuredClone(c));
    expect(kernelChoice()).toEqual(c);
    expect(() => useGemmKernel('simd' as never)).toThrow(/useGemmKernel: expected one of js, wasm, fast, got "simd"/);
    if (!relaxedSimdAvailable()) expect(() => useKernelChoice({ kernel: 'fast', fma: true })).toThrow(/relaxed SIMD/);
  });
});

/** |c − ref| ≤ (k + 2)·2⁻²⁴·Σₚ|aᵢₚ·bₚⱼ| for every element: float32 accumulation's error bound. */
function expectNearProduct(c: FloatArray, m: number, n: number, k: number, at: (i: number, p: number) => number, bt: (p: number, j: number) => number): void {
  const u = 2 ** -24;
  let worst = 0;
  for (let e = 0; e < m * n; e++) {
    const [i, j] = [Math.floor(e / n), e % n];
    let sum = 0;
    let mag = 0;
    for (let p = 0; p < k; p++) {
      const t = at(i, p) * bt(p, j);
      sum += t;
      mag += Math.abs(t);
    }
    worst = Math.max(worst, Math.abs(c[e]! - sum) / ((k + 2) * u * mag + 1e-30));
  }
  expect(worst, `${m}×${n}×${k}: error / bound`).toBeLessThanOrEqual(1);
}

describe('the fast GEMM kernel (float32 accumulation in f32x4 lanes)', () => {
  it('ACTORGRAD_KERNELS names the kernel; other values are refused by name', () => {
    expect(kernelFromEnv(undefined, true)).toBe('fast');
    expect(kernelFromEnv('', false)).toBe('js');
    expect(kernelFromEnv('fast', true)).toBe('fast');
    expect(() => kernelFromEnv('simd', true)).toThrow('ACTORGRAD_KERNELS: expected one of js, wasm, fast, got "simd"');
  });

  for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    const layout = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    it(`is within float32 rounding of a float64 product on random shapes 1…300 and k = 700 (${layout})`, () => {
      for (let trial = 0; trial < 4; trial++) {
        const [m, n, k] = trial === 0 ? [300, 300, 300] : trial === 1 ? [dim(), dim(), 700] : [dim(), dim(), dim()];
        const a = fill(Float32Array, m * k);
        const b = fill(Float32Array, k * n);
        const c = new Float32Array(m * n).fill(Number.NaN);
        useGemmKernel('fast');
        gemm(m, n, k, a, 0, b, 0, c, 0, transA, transB);
        const at = transA ? (i: number, p: number) => a[p * m + i]! : (i: number, p: number) => a[i * k + p]!;
        const bt = transB ? (p: number, j: number) => b[j * k + p]! : (p: number, j: number) => b[p * n + j]!;
        expectNearProduct(c, m, n, k, at, bt);
        if (trial === 0) {
          // it is another kernel: not the exact one's bits
          const [cw] = both(Float32Array, m * n, (cc) => gemm(m, n, k, a, 0, b, 0, cc, 0, transA, transB));
          expect(firstDiff(c, cw)).not.toBe(-1);
        }
      }
    });
  }

  it('gives the same bits for a product computed whole, in column or row blocks, or batched', () => {
    useGemmKernel('fast');
    const [m, n, k] = [dim() + 8, dim() + 8, 300];
    const a = fill(Float32Array, 2 * m * k);
    const b = fill(Float32Array, k * n);
    const whole = new Float32Array(2 * m * n);
    gemm(2 * m, n, k, a, 0, b, 0, whole, 0);
    const cols = new Float32Array(2 * m * n).fill(Number.NaN);
    const c0 = 1 + Math.floor(rand() * (n - 2));
    gemmBlock(2 * m, c0, k, a, 0, k, b, 0, n, cols, 0, n);
    gemmBlock(2 * m, n - c0, k, a, 0, k, b, c0, n, cols, c0, n);
    expect(firstDiff(cols, whole)).toBe(-1);
    const rows = new Float32Array(2 * m * n).fill(Number.NaN);
    const r0 = 1 + Math.floor(rand() * (m - 2));
    gemmBlock(r0, n, k, a, 0, k, b, 0, n, rows, 0, n);
    gemmBlock(2 * m - r0, n, k, a, r0 * k, k, b, 0, n, rows, r0 * n, n);
    expect(firstDiff(rows, whole)).toBe(-1);
    const batched = new Float32Array(2 * m * n).fill(Number.NaN);
    const b2 = new Float32Array(2 * k * n); // B twice, not shared (stride k·n): one product per item
    b2.set(b);
    b2.set(b, k * n);
    gemmBatched(2, m, n, k, a, 0, m * k, b2, 0, k * n, batched, 0, m * n);
    expect(firstDiff(batched, whole)).toBe(-1);
  });

  it('uses relaxed-SIMD FMA exactly where it validates (the test run with --experimental-wasm-relaxed-simd sets ACTORGRAD_EXPECT_RELAXED=1)', () => {
    expect(relaxedSimdAvailable()).toBe(process.env.ACTORGRAD_EXPECT_RELAXED === '1');
    const [m, n, k] = [64, 72, 500];
    const a = fill(Float32Array, m * k);
    const b = fill(Float32Array, k * n);
    const run = (fma: boolean) => {
      useKernelChoice({ kernel: 'fast', fma });
      const c = new Float32Array(m * n);
      gemm(m, n, k, a, 0, b, 0, c, 0);
      expectNearProduct(c, m, n, k, (i, p) => a[i * k + p]!, (p, j) => b[p * n + j]!);
      return c;
    };
    const plain = run(false);
    if (relaxedSimdAvailable()) expect(firstDiff(run(true), plain)).not.toBe(-1); // fused: rounded once
    else expect(() => run(true)).toThrow(/relaxed SIMD/);
  });

  it('leaves float64 and mixed-dtype operands to the exact kernel, and gives a float64 C the float32 results', () => {
    const [m, n, k] = [dim(), dim(), 300 + dim()];
    const a = fill(Float64Array, m * k);
    const b = fill(Float32Array, k * n);
    for (const T of [Float32Array, Float64Array]) {
      const cf = new T(m * n);
      useGemmKernel('fast');
      gemm(m, n, k, a, 0, b, 0, cf, 0);
      const [cw] = both(T, m * n, (c) => gemm(m, n, k, a, 0, b, 0, c, 0));
      expect(firstDiff(cf, cw)).toBe(-1);
    }
    const a32 = Float32Array.from(a);
    const c32 = new Float32Array(m * n);
    const c64 = new Float64Array(m * n);
    useGemmKernel('fast');
    gemm(m, n, k, a32, 0, b, 0, c32, 0);
    gemm(m, n, k, a32, 0, b, 0, c64, 0);
    expect(firstDiff(c64, Float64Array.from(c32))).toBe(-1);
    const [cw] = both(Float64Array, m * n, (c) => gemm(m, n, k, a32, 0, b, 0, c, 0));
    expect(firstDiff(c64, cw)).not.toBe(-1); // float32 sums, not the exact kernel's float64 ones
  });
});

describe('the fast kernel staged whole in WebAssembly (gemm-driver.wat)', () => {
  /** Runs `f` staged (the default) and blockwise (staging limit 0: packing in JavaScript, per-block C copies). */
  function stagedAndBlockwise(T: Ctor, size: number, f: (c: FloatArray) => void): [FloatArray, FloatArray] {
    const cs = new T(size).fill(Number.NaN);
    const cb = new T(size).fill(Number.NaN);
    useGemmKernel('fast');
    f(cs);
    const limit = w.setStageLimit(0);
    try {
      f(cb);
    } finally {
      w.setStageLimit(limit);
    }
    return [cs, cb];
  }

  for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    const layout = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    it(`gives the blockwise path's bits on random shapes 1…300 with strides and offsets, C float32 and float64 (${layout})`, () => {
      for (let trial = 0; trial < 8; trial++) {
        const [m, n, k] = trial === 0 ? [300, 300, 300] : trial === 1 ? [dim(), dim(), 520 + dim()] : [dim(), dim(), dim()];
        const [ar, ac] = transA ? [k, m] : [m, k];
        const [br, bc] = transB ? [n, k] : [k, n];
        // leading dimensions larger than the rows they step over, and nonzero offsets
        const [lda, ldb, ldc] = [ac + Math.floor(rand() * 5), bc + Math.floor(rand() * 5), n + Math.floor(rand() * 5)];
        const [ao, bo, co] = [Math.floor(rand() * 7), Math.floor(rand() * 7), Math.floor(rand() * 7)];
        const a = fill(Float32Array, ao + ar * lda) as Float32Array;
        const b = fill(Float32Array, bo + br * ldb) as Float32Array;
        const T = trial % 2 === 0 ? Float32Array : Float64Array;
        const [cs, cb] = stagedAndBlockwise(T, co + m * ldc, (c) => gemmBlock(m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, transA, transB));
        expect(firstDiff(cs, cb), `${m}×${n}×${k} ${T.name}`).toBe(-1);
        // the gaps between C's rows are not written
        if (ldc > n) expect(cs[co + n]).toBeNaN();
        const [gs, gb] = stagedAndBlockwise(Float32Array, m * n, (c) => gemm(m, n, k, a.subarray(0, m * k), 0, b.subarray(0, k * n), 0, c, 0, transA, transB));
        expect(firstDiff(gs, gb), `gemm ${m}×${n}×${k}`).toBe(-1);
      }
    });
  }

  it('falls back to the blockwise path when a product exceeds the staging limit, with the same bits', () => {
    const [m, n, k] = [70, 90, 600];
    const a = fill(Float32Array, m * k);
    const b = fill(Float32Array, k * n);
    useGemmKernel('fast');
    const staged = new Float32Array(m * n);
    gemm(m, n, k, a, 0, b, 0, staged, 0);
    const limit = w.setStageLimit(4 * (m * k + k * n)); // the operands fit, the work areas do not
    const fallback = new Float32Array(m * n).fill(Number.NaN);
    try {
      gemm(m, n, k, a, 0, b, 0, fallback, 0);
    } finally {
      w.setStageLimit(limit);
    }
    expect(firstDiff(fallback, staged)).toBe(-1);
    expectNearProduct(staged, m, n, k, (i, p) => a[i * k + p]!, (p, j) => b[p * n + j]!);
  });
});
