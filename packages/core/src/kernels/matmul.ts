/**
 * Dense matrix multiply in plain TypeScript.
 *
 * Strategy (BLIS-style, scaled down to what V8 compiles well):
 * - Operands are packed into one contiguous scratch buffer: a block of A as 4-row micro-panels
 *   (`kb × 4`, interleaved) and a block of B as 4-column micro-panels (`kb × 4`). The hot loop is
 *   then monomorphic whatever the dtypes of A, B and C, reads with unit stride, and accumulates in
 *   double precision.
 * - The scratch buffer is a plain JS array in PACKED_DOUBLE_ELEMENTS mode, not a `Float64Array`:
 *   V8 emits a shorter load sequence for it (no base + external-pointer arithmetic); this measured
 *   ~25% faster. One buffer for both panels means one map check / length load per k step, not two.
 * - A 4×4 register micro-tile of C is held in 16 local variables while looping over k; index
 *   arithmetic is written `(i + 1) | 0` so V8 drops the int32 overflow checks (~8% faster).
 * - Cache blocking: k in blocks of `KC`, rows of A in blocks of `MC`, columns of B in blocks of `NC`.
 * - Ragged edges are handled by zero-padding the packed panels and storing only the valid part of
 *   the edge tiles.
 * - Matrix–vector (`n === 1`), vector–matrix (`m === 1`) and tiny shapes skip packing.
 * - The WebAssembly kernels (`kernels/wasm.ts`): `wasm` runs the macro-kernel in WebAssembly under
 *   this driver; `fast` (float32 A and B) hands the whole packed product to WebAssembly
 *   (`wasmGemm32`: staging, SIMD packing and all blocks in one call, with the blocking chosen here,
 *   so its bits are those of this driver's blockwise path, which remains its fallback for products
 *   too large to stage).
 *
 * See `bench/RESULTS.md` for the variants that were measured.
 */
import type { FloatArray } from '../dtype.js';
import { type GemmKernel, fastPanelRows, gemmKernel, wasmGemm32, wasmMacro, wasmScratch, wasmScratch32 } from './wasm.js';

/**
 * Packed panels: a plain double array for the JavaScript macro-kernel, the WebAssembly module's
 * memory for its (float64, or float32 for the `fast` kernel).
 */
type Scratch = number[] | Float64Array | Float32Array;

/** Depth (k) block: a 4-row micro-panel of A is `KC × 4` doubles = 8 KiB (L1). */
const KC = 256;
/** Row block of A: `MC × KC` doubles = 128 KiB packed. */
const MC = 64;
/** Column block of B: `KC × NC` doubles = 1 MiB packed (L2/L3). KC/MC/NC in 128…1024 measured within noise. */
const NC = 512;
/** Below this many multiply-adds (m·n·k) the packing overhead is not worth it (measured crossover ≈ 4×4×4). */
const SMALL = 64;
/** Column chunk of the unpacked row path (keeps its accumulator row in L1). */
const ROW_CHUNK = 2048;

/**
 * Packed-panel scratch. It only ever holds doubles, so it stays PACKED_DOUBLE_ELEMENTS (the extent
 * checks in `gemm` guarantee that packing never reads `undefined`, which would demote it for good).
 */
let scratch: number[] = [0.5];
/** 16-element buffer for storing partial (edge) micro-tiles. */
const tile = new Float64Array(16);

function scratchOf(size: number): number[] {
  if (scratch.length < size) {
    // Grow by pushing doubles (not `new Array(size)`, which would be HOLEY and need hole checks on load).
    const x: number[] = [0.5];
    for (let i = 1; i < size; i++) x.push(0.5);
    scratch = x;
  }
  return scratch;
}

