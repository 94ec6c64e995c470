/**
 * The WebAssembly SIMD GEMM macro-kernel (source: `wasm/gemm.wat`, assembled by the build step into
 * `wasm-gemm.generated.ts`). It is used wherever the runtime validates the module (WebAssembly with
 * 128-bit SIMD: Node ≥ 16.4, current browsers); otherwise, or when switched off, the JavaScript
 * kernels run. Two WebAssembly kernels: `fast` (the default) accumulates products of float32
 * operands in float32 f32x4 lanes (relaxed-SIMD FMA where `gemm-relaxed.wat` validates), as PyTorch
 * and TensorFlow.js do: other bits than the JavaScript kernel's, the same on every thread that makes
 * the same choice — the runtime hands its workers the main thread's `kernelChoice()`. `wasm`
 * (`ACTORGRAD_KERNELS=wasm` or `useGemmKernel('wasm')`) accumulates in float64 like the JavaScript
 * kernel and gives its bits exactly (see the .wat header).
 *
 * Memory: tensors stay in their SharedArrayBuffers; each thread has its own module instance and
 * memory. A `fast` product is staged whole (`wasmGemm32`): A and B are copied into the module's
 * memory, one call of `wasm/gemm-driver.wat` packs them with SIMD and runs every block, the C panel
 * stays in the module's memory across k blocks, and C is copied out once. Products too large to
 * stage (over 64 MiB) and the `wasm` kernel write the packed panels (which the JavaScript driver
 * packs anyway) into the module's memory and copy the C block out after each macro-kernel call
 * (mb·nb elements per mb·nb·kb multiply-adds). See docs/ARCHITECTURE.md, "Kernels in WebAssembly".
 */
import type { FloatArray } from '../dtype.js';
import { GEMM_DRIVER_WASM_BASE64, GEMM_RELAXED_WASM_BASE64, GEMM_WASM_BASE64 } from './wasm-gemm.generated.js';

/** A `WebAssembly.Memory` (core's typings have no DOM or Node types). */
export interface WasmMemory {
  /** The memory's bytes (a SharedArrayBuffer when the memory is shared). */
  readonly buffer: ArrayBuffer;
  /** Grows it by `pages` of 64 KiB; returns the previous size in pages. */
  grow(pages: number): number;
}
type MacroKernel = (pa: number, pb: number, pc: number, mb: number, nb: number, kb: number, first: number) => void;
type Gemm32 = (...args: number[]) => void;
interface GemmExports {
  memory: WasmMemory;
  macro: MacroKernel;
  macro32: MacroKernel;
  store32: unknown;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with `=` padding) to bytes; `atob` is not in every runtime core targets' typings. */
