/**
 * The elementwise WebAssembly module (`wasm/elementwise.wat`: the fused Adam step, ReLU) and how
 * its operands reach it.
 *
 * - An array on a `WasmHeap` this thread has adopted (kernels/heap.ts) is addressed where it lives:
 *   the kernel runs on the instance of the module over that heap's shared memory (one per thread
 *   and heap), reading and writing the array in place.
 * - Any other array (an ordinary SharedArrayBuffer, which no module can address) is staged: copied
 *   in chunks of `CHUNK` elements into fixed regions of the module's memory (this thread's), the
 *   kernel runs on the chunk, and outputs are copied back. The chunk stays in the L1/L2 cache
 *   between the copies and the kernel; the copies (`TypedArray.prototype.set`, a memcpy) cost a
 *   fraction of the arithmetic they replace, but for Adam on 235 k parameters they were as much as
 *   the kernel itself — hence the heap.
 * The kernels process whole vectors (4 float32 / 2 float64 lanes), so only whole vectors of arrays
 * on the heap are addressed in place; the ragged tail (< 4 elements) is staged. Operands may differ
 * in dtype (a region holds a chunk of float64).
 */
import { ELEMENTWISE_HEAP_WASM_BASE64, ELEMENTWISE_WASM_BASE64 } from './wasm-gemm.generated.js';
import { WasmHeap } from './heap.js';
import { type WasmMemory, gemmKernel, grownMemory, instantiateModule } from './wasm.js';
import type { FloatArray } from '../dtype.js';

/** Elements per region and chunk (a multiple of 4: the kernels process whole 16-byte vectors). */
export const CHUNK = 4096;
/** Regions of `CHUNK` float64 slots the staging uses at most. */
const REGIONS = 4;
const REGION_BYTES = CHUNK * 8;

/** The module's exports. Byte offsets in its memory; adam's are g, m0, v0, m, v, p. */
export interface ElementwiseExports {
  memory?: WasmMemory;
  adamConstants(b1: number, c1: number, b2: number, c2: number, bc1: number, bc2Sqrt: number, eps: number, factor: number): void;
  adam32(n: number, g: number, m0: number, v0: number, m: number, v: number, p: number): void;
  adam64(n: number, g: number, m0: number, v0: number, m: number, v: number, p: number): void;
  relu(bytes: number, x: number, g: number, y: number, f64: number): void;
  sumsq6432(n: number, a: number, b: number, g: number, sq: number): number;
  sumsq6464(n: number, a: number, b: number, g: number, sq: number): number;
  sumsq3232(n: number, a: number, b: number, g: number, sq: number): number;
}

/** An instance with its staging regions: at byte `base` of `memory`, REGIONS × REGION_BYTES. */
interface Runner {
  mod: ElementwiseExports;
  memory: WasmMemory;
  base: number;
  heap: WasmHeap | null;
  f32: Float32Array;
  f64: Float64Array;
}

function runnerOn(mod: ElementwiseExports, memory: WasmMemory, base: number, heap: WasmHeap | null): Runner {
  return { mod, memory, base, heap, f32: new Float32Array(0), f64: new Float64Array(0) };
}

const own = instantiateModule<ElementwiseExports>(ELEMENTWISE_WASM_BASE64);
const ownRunner = own?.memory ? runnerOn(own, own.memory, 0, null) : null;
if (ownRunner) grownMemory(ownRunner.memory, REGIONS * REGION_BYTES);

/** This thread's instance on `heap` (made on first use, its regions allocated on the heap); null when there is none. */
function heapRunner(heap: WasmHeap): Runner | null {
  let r = heap.local.get('elementwise') as Runner | null | undefined;
  if (r === undefined) {
    const mod = instantiateModule<ElementwiseExports>(ELEMENTWISE_HEAP_WASM_BASE64, { env: { memory: heap.memory } });
    // A full heap has no room for the regions: its arrays are then staged through this thread's own module.
    const base = mod ? heap.tryAllocBytes(REGIONS * REGION_BYTES) : null;
    r = mod && base !== null ? runnerOn(mod, heap.memory, base, heap) : null;
    heap.local.set('elementwise', r);
  }
  return r;
}