/**
 * C[m×n] = op(A)[m×k] · op(B)[k×n] (row-major, contiguous, starting at the given element offsets),
 * where op(A) = A, or Aᵀ when `transA` (A is then stored k×m), and likewise for B (stored n×k when
 * `transB`). A transposed operand is read in place while packing, so `x·Wᵀ` or `gᵀ·x` cost no
 * transpose; the result is bit-identical to transposing first.
 * C is overwritten (not accumulated). A, B, C may be different typed-array types (f32/f64).
 * C must not alias A or B.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  c: FloatArray,
  cOff: number,
  transA = false,
  transB = false,
): void {
  if (m <= 0 || n <= 0) return;
  checkExtent('A', a, aOff, m * k);
  checkExtent('B', b, bOff, k * n);
  checkExtent('C', c, cOff, m * n);
  if (k <= 0) {
    c.fill(0, cOff, cOff + m * n);
    return;
  }
  if (gemmPacks(m, n, k)) {
    gemmPacked(m, n, k, a, aOff, b, bOff, c, cOff, transA, transB);
    return;
  }
  // The unpacked paths read rows: a transposed operand is transposed into scratch first (they are
  // only taken for vectors and tiny problems).
  if (transA) {
    const t = transposed(a, aOff, k, m, 0);
    a = t;
    aOff = 0;
  }
  if (transB) {
    const t = transposed(b, bOff, n, k, 1);
    b = t;
    bOff = 0;
  }
  if (n === 1) gemv(m, k, a, aOff, b, bOff, c, cOff);
  else gemmRows(m, n, k, a, aOff, b, bOff, c, cOff);
}

/**
 * Whether `gemm(m, n, k)` takes the packed path (vectors and tiny products do not, and sum in
 * another order). Only then do column blocks of the product computed by `gemmBlock` give its bits.
 */
export function gemmPacks(m: number, n: number, k: number): boolean {
  return !(n === 1 || m * n * k < SMALL || m === 1);
}

/**
 * Whether every element `gemm(m, n, k, a, …, b, …)` writes is a float32 value, whatever C's dtype,
 * on a thread computing with `kernel` (by default this thread's choice): true when it is `fast`, A
 * and B are float32 and the product takes the packed path (the fast kernel sums in float32 there),
 * or when k ≤ 0 (zeros). A float32 C then holds the result exactly, as a float64 one would. Also
 * true of every `gemmBlock` of such a product.
 */
export function gemmResultsAreFloat32(m: number, n: number, k: number, a: FloatArray, b: FloatArray, kernel: GemmKernel = gemmKernel()): boolean {
  if (k <= 0) return true;
  return gemmPacks(m, n, k) && kernel === 'fast' && a instanceof Float32Array && b instanceof Float32Array;
}

/** Two scratch buffers for transposed operands of the unpacked paths (one per operand). */
const tScratch: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

/** src[rows×cols] (at off) transposed into scratch `slot` as cols×rows. Doubles hold f32 and f64 exactly. */
function transposed(src: FloatArray, off: number, rows: number, cols: number, slot: 0 | 1): Float64Array {
  if (tScratch[slot]!.length < rows * cols) tScratch[slot] = new Float64Array(rows * cols);
  const t = tScratch[slot]!;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = src[off + i * cols + j]!;
  return t;
}

function checkExtent(what: string, x: FloatArray, off: number, size: number): void {
  if (!(off >= 0 && off + size <= x.length)) {
    throw new RangeError(`gemm: ${what} needs elements [${off}, ${off + size}) but has length ${x.length}`);
  }
}

/**
 * Batched: for i in 0..batch-1, C_i = A_i·B_i with element strides strideA, strideB, strideC
 * between batch items (stride 0 = broadcast the same matrix).
 */
export function gemmBatched(
  batch: number,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  strideA: number,
  b: FloatArray,
  bOff: number,
  strideB: number,
  c: FloatArray,
  cOff: number,
  strideC: number,
): void {
  if (batch <= 0) return;
  // A shared B with A_i and C_i stacked contiguously is one tall multiply: [A_0; A_1; …]·B.
  if (batch > 1 && strideB === 0 && strideA === m * k && strideC === m * n) {
    gemm(batch * m, n, k, a, aOff, b, bOff, c, cOff);
    return;
  }
  for (let i = 0; i < batch; i++) {
    gemm(m, n, k, a, aOff + i * strideA, b, bOff + i * strideB, c, cOff + i * strideC);
  }
}

/** n === 1: c[i] = A[i,:] · b. */
function gemv(m: number, k: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, c: FloatArray, cOff: number): void {
  const k4 = k - (k & 3);
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let p = 0;
    for (; p < k4; p += 4) {
      s0 += a[ai + p] * b[bOff + p];
      s1 += a[ai + p + 1] * b[bOff + p + 1];
      s2 += a[ai + p + 2] * b[bOff + p + 2];
      s3 += a[ai + p + 3] * b[bOff + p + 3];
    }
    for (; p < k; p++) s0 += a[ai + p] * b[bOff + p];
    c[cOff + i] = s0 + s1 + (s2 + s3);
  }
}

