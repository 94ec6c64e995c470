import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../dtype.js';
import { gemm, gemmBatched, gemmBlock, gemmPacks, gemmResultsAreFloat32 } from './matmul.js';
import { gemmKernel } from './wasm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Deterministic PRNG (mulberry32) so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randArray(T: Ctor, size: number, rand: () => number): FloatArray {
  const x = new T(size);
  for (let i = 0; i < size; i++) x[i] = rand() * 2 - 1;
  return x;
}

/** Naive reference in double precision, plus the error scale Σ|a||b| per output element. */
function reference(m: number, n: number, k: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number) {
  const out = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < k; p++) {
        const x = a[aOff + i * k + p] * b[bOff + p * n + j];
        s += x;
        sa += Math.abs(x);
      }
      out[i * n + j] = s;
      scale[i * n + j] = sa;
    }
  }
  return { out, scale };
}

/** Largest error relative to Σ|a||b| (the natural bound for a dot product; falls back to 1 for all-zero terms). */
function relErr(c: FloatArray, cOff: number, ref: Float64Array, scale: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(c[cOff + i] - ref[i]) / Math.max(scale[i], 1e-300);
    if (!(e <= worst)) worst = e; // NaN-propagating max
  }
  return worst;
}

/**
 * The tolerance for C of type `C`: double precision for a float64 C, except that the `fast`
 * kernel (ACTORGRAD_KERNELS=fast) accumulates float32 A·B in float32 whatever C is.
 */
const tol = (C: Ctor, A: Ctor = C, B: Ctor = C) => {
  const f32Sums = gemmKernel() === 'fast' && A === Float32Array && B === Float32Array;
  return C === Float64Array && !f32Sums ? 1e-12 : 1e-5;
};
const name = (T: Ctor) => (T === Float64Array ? 'f64' : 'f32');

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 13, 9],
  [64, 1, 64],
  [1, 64, 1],
  [1, 64, 64],
  [2, 3, 1],
  [4, 4, 4],
  [5, 5, 5],
  [8, 8, 8],
  [4, 7, 3],
  [7, 4, 3],
  [33, 65, 17],
  [64, 64, 1],
  [19, 2, 300], // k > KC (k blocking, accumulation across k blocks)
  [130, 9, 3], // m > MC
  [3, 530, 20], // n > NC
  [1, 3000, 5], // m === 1, n > row chunk
  [70, 519, 261], // every blocking level crossed, ragged everywhere
];

const TYPES: Ctor[] = [Float32Array, Float64Array];