function decodeBase64(s: string): Uint8Array {
  const body = s.replace(/=+$/, '');
  const out = new Uint8Array((body.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < body.length; i++) {
    acc = (acc << 6) | B64.indexOf(body[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A module's exports (one instance for this thread), or null where the runtime cannot validate it (no WebAssembly, or no (relaxed) SIMD). @internal */
export function instantiateModule<T>(base64: string, imports?: object): T | null {
  if (!api) return null;
  const bytes = decodeBase64(base64);
  if (!api.validate(bytes)) return null;
  return new api.Instance(new api.Module(bytes), imports).exports as T;
}

/** The fast kernel with relaxed-SIMD fused multiply-add, over the main module's memory; null where relaxed SIMD is missing. */
function instantiateRelaxed(main: GemmExports | null): MacroKernel | null {
  if (!main) return null;
  const imports = { gemm: { memory: main.memory, store32: main.store32 } };
  return instantiateModule<{ macro32: MacroKernel }>(GEMM_RELAXED_WASM_BASE64, imports)?.macro32 ?? null;
}

/** gemm-driver.wat's whole float32 GEMM over the main module's memory, driving `macro32`. */
function instantiateDriver(main: GemmExports | null, macro32: MacroKernel | null): Gemm32 | null {
  if (!main || !macro32) return null;
  return instantiateModule<{ gemm32: Gemm32 }>(GEMM_DRIVER_WASM_BASE64, { gemm: { memory: main.memory, macro32 } })?.gemm32 ?? null;
}

/** Grows a module's memory to at least `bytes` and returns its (possibly new) buffer. @internal */
export function grownMemory(mem: WasmMemory, bytes: number): ArrayBuffer {
  const need = bytes - mem.buffer.byteLength;
  if (need > 0) mem.grow(Math.ceil(need / 65536));
  return mem.buffer;
}

/**
 * Which GEMM kernel runs: `fast` (the default where WebAssembly SIMD exists: for float32 A and B,
 * WebAssembly f32x4 accumulating in float32, with relaxed-SIMD FMA where available; other bits
 * than `js`/`wasm`, within float32 rounding of them; products with a float64 operand run `wasm`),
 * `wasm` (WebAssembly SIMD, f64x2, the same bits as `js`) or `js` (the JavaScript macro-kernel,
 * the fallback).
 */
export type GemmKernel = 'js' | 'wasm' | 'fast';
const KERNELS: readonly GemmKernel[] = ['js', 'wasm', 'fast'];

/**
 * What a thread's GEMM runs. Threads working on one computation must use the same choice (a
 * `fast` product differs in its last bits from a `wasm` one): the runtime hands its workers the
 * main thread's choice.
 */
export interface KernelChoice {
  /** The GEMM kernel (see `GemmKernel`). */
  kernel: GemmKernel;
  /** `fast` with relaxed-SIMD fused multiply-add (rounded once), not multiply then add. */
  fma: boolean;
}

/** The kernel `ACTORGRAD_KERNELS` asks for: `js`, `wasm` or `fast`; unset or empty is `fast` where available. @internal */
export function kernelFromEnv(v: string | undefined, available: boolean): GemmKernel {
  if (v === undefined || v === '') return available ? 'fast' : 'js';
  if (!(KERNELS as readonly string[]).includes(v)) {
    throw new Error(`ACTORGRAD_KERNELS: expected one of ${KERNELS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as GemmKernel;
}

const wasm = instantiateModule<GemmExports>(GEMM_WASM_BASE64);
const relaxed = instantiateRelaxed(wasm);
const driver = instantiateDriver(wasm, wasm?.macro32 ?? null);
const driverFma = instantiateDriver(wasm, relaxed);
let kernel: GemmKernel = 'js';
let fma = relaxed !== null;
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
useGemmKernel(kernelFromEnv(env?.ACTORGRAD_KERNELS, wasm !== null));
let view = new Float64Array(0);
let view32 = new Float32Array(0);

/** Whether WebAssembly SIMD kernels exist in this runtime. */
export function wasmKernelsAvailable(): boolean {
  return wasm !== null;
}

/** Whether relaxed SIMD (fused multiply-add for the `fast` kernel) exists in this runtime. */
export function relaxedSimdAvailable(): boolean {
  return relaxed !== null;
}

/** Whether the GEMM runs its macro-kernel in WebAssembly (`fast`, the default where available, or `wasm`). */
export function wasmKernelsEnabled(): boolean {
  return kernel !== 'js';
}

/** The GEMM kernel this thread runs. */
export function gemmKernel(): GemmKernel {
  return kernel;
}

/** Chooses the GEMM kernel (returns the previous one); `wasm` and `fast` need WebAssembly SIMD. */
export function useGemmKernel(k: GemmKernel): GemmKernel {
  if (!KERNELS.includes(k)) throw new TypeError(`useGemmKernel: expected one of ${KERNELS.join(', ')}, got ${JSON.stringify(k)}`);
  if (k !== 'js' && !wasm) throw new Error(`useGemmKernel: '${k}' needs WebAssembly SIMD, which this runtime lacks`);
  const prev = kernel;
  kernel = k;
  return prev;
}

/** Switches the WebAssembly kernels on (`wasm`) or off (`js`); returns whether they were on. */
export function useWasmKernels(on: boolean): boolean {
  if (on && !wasm) throw new Error('useWasmKernels: WebAssembly SIMD is not available in this runtime');
  const prev = kernel !== 'js';
  useGemmKernel(on ? 'wasm' : 'js');
  return prev;
}

/** This thread's choice, to hand to other threads (see `useKernelChoice`). */
export function kernelChoice(): KernelChoice {
  return { kernel, fma: kernel === 'fast' && fma };
}

/** Makes this thread compute as the thread whose `kernelChoice()` this is; throws if it cannot. */
export function useKernelChoice(c: KernelChoice): void {
  if (c.fma && !relaxed) throw new Error('useKernelChoice: the fast kernel with FMA needs relaxed SIMD, which this thread lacks (start Node with --experimental-wasm-relaxed-simd)');
  useGemmKernel(c.kernel);
  if (c.kernel === 'fast') fma = c.fma;
}

function memoryFor(size: number): ArrayBuffer {
  return grownMemory(wasm!.memory, size);
}

/** A float64 view of the module's memory with at least `size` elements (grows the memory). */
export function wasmScratch(size: number): Float64Array {
  const buffer = memoryFor(size * 8);
  if (view.buffer !== buffer) view = new Float64Array(buffer);
  return view;
}

/** A float32 view of the module's memory with at least `size` elements (grows the memory). */
export function wasmScratch32(size: number): Float32Array {
  const buffer = memoryFor(size * 4);
  if (view32.buffer !== buffer) view32 = new Float32Array(buffer);
  return view32;
}

/**
 * Rows per A micro-panel of the `fast` kernel this thread runs: 5 with FMA (gemm-relaxed.wat's 5×8
 * tile), else 4 (gemm.wat's 4×8). The `wasm` kernel's panels have 4.
 */
export function fastPanelRows(): number {
  return fma ? 5 : 4;
}

/**
 * Runs a macro-kernel on panels at element offsets ao, bo and the C block at co of the scratch:
 * float64 (`macro`, 4×4 tiles) or, when `fast`, float32 (`macro32`, 4×8 tiles, or with FMA 5×8:
 * A packed in `fastPanelRows()`-row panels).
 */
export function wasmMacro(ao: number, bo: number, co: number, mb: number, nb: number, kb: number, first: boolean, fast: boolean): void {
  if (!fast) wasm!.macro(ao * 8, bo * 8, co * 8, mb, nb, kb, first ? 1 : 0);
  else (fma ? relaxed! : wasm!.macro32)(ao * 4, bo * 4, co * 4, mb, nb, kb, first ? 1 : 0);
}

/** A float32 operand of a staged product: stored rows × cols, rows `ld` elements apart, from `off`. */
export interface Operand32 {
  x: Float32Array;
  off: number;
  rows: number;
  cols: number;
  ld: number;
}

/** Blocking of a staged product (elements): depth block, row block of A (a multiple of `fastPanelRows()`), column block of B. */
export interface Blocking {
  kc: number;
  mc: number;
  nc: number;
}

/** Above this many bytes of module memory a product is not staged whole (the blockwise path runs). */
let stageLimit = 64 * 1024 * 1024;

/** Sets the staging limit in bytes (tests: 0 forces the blockwise path); returns the previous one. @internal */
export function setStageLimit(bytes: number): number {
  const prev = stageLimit;
  stageLimit = bytes;
  return prev;
}

const ceil4 = (x: number): number => (x + 3) & ~3;

/** Copies an operand's rows to float element `at` of the view, compacted (row stride = cols). */
function stage(v: Float32Array, at: number, o: Operand32): void {
  const { x, off, rows, cols, ld } = o;
  if (ld === cols) v.set(x.subarray(off, off + rows * cols), at);
  else for (let r = 0; r < rows; r++) v.set(x.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
}

/**
 * The `fast` float32 product C[m×n] (rows ldc apart, from cOff) = op(A) · op(B) in one WebAssembly
 * call: A and B are copied into the module's memory (a memcpy per operand, or per row when their
 * rows are not contiguous), gemm-driver.wat packs, multiplies and keeps C there across k blocks,
 * and C is copied out once. Returns false (nothing done) when the product would need more than
 * the staging limit; the caller then runs the blockwise path, which gives the same bits.
 */
export function wasmGemm32(m: number, n: number, k: number, a: Operand32, ta: boolean, b: Operand32, tb: boolean, c: FloatArray, cOff: number, ldc: number, bl: Blocking): boolean {
  const at = 0;
  const bt = ceil4(a.rows * a.cols);
  const ct = bt + ceil4(b.rows * b.cols);
  const pa = ct + ceil4(m * n);
  const pb = pa + bl.mc * bl.kc;
  const pcp = pb + bl.nc * bl.kc;
  const mr = fastPanelRows();
  const end = pcp + Math.ceil(m / mr) * mr * bl.nc;
  if (end * 4 > stageLimit) return false;
  const v = wasmScratch32(end);
  stage(v, at, a);
  stage(v, bt, b);
  (fma ? driverFma! : driver!)(m, n, k, at * 4, a.cols * 4, ta ? 1 : 0, bt * 4, b.cols * 4, tb ? 1 : 0, ct * 4, pa * 4, pb * 4, pcp * 4, bl.kc, bl.mc, bl.nc, mr);
  if (ldc === n) c.set(v.subarray(ct, ct + m * n), cOff);
  else for (let r = 0; r < m; r++) c.set(v.subarray(ct + r * n, ct + r * n + n), cOff + r * ldc);
  return true;
}