/**
 * Tiny problems and m === 1 (vector · matrix): per row of C, accumulate rows of B (unit stride) into a
 * double-precision row buffer, four rows of B at a time, in column chunks of at most `ROW_CHUNK`.
 */
function gemmRows(m: number, n: number, k: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, c: FloatArray, cOff: number): void {
  const acc = scratchOf(Math.min(n, ROW_CHUNK));
  const k4 = k - (k & 3);
  for (let jc = 0; jc < n; jc += ROW_CHUNK) {
    const w = Math.min(ROW_CHUNK, n - jc);
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * k;
      for (let j = 0; j < w; j++) acc[j] = 0;
      let p = 0;
      for (; p < k4; p += 4) {
        const a0 = a[ai + p];
        const a1 = a[ai + p + 1];
        const a2 = a[ai + p + 2];
        const a3 = a[ai + p + 3];
        const b0 = bOff + p * n + jc;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < w; j++) acc[j] += a0 * b[b0 + j] + a1 * b[b1 + j] + (a2 * b[b2 + j] + a3 * b[b3 + j]);
      }
      for (; p < k; p++) {
        const av = a[ai + p];
        const bp = bOff + p * n + jc;
        for (let j = 0; j < w; j++) acc[j] += av * b[bp + j];
      }
      const ci = cOff + i * n + jc;
      for (let j = 0; j < w; j++) c[ci + j] = acc[j];
    }
  }
}

/**
 * A block of a larger product through the packed path, with leading dimensions: C[m×n] (row stride
 * ldc) = op(A)[m×k] · op(B)[k×n], where A's stored rows are `lda` apart (A is m×k, or k×m when
 * `transA`) and likewise B's rows `ldb` apart. Every element of C is accumulated exactly as `gemm`
 * accumulates it on its packed path (m, n > 1 and m·n·k ≥ 64: `gemmPacks`), so splitting such a
 * product into column blocks computed separately — on different threads — gives the same bits as
 * computing it whole.
 */
export function gemmBlock(
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  c: FloatArray,
  cOff: number,
  ldc: number,
  transA = false,
  transB = false,
): void {
  if (m <= 0 || n <= 0) return;
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  if (lda < ac || ldb < bc || ldc < n) throw new RangeError(`gemmBlock: leading dimensions (${lda}, ${ldb}, ${ldc}) smaller than the rows they step over (${ac}, ${bc}, ${n})`);
  checkExtent('A', a, aOff, (ar - 1) * lda + ac);
  checkExtent('B', b, bOff, (br - 1) * ldb + bc);
  checkExtent('C', c, cOff, (m - 1) * ldc + n);
  if (k <= 0) {
    for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
    return;
  }
  gemmPacked(m, n, k, a, aOff, b, bOff, c, cOff, transA, transB, lda, ldb, ldc);
}