/** Whether the thread's kernel choice is WebAssembly (`wasm` or `fast`) and the module validated; else the JavaScript loops run. */
export function elementwiseModule(): ElementwiseExports | null {
  return own && gemmKernel() !== 'js' ? own : null;
}

/** A view of the runner's memory of `like`'s dtype (renewed when the memory has grown). */
function viewLike(run: Runner, like: FloatArray): FloatArray {
  const buffer = run.memory.buffer as ArrayBufferLike;
  if (like instanceof Float64Array) {
    if (run.f64.buffer !== buffer) run.f64 = new Float64Array(buffer);
    return run.f64;
  }
  if (run.f32.buffer !== buffer) run.f32 = new Float32Array(buffer);
  return run.f32;
}

/** The first operand's adopted heap, if any operand is on one. */
function heapOf(inputs: FloatArray[], outputs: (FloatArray | null)[]): WasmHeap | null {
  for (const a of inputs) {
    const h = WasmHeap.of(a);
    if (h) return h;
  }
  for (const a of outputs) {
    const h = a && WasmHeap.of(a);
    if (h) return h;
  }
  return null;
}

/** Byte offsets of operand r's chunk for the kernel: where it is read from, where it is written. */
const src = new Int32Array(REGIONS);
const dst = new Int32Array(REGIONS);

/**
 * The kernel over [0, n): `kernel(mod, len, src, dst)` gets a chunk's length and, per operand r,
 * the byte offset to read inputs[r] from (src[r]) and to write outputs[r] to (dst[r]; outputs[r]
 * null: nothing written). Arrays on the runner's heap are addressed in place, the rest staged in
 * region r. Returns false (nothing done) when the thread's kernels are JavaScript.
 */
export function staged(
  n: number,
  inputs: FloatArray[],
  outputs: (FloatArray | null)[],
  kernel: (mod: ElementwiseExports, len: number, src: Int32Array, dst: Int32Array) => void,
): boolean {
  if (!ownRunner || gemmKernel() === 'js') return false;
  const heap = heapOf(inputs, outputs);
  const run = (heap && heapRunner(heap)) ?? ownRunner;
  const bulk = run.heap ? n - (n % 4) : n;
  chunks(run, 0, bulk, inputs, outputs, kernel, run.heap);
  chunks(run, bulk, n, inputs, outputs, kernel, null);
  return true;
}

function chunks(
  run: Runner,
  lo: number,
  hi: number,
  inputs: FloatArray[],
  outputs: (FloatArray | null)[],
  kernel: (mod: ElementwiseExports, len: number, src: Int32Array, dst: Int32Array) => void,
  heap: WasmHeap | null,
): void {
  if (lo >= hi) return;
  const inPlace = (a: FloatArray | null) => heap !== null && a !== null && WasmHeap.of(a) === heap;
  const inIn = inputs.map(inPlace);
  const outIn = outputs.map(inPlace);
  for (let o = lo; o < hi; o += CHUNK) {
    const e = Math.min(hi, o + CHUNK);
    for (let r = 0; r < inputs.length; r++) {
      const a = inputs[r]!;
      const region = run.base + r * REGION_BYTES;
      if (inIn[r]) src[r] = a.byteOffset + o * a.BYTES_PER_ELEMENT;
      else {
        viewLike(run, a).set(a.subarray(o, e), region / a.BYTES_PER_ELEMENT);
        src[r] = region;
      }
      const out = outputs[r];
      dst[r] = out && outIn[r] ? out.byteOffset + o * out.BYTES_PER_ELEMENT : region;
    }
    kernel(run.mod, e - o, src, dst);
    for (let r = 0; r < outputs.length; r++) {
      const out = outputs[r];
      if (!out || outIn[r]) continue;
      const at = (run.base + r * REGION_BYTES) / out.BYTES_PER_ELEMENT;
      out.set(viewLike(run, out).subarray(at, at + e - o), o);
    }
  }
}
