import { afterEach, describe, expect, it } from 'vitest';
import type { FloatArray } from '../dtype.js';
import { Rng } from '../rng.js';
import { type AdamConstants, adamUpdate } from './adam.js';
import { reluBackward, reluForward } from './relu.js';
import { CHUNK, elementwiseModule } from './staged.js';
import { type GemmKernel, kernelChoice, useGemmKernel, useKernelChoice } from './wasm.js';

/**
 * The WebAssembly elementwise kernels (Adam, ReLU) against the JavaScript ones, bit for bit, on
 * random sizes 1…300 (ragged against the 2- and 4-element vectors) and sizes past a chunk, in
 * float32 and float64. Runs under every ACTORGRAD_KERNELS: each test picks the kernels itself.
 */
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const rng = new Rng(23);
const initial = kernelChoice();
afterEach(() => useKernelChoice(initial));

/** Random values of mixed magnitudes, with zeros of both signs and (if asked) tiny and huge ones. */
function values(T: Ctor, n: number, extremes = false): FloatArray {
  const x = new T(n);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    x[i] = (r * 2 - 1) * 10 ** Math.floor(rng.next() * 8 - 5);
    if (extremes && i % 13 === 5) x[i] = i % 2 ? 0 : -0;
    if (extremes && i % 17 === 3) x[i] = (r - 0.5) * 1e-39; // subnormal in float32
  }
  return x;
}

const sizes = [1, 2, 3, 4, 5, 7, 8, 9, ...Array.from({ length: 24 }, () => 1 + Math.floor(rng.next() * 300)), 299, 300, CHUNK - 1, 2 * CHUNK + 3, 235_146];
const bits = (a: FloatArray) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));
/** Index of the first element that differs in bits (NaN-aware), or -1. */
const firstDiff = (x: FloatArray, y: FloatArray) => x.findIndex((v, i) => !Object.is(v, y[i]));

function adamConstants(t: number, b1: number, b2: number, eps: number, lr: number): AdamConstants {
  return { b1, c1: 1 - b1, b2, c2: 1 - b2, bc1: 1 - b1 ** t, bc2Sqrt: Math.sqrt(1 - b2 ** t), eps, factor: -lr };
}

/** One Adam step on copies of the operands with the given kernels: [m, v, p]. */
function adamWith(kernel: GemmKernel, g: FloatArray, m0: FloatArray, v0: FloatArray, p0: FloatArray, k: AdamConstants, inPlace: boolean): FloatArray[] {
  useGemmKernel(kernel);
  const T = p0.constructor as Ctor;
  const [m0c, v0c, p] = [T.from(m0), T.from(v0), T.from(p0)];
  const m = inPlace ? m0c : new T(p.length);
  const v = inPlace ? v0c : new T(p.length);
  adamUpdate(g, m0c, v0c, m, v, p, k);
  return [m, v, p];
}

describe('adamUpdate', () => {
  it('runs in WebAssembly under the wasm and fast kernels, in JavaScript under js', () => {
    for (const k of ['wasm', 'fast', 'js'] as const) {
      useGemmKernel(k);
      expect(elementwiseModule() !== null).toBe(k !== 'js');
    }
  });

  for (const T of [Float32Array, Float64Array]) {
    it(`gives the JavaScript kernel's bits on random sizes 1…300 and past a chunk (${T.name})`, () => {
      sizes.forEach((n, i) => {
        const g = values(T, n, true);
        const m0 = values(T, n);
        const v0 = values(T, n).map(Math.abs);
        const p0 = values(T, n);
        const k = i % 3 === 0 ? adamConstants(1 + i, 0.9, 0.999, 1e-8, 1e-3) : adamConstants(400 + i, 0.8 + 0.001 * i, 0.99, 1e-6, 0.01 * (i + 1));
        const js = adamWith('js', g, m0, v0, p0, k, i % 2 === 0);
        for (const kernel of ['wasm', 'fast'] as const) {
          const wasm = adamWith(kernel, g, m0, v0, p0, k, i % 2 === 1);
          wasm.forEach((a, j) => expect([n, j, firstDiff(a, js[j]!)]).toEqual([n, j, -1]));
        }
        expect(firstDiff(js[2]!, p0)).not.toBe(-1); // the step moved the parameter
      });
    });

    it(`takes a first step of about −lr·sign(g) from zero moments (${T.name})`, () => {
      const g = T.from([2, -0.5, 1e-3]);
      const [m, v, p] = adamWith('wasm', g, new T(3), new T(3), T.from([1, 1, 1]), adamConstants(1, 0.9, 0.999, 1e-8, 0.01), false);
      for (const [i, x] of [0.2, -0.05, 1e-4].entries()) expect(m[i]).toBeCloseTo(x, 7);
      const digits = T === Float32Array ? 6 : 12;
      expect(v[0]).toBeCloseTo(0.001 * 4, digits);
      // u = m / bc1 / (√v / bc2Sqrt + eps) = g / (|g| + eps) at t = 1
      for (const [i, x] of [2, -0.5, 1e-3].entries()) expect(p[i]).toBeCloseTo(1 - (0.01 * x) / (Math.abs(x) + 1e-8), digits);
    });
  }

  it('names a mismatched operand, its type and length', () => {
    const a = new Float32Array(4);
    const k = adamConstants(1, 0.9, 0.999, 1e-8, 1e-3);
    expect(() => adamUpdate(a, a, new Float32Array(3), a, a, a, k)).toThrow('adamUpdate: v0 must be a Float32Array of length 4 like param, got a Float32Array of length 3');
    expect(() => adamUpdate(new Float64Array(4), a, a, a, a, a, k)).toThrow('adamUpdate: g must be a Float32Array of length 4 like param, got a Float64Array of length 4');
  });
});

describe('reluForward and reluBackward', () => {
  for (const T of [Float32Array, Float64Array]) {
    it(`give the JavaScript kernel's bits on random sizes, NaN and ±0 included (${T.name})`, () => {
      for (const n of sizes) {
        const x = values(T, n, true);
        if (n > 2) x.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].slice(0, n - 2), 1);
        const g = values(T, n);
        const out = (kernel: GemmKernel) => {
          useGemmKernel(kernel);
          const y = new T(n).fill(7);
          const gx = new T(n).fill(7);
          reluForward(x, y);
          reluBackward(x, g, gx);
          return [y, gx];
        };
        const [yj, gj] = out('js');
        const [yw, gw] = out('wasm');
        expect([n, firstDiff(yw!, yj!), firstDiff(gw!, gj!)]).toEqual([n, -1, -1]);
        // The definition, element by element: +0 for x ≤ 0 (-0 included), x (or g) for x > 0 and NaN.
        const pass = (i: number) => x[i]! > 0 || Number.isNaN(x[i]);
        expect(firstDiff(yw!, x.map((v, i) => (pass(i) ? v : 0)))).toBe(-1);
        expect(firstDiff(gw!, g.map((v, i) => (pass(i) ? v : 0)))).toBe(-1);
      }
    });
  }

  it('names a mismatched operand', () => {
    expect(() => reluForward(new Float32Array(3), new Float32Array(2))).toThrow('reluForward: y must be a Float32Array of length 3 like x, got a Float32Array of length 2');
    expect(() => reluBackward(new Float32Array(3), new Float64Array(3), new Float32Array(3))).toThrow('reluBackward: g must be a Float32Array of length 3 like x, got a Float64Array of length 3');
  });
});