function gemmPacked(
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  c: FloatArray,
  cOff: number,
  transA: boolean,
  transB: boolean,
  lda = transA ? m : k,
  ldb = transB ? k : n,
  ldc = n,
): void {
  const kind = packedKernel(a, b);
  // The fast kernel's float32 panels are half the size: depth blocks of up to 2·KC, of equal size
  // (784 = 2 × 392, not 256 + 256 + 256 + 16: fewer passes over C, no short last block).
  const kc = kind === 'fast' ? Math.ceil(k / Math.ceil(k / (2 * KC))) : Math.min(k, KC);
  // rows per A micro-panel: 4, or 5 for the fast kernel with FMA (its 5×8 tile); mc is a multiple
  // of it (MC rounded up: 65 rows measured ~1% faster than 60 for the 5×8 tile; no effect on bits)
  const mr = kind === 'fast' ? fastPanelRows() : 4;
  const mc = Math.min(Math.ceil(m / mr) * mr, Math.ceil(MC / mr) * mr);
  const nr = kind === 'fast' ? 8 : 4; // columns per B micro-panel
  const nc = Math.min((n + nr - 1) & -nr, NC);
  if (kind === 'fast' && stagedFast(m, n, k, a as Float32Array, aOff, lda, b as Float32Array, bOff, ldb, c, cOff, ldc, transA, transB, { kc, mc, nc })) return;
  const s = scratchFor(kind, (mc + nc) * kc + mc * nc);
  const bo = mc * kc; // packed B block lives after the packed A block
  const co = bo + nc * kc; // and the WebAssembly kernel's C block after that
  for (let jc = 0; jc < n; jc += nc) {
    const nb = Math.min(nc, n - jc);
    for (let pc = 0; pc < k; pc += kc) {
      const kb = Math.min(kc, k - pc);
      if (transB) packBT(b, bOff + jc * ldb + pc, ldb, kb, nb, s, bo, nr);
      else packB(b, bOff + pc * ldb + jc, ldb, kb, nb, s, bo, nr);
      for (let ic = 0; ic < m; ic += mc) {
        const mb = Math.min(mc, m - ic);
        if (transA) packAT(a, aOff + pc * lda + ic, lda, mb, kb, s, mr);
        else packA(a, aOff + ic * lda + pc, lda, mb, kb, s, mr);
        if (kind === 'js') macroKernel(s as number[], mb, nb, kb, bo, c, cOff + ic * ldc + jc, ldc, pc === 0);
        else wasmBlock(s as Float64Array | Float32Array, kind === 'fast', mb, nb, kb, bo, co, c, cOff + ic * ldc + jc, ldc, pc === 0);
      }
    }
  }
}

/** The fast kernel's product staged whole in WebAssembly (see `wasmGemm32`); false if too large to stage. */
function stagedFast(m: number, n: number, k: number, a: Float32Array, aOff: number, lda: number, b: Float32Array, bOff: number, ldb: number, c: FloatArray, cOff: number, ldc: number, transA: boolean, transB: boolean, bl: { kc: number; mc: number; nc: number }): boolean {
  const A = transA ? { x: a, off: aOff, rows: k, cols: m, ld: lda } : { x: a, off: aOff, rows: m, cols: k, ld: lda };
  const B = transB ? { x: b, off: bOff, rows: n, cols: k, ld: ldb } : { x: b, off: bOff, rows: k, cols: n, ld: ldb };
  return wasmGemm32(m, n, k, A, transA, B, transB, c, cOff, ldc, bl);
}

/**
 * The macro-kernel of a packed product: this thread's choice, with `fast` only for float32 A and B
 * (C may be float64: it then receives the float32 results, exactly).
 */
function packedKernel(a: FloatArray, b: FloatArray): GemmKernel {
  const k = gemmKernel();
  if (k !== 'fast') return k;
  return a instanceof Float32Array && b instanceof Float32Array ? 'fast' : 'wasm';
}

function scratchFor(kind: GemmKernel, size: number): Scratch {
  if (kind === 'js') return scratchOf(size);
  return kind === 'fast' ? wasmScratch32(size) : wasmScratch(size);
}

/**
 * Packs rows [0, mb) × cols [0, kb) of A (leading dimension lda) into `mr`-row micro-panels (4, or 5
 * for the fast kernel with FMA) at s[0…]: s[ir·kb + p·mr + r]. That is B's transposed packing with
 * `mr`-column panels (A's rows are the stored rows of a transposed B).
 */
function packA(a: FloatArray, off: number, lda: number, mb: number, kb: number, s: Scratch, mr: number): void {
  packBT(a, off, lda, kb, mb, s, 0, mr);
}

/**
 * Packs rows [0, kb) × cols [0, nb) of B (leading dimension ldb) into `nr`-column micro-panels at
 * s[bo…]: s[bo + jr·kb + p·nr + t], zero-padded to a multiple of nr columns.
 */