describe('gemm', () => {
  for (const [m, n, k] of SHAPES) {
    for (const TA of TYPES) {
      for (const TB of TYPES) {
        for (const TC of TYPES) {
          // The big shape is only run for the homogeneous dtype combinations, to keep the suite fast.
          if (m * n * k > 1e6 && !(TA === TB && TB === TC)) continue;
          it(`${m}×${n}×${k} a:${name(TA)} b:${name(TB)} c:${name(TC)}`, () => {
            const rand = rng(m * 7919 + n * 104729 + k * 13 + (TA === Float64Array ? 1 : 0) + (TB === Float64Array ? 2 : 0));
            const a = randArray(TA, m * k, rand);
            const b = randArray(TB, k * n, rand);
            const c = new TC(m * n).fill(Number.NaN); // must be overwritten, not accumulated into
            gemm(m, n, k, a, 0, b, 0, c, 0);
            const { out, scale } = reference(m, n, k, a, 0, b, 0);
            expect(relErr(c, 0, out, scale)).toBeLessThanOrEqual(tol(TC, TA, TB));
          });
        }
      }
    }
  }

  it('overwrites C instead of accumulating, and repeated calls give identical results', () => {
    const rand = rng(1);
    const [m, n, k] = [37, 41, 290];
    const a = randArray(Float64Array, m * k, rand);
    const b = randArray(Float64Array, k * n, rand);
    const c1 = new Float64Array(m * n).fill(123);
    const c2 = new Float64Array(m * n).fill(-7);
    gemm(m, n, k, a, 0, b, 0, c1, 0);
    gemm(m, n, k, a, 0, b, 0, c2, 0);
    expect(c2).toEqual(c1);
  });

  for (const [m, n, k] of [
    [3, 5, 7],
    [17, 13, 9],
    [64, 1, 64],
    [1, 64, 1],
    [45, 70, 300],
  ] as [number, number, number][]) {
    for (const T of TYPES) {
      it(`${m}×${n}×${k} ${name(T)} with non-zero offsets leaves the rest of C untouched`, () => {
        const rand = rng(m + n + k);
        const [aOff, bOff, cOff] = [5, 11, 3];
        const a = randArray(T, aOff + m * k + 4, rand);
        const b = randArray(T, bOff + k * n + 2, rand);
        const c = new T(cOff + m * n + 6).fill(42);
        gemm(m, n, k, a, aOff, b, bOff, c, cOff);
        const { out, scale } = reference(m, n, k, a, aOff, b, bOff);
        expect(relErr(c, cOff, out, scale)).toBeLessThanOrEqual(tol(T));
        for (let i = 0; i < cOff; i++) expect(c[i]).toBe(42);
        for (let i = cOff + m * n; i < c.length; i++) expect(c[i]).toBe(42);
      });
    }
  }

  it('k = 0 writes zeros; m = 0 or n = 0 writes nothing', () => {
    const c = new Float32Array(8).fill(5);
    gemm(2, 3, 0, new Float32Array(0), 0, new Float32Array(0), 0, c, 1);
    expect(Array.from(c)).toEqual([5, 0, 0, 0, 0, 0, 0, 5]);
    const d = new Float64Array(4).fill(5);
    gemm(0, 3, 4, new Float64Array(0), 0, new Float64Array(12), 0, d, 0);
    gemm(3, 0, 4, new Float64Array(12), 0, new Float64Array(0), 0, d, 0);
    expect(Array.from(d)).toEqual([5, 5, 5, 5]);
  });

  it('throws a RangeError instead of reading or writing out of bounds', () => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    expect(() => gemm(2, 2, 3, a, 1, b, 0, c, 0)).toThrow(RangeError);
    expect(() => gemm(2, 2, 3, a, 0, b, 1, c, 0)).toThrow(RangeError);
    expect(() => gemm(2, 2, 3, a, 0, b, 0, c, 1)).toThrow(/C needs elements \[1, 5\)/);
    expect(() => gemmBatched(2, 2, 2, 3, a, 0, 0, b, 0, 0, c, 0, 4)).toThrow(RangeError);
    expect(() => gemm(2, 2, 3, a, 0, b, 0, c, 0)).not.toThrow();
  });

  it('computes exact small integer products', () => {
    // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    const c = new Float32Array(4);
    gemm(2, 2, 3, new Float32Array([1, 2, 3, 4, 5, 6]), 0, new Float64Array([7, 8, 9, 10, 11, 12]), 0, c, 0);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });

  it('NaN / Infinity propagate only to the rows and columns they touch (padding does not leak)', () => {
    const [m, n, k] = [10, 11, 13]; // ragged in every dimension → zero-padded edge tiles
    const a = new Float64Array(m * k).fill(1);
    const b = new Float64Array(k * n).fill(1);
    a[6 * k + 2] = Number.NaN; // row 6 of A
    b[4 * n + 9] = Number.POSITIVE_INFINITY; // column 9 of B
    const c = new Float64Array(m * n);
    gemm(m, n, k, a, 0, b, 0, c, 0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const v = c[i * n + j];
        if (i === 6) expect(v).toBeNaN();
        else if (j === 9) expect(v).toBe(Number.POSITIVE_INFINITY);
        else expect(v).toBe(k);
      }
    }
  });
});