function packB(b: FloatArray, off: number, ldb: number, kb: number, nb: number, s: Scratch, bo: number, nr: number): void {
  for (let jr = 0; jr < nb; jr += nr) {
    let d = bo + jr * kb;
    let src = off + jr;
    const w = Math.min(nr, nb - jr);
    if (w === 4 && nr === 4) {
      for (let p = 0; p < kb; p++, d += 4, src += ldb) {
        s[d] = b[src];
        s[d + 1] = b[src + 1];
        s[d + 2] = b[src + 2];
        s[d + 3] = b[src + 3];
      }
    } else if (w === 8) {
      for (let p = 0; p < kb; p++, d += 8, src += ldb) {
        s[d] = b[src];
        s[d + 1] = b[src + 1];
        s[d + 2] = b[src + 2];
        s[d + 3] = b[src + 3];
        s[d + 4] = b[src + 4];
        s[d + 5] = b[src + 5];
        s[d + 6] = b[src + 6];
        s[d + 7] = b[src + 7];
      }
    } else {
      for (let p = 0; p < kb; p++, d += nr, src += ldb) {
        for (let t = 0; t < w; t++) s[d + t] = b[src + t];
        for (let t = w; t < nr; t++) s[d + t] = 0;
      }
    }
  }
}

/** packA for A stored transposed: element (i, p) of the block is a[off + p·ldt + i], i.e. packB of the stored matrix with `mr`-column panels. */
function packAT(a: FloatArray, off: number, ldt: number, mb: number, kb: number, s: Scratch, mr: number): void {
  packB(a, off, ldt, kb, mb, s, 0, mr);
}

/**
 * packB for B stored transposed: element (p, j) of the block is b[off + j·ldt + p]. A full panel of
 * 4 or 8 columns is read from its 4 or 8 stored rows at once and written in order (one pass of
 * sequential stores instead of one strided pass per column); a ragged last panel is zero-padded.
 */
function packBT(b: FloatArray, off: number, ldt: number, kb: number, nb: number, s: Scratch, bo: number, nr: number): void {
  for (let jr = 0; jr < nb; jr += nr) {
    const d = bo + jr * kb;
    const r0 = off + jr * ldt;
    if (nb - jr >= 8 && nr === 8) packRows8(b, r0, ldt, kb, s, d);
    else if (nb - jr >= 4 && nr === 4) packRows4(b, r0, ldt, kb, s, d, 4);
    else if (nb - jr >= 5 && nr === 5) packRows5(b, r0, ldt, kb, s, d);
    else packRowsEdge(b, r0, ldt, kb, s, d, nr, Math.min(nr, nb - jr));
  }
}

/** Stored rows r0 … r0 + 3·ldt into columns 0-3 of a panel at d whose rows are `stride` apart. */
function packRows4(b: FloatArray, r0: number, ldt: number, kb: number, s: Scratch, d: number, stride: number): void {
  const r1 = r0 + ldt;
  const r2 = r1 + ldt;
  const r3 = r2 + ldt;
  for (let p = 0; p < kb; p++, d += stride) {
    s[d] = b[r0 + p];
    s[d + 1] = b[r1 + p];
    s[d + 2] = b[r2 + p];
    s[d + 3] = b[r3 + p];
  }
}

function packRows8(b: FloatArray, r0: number, ldt: number, kb: number, s: Scratch, d: number): void {
  packRows4(b, r0, ldt, kb, s, d, 8);
  packRows4(b, r0 + 4 * ldt, ldt, kb, s, d + 4, 8);
}

/** Five stored rows into a 5-column panel (A's panels for the fast kernel with FMA). */
function packRows5(b: FloatArray, r0: number, ldt: number, kb: number, s: Scratch, d: number): void {
  packRows4(b, r0, ldt, kb, s, d, 5);
  const r4 = r0 + 4 * ldt;
  for (let p = 0, e = d + 4; p < kb; p++, e += 5) s[e] = b[r4 + p];
}

/** A last panel of w < nr stored rows, zero-padded to nr columns. */
function packRowsEdge(b: FloatArray, r0: number, ldt: number, kb: number, s: Scratch, d: number, nr: number, w: number): void {
  for (let t = 0; t < nr; t++) {
    const src = r0 + t * ldt;
    let e = d + t;
    if (t < w) for (let p = 0; p < kb; p++, e += nr) s[e] = b[src + p];
    else for (let p = 0; p < kb; p++, e += nr) s[e] = 0;
  }
}

/**
 * C block [mb × nb] (at co, leading dimension ldc) = (first ? 0 : C) + packed A block · packed B block.
 * The 4×4 micro-kernel is inlined by hand: 16 accumulators, 4 loads of A and 4 of B per step of k.
 */
function macroKernel(s: number[], mb: number, nb: number, kb: number, bo: number, c: FloatArray, co: number, ldc: number, first: boolean): void {
  const kb4 = kb * 4;
  // Loop order ir → jr (one A micro-panel, 8 KiB, stays in L1 while it sweeps the packed B block).
  // The opposite order (jr → ir) was as fast when V8's first optimisation happened on large square
  // inputs, but fell to ~3.9 GFLOP/s when warmed up on some ragged shapes; this order stayed at ~4.8.
  for (let ir = 0; ir < mb; ir += 4) {
    for (let jr = 0; jr < nb; jr += 4) {
      const cols = Math.min(4, nb - jr);
      const ibase = bo + jr * kb;
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c10 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let c20 = 0;
      let c21 = 0;
      let c22 = 0;
      let c23 = 0;
      let c30 = 0;
      let c31 = 0;
      let c32 = 0;
      let c33 = 0;
      let ia = ir * kb;
      let ib = ibase;
      const end = ia + kb4;
      // `| 0` marks the index arithmetic as int32-truncating, which drops V8's overflow checks.
      for (; ia < end; ia += 4, ib += 4) {
        const b0 = s[ib];
        const b1 = s[(ib + 1) | 0];
        const b2 = s[(ib + 2) | 0];
        const b3 = s[(ib + 3) | 0];
        let x = s[ia];
        c00 += x * b0;
        c01 += x * b1;
        c02 += x * b2;
        c03 += x * b3;
        x = s[(ia + 1) | 0];
        c10 += x * b0;
        c11 += x * b1;
        c12 += x * b2;
        c13 += x * b3;
        x = s[(ia + 2) | 0];
        c20 += x * b0;
        c21 += x * b1;
        c22 += x * b2;
        c23 += x * b3;
        x = s[(ia + 3) | 0];
        c30 += x * b0;
        c31 += x * b1;
        c32 += x * b2;
        c33 += x * b3;
      }
      tile[0] = c00;
      tile[1] = c01;
      tile[2] = c02;
      tile[3] = c03;
      tile[4] = c10;
      tile[5] = c11;
      tile[6] = c12;
      tile[7] = c13;
      tile[8] = c20;
      tile[9] = c21;
      tile[10] = c22;
      tile[11] = c23;
      tile[12] = c30;
      tile[13] = c31;
      tile[14] = c32;
      tile[15] = c33;
      storeTile(c, co + ir * ldc + jr, ldc, Math.min(4, mb - ir), cols, first);
    }
  }
}

/**
 * Stores the 4×4 micro-tile (`tile`, row-major) into C at o, its valid `rows` × `cols` (fewer at the
 * block's ragged edges): written on the first k block, added after it (a store, or a load and a
 * store, per element either way: the same bits as storing from the accumulators directly).
 */
function storeTile(c: FloatArray, o: number, ldc: number, rows: number, cols: number, first: boolean): void {
  for (let r = 0; r < rows; r++, o += ldc) {
    const t = r * 4;
    if (first) for (let q = 0; q < cols; q++) c[o + q] = tile[t + q]!;
    else for (let q = 0; q < cols; q++) c[o + q] += tile[t + q]!;
  }
}

/**
 * The WebAssembly macro-kernel on a C block [mb × nb] (at o, leading dimension ldc): the block is
 * copied into the module's memory (row stride: nb rounded up to the tile width, 4 or 8 when
 * `fast`) unless this is the first k block, computed there, and copied back. Values go through
 * float64 both ways, as the JavaScript kernel's `+=` does (float32 both ways when `fast`).
 */
function wasmBlock(s: Float64Array | Float32Array, fast: boolean, mb: number, nb: number, kb: number, bo: number, co: number, c: FloatArray, o: number, ldc: number, first: boolean): void {
  const nr = fast ? 8 : 4;
  const ldb = (nb + nr - 1) & -nr;
  // Row by row with TypedArray#set: a memory copy where the types match, else the same conversion
  // (float64 to float32 rounds to nearest) as an assignment.
  if (!first) for (let r = 0; r < mb; r++) s.set(c.subarray(o + r * ldc, o + r * ldc + nb), co + r * ldb);
  wasmMacro(0, bo, co, mb, nb, kb, first, fast);
  for (let r = 0; r < mb; r++) c.set(s.subarray(co + r * ldb, co + r * ldb + nb), o + r * ldc);
}