describe('gemm with transposed operands', () => {
  /** `src` with its `rows×cols` matrix at `off` stored transposed (same type, same offset). */
  const storedTransposed = (T: Ctor, src: FloatArray, off: number, rows: number, cols: number): FloatArray => {
    const t = new T(src.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[off + j * rows + i] = src[off + i * cols + j]!;
    return t;
  };
  // Vector (n = 1, m = 1), tiny, packed with ragged edges, and blocks beyond KC, MC and NC.
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 1, 5], [1, 7, 9], [2, 2, 3], [5, 6, 7], [37, 45, 70], [64, 256, 300], [70, 600, 17]];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
      it(`${m}×${n}×${k}, ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}: bit-identical to transposing first (f32 A, f64 B, f32 C, offsets)`, () => {
        const rand = rng(m * 1000 + n * 10 + k);
        const a = randArray(Float32Array, m * k + 3, rand);
        const b = randArray(Float64Array, k * n + 2, rand);
        // The stored operands: transposed layouts where asked.
        const aStored = ta ? storedTransposed(Float32Array, a, 3, m, k) : a;
        const bStored = tb ? storedTransposed(Float64Array, b, 2, k, n) : b;
        const want = new Float32Array(m * n + 1);
        const got = new Float32Array(m * n + 1);
        gemm(m, n, k, a, 3, b, 2, want, 1);
        gemm(m, n, k, aStored, 3, bStored, 2, got, 1, ta, tb);
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
        const ref = reference(m, n, k, a, 3, b, 2);
        for (let i = 0; i < m * n; i++) expect(Math.abs(got[i + 1]! - ref.out[i]!)).toBeLessThanOrEqual(1e-5 * (ref.scale[i]! + 1));
      });
    }
  }
});

describe('gemmBlock', () => {
  it('column blocks of a product, computed separately with leading dimensions, give the bits of the whole product', () => {
    // The runtime's weight gradient gᵀ·x of a 784-input layer, split into blocks of input columns.
    const [m, n, k] = [40, 203, 19];
    const rand = rng(7);
    const g = randArray(Float32Array, k * m, rand); // stored k×m: used transposed
    const x = randArray(Float32Array, k * n, rand);
    const whole = new Float64Array(m * n);
    gemm(m, n, k, g, 0, x, 0, whole, 0, true, false);
    const blocks = new Float64Array(m * n).fill(Number.NaN);
    for (const [c0, c1] of [[0, 50], [50, 51], [51, 128], [128, 203]] as const) {
      gemmBlock(m, c1 - c0, k, g, 0, m, x, c0, n, blocks, c0, n, true, false);
    }
    expect(Buffer.from(blocks.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('row blocks with A not transposed and B transposed, too', () => {
    const [m, n, k] = [33, 17, 300];
    const rand = rng(8);
    const a = randArray(Float64Array, m * k, rand);
    const bT = randArray(Float32Array, n * k, rand);
    const whole = new Float32Array(m * n);
    gemm(m, n, k, a, 0, bT, 0, whole, 0, false, true);
    const blocks = new Float32Array(m * n);
    for (const [r0, r1] of [[0, 8], [8, 9], [9, 33]] as const) gemmBlock(r1 - r0, n, k, a, r0 * k, k, bT, 0, k, blocks, r0 * n, n, false, true);
    expect(Buffer.from(blocks.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('refuses leading dimensions narrower than the rows, naming them', () => {
    const z = new Float64Array(100);
    expect(() => gemmBlock(4, 5, 3, z, 0, 2, z, 0, 5, z, 0, 5)).toThrow(/gemmBlock: leading dimensions \(2, 5, 5\) smaller than the rows they step over \(3, 5, 5\)/);
  });
});

describe('gemmPacks and gemmResultsAreFloat32', () => {
  it('packs every product but vectors and tiny ones (m·n·k < 64)', () => {
    expect(gemmPacks(4, 4, 4)).toBe(true);
    expect(gemmPacks(4, 4, 3)).toBe(false);
    expect(gemmPacks(1, 60, 64)).toBe(false);
    expect(gemmPacks(60, 1, 64)).toBe(false);
  });

  it("says true exactly when a float64 C receives float32 values, for this thread's kernel", () => {
    const rand = rng(11);
    let yes = 0;
    for (const [m, n, k] of [[40, 203, 19], [1, 60, 64], [60, 1, 64], [5, 7, 3], [64, 256, 128]] as const) {
      for (const [TA, TB] of [[Float32Array, Float32Array], [Float32Array, Float64Array], [Float64Array, Float32Array]] as const) {
        const a = randArray(TA, m * k, rand);
        const b = randArray(TB, k * n, rand);
        const c = new Float64Array(m * n);
        gemm(m, n, k, a, 0, b, 0, c, 0);
        const allFloat32 = c.every((v) => Math.fround(v) === v);
        expect(gemmResultsAreFloat32(m, n, k, a, b), `${m}x${n}x${k} ${TA.name}·${TB.name} on ${gemmKernel()}`).toBe(allFloat32);
        if (allFloat32) yes++;
      }
    }
    // The fast kernel's packed float32·float32 products (three of the five shapes); no other kernel sums in float32.
    expect(yes).toBe(gemmKernel() === 'fast' ? 3 : 0);
    expect(gemmResultsAreFloat32(3, 4, 0, new Float64Array(0), new Float64Array(0))).toBe(true);
  });
});

describe('gemmBatched', () => {
  function checkBatched(
    batch: number,
    m: number,
    n: number,
    k: number,
    T: { a: Ctor; b: Ctor; c: Ctor },
    strides: { a: number; b: number; c: number },
    offs = { a: 0, b: 0, c: 0 },
  ) {
    const rand = rng(batch * 31 + m * 17 + n * 5 + k);
    const aLen = offs.a + (batch - 1) * strides.a + m * k;
    const bLen = offs.b + (batch - 1) * strides.b + k * n;
    const cLen = offs.c + (batch - 1) * strides.c + m * n;
    const a = randArray(T.a, aLen, rand);
    const b = randArray(T.b, bLen, rand);
    const c = new T.c(cLen + 3).fill(Number.NaN);
    gemmBatched(batch, m, n, k, a, offs.a, strides.a, b, offs.b, strides.b, c, offs.c, strides.c);
    for (let i = 0; i < batch; i++) {
      const { out, scale } = reference(m, n, k, a, offs.a + i * strides.a, b, offs.b + i * strides.b);
      expect(relErr(c, offs.c + i * strides.c, out, scale)).toBeLessThanOrEqual(tol(T.c, T.a, T.b));
    }
    // Nothing written past the last batch item.
    for (let i = cLen; i < c.length; i++) expect(c[i]).toBeNaN();
  }

  for (const T of TYPES) {
    const t = { a: T, b: T, c: T };
    it(`contiguous batches ${name(T)}`, () => checkBatched(4, 5, 6, 7, t, { a: 35, b: 42, c: 30 }));
    it(`stride 0 broadcast of B (merged into one tall multiply) ${name(T)}`, () =>
      checkBatched(3, 17, 13, 9, t, { a: 17 * 9, b: 0, c: 17 * 13 }));
    it(`stride 0 broadcast of B with gaps between A items ${name(T)}`, () =>
      checkBatched(3, 17, 13, 9, t, { a: 17 * 9 + 4, b: 0, c: 17 * 13 + 2 }));
    it(`stride 0 broadcast of A ${name(T)}`, () => checkBatched(3, 6, 33, 70, t, { a: 0, b: 70 * 33, c: 6 * 33 }));
    it(`padded strides and non-zero offsets ${name(T)}`, () =>
      checkBatched(3, 9, 10, 11, t, { a: 9 * 11 + 3, b: 11 * 10 + 5, c: 9 * 10 + 1 }, { a: 2, b: 7, c: 4 }));
  }
  it('mixed dtypes: f32 A, f64 B broadcast, f32 C', () =>
    checkBatched(5, 12, 1, 64, { a: Float32Array, b: Float64Array, c: Float32Array }, { a: 12 * 64, b: 0, c: 12 }));
  it('mixed dtypes: f64 A broadcast, f32 B, f64 C', () =>
    checkBatched(2, 1, 64, 1, { a: Float64Array, b: Float32Array, c: Float64Array }, { a: 0, b: 64, c: 64 }));
  it('batch 1 and batch 0', () => {
    checkBatched(1, 20, 21, 22, { a: Float64Array, b: Float64Array, c: Float64Array }, { a: 0, b: 0, c: 0 });
    const c = new Float32Array(4).fill(9);
    gemmBatched(0, 2, 2, 2, new Float32Array(4), 0, 4, new Float32Array(4), 0, 4, c, 0, 4);
    expect(Array.from(c)).toEqual([9, 9, 9, 9]);
  });
});
