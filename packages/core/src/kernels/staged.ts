import type { FloatArray } from '../dtype.js';
/**
 * The elementwise WebAssembly module (`wasm/elementwise.wat`: the fused Adam step, ReLU) and the
 * staging of operands through its memory. Tensors live in SharedArrayBuffers the module cannot
 * address, so each call copies its operands in chunks of `CHUNK` elements into fixed regions of
 * the module's memory (one instance per thread), runs the kernel on the chunk and copies the
 * results out: the chunk stays in the L1/L2 cache between the copies and the kernel, and the copies
 * (`TypedArray.prototype.set`, a memcpy) cost a fraction of the arithmetic they replace.
 */
import { ELEMENTWISE_WASM_BASE64 } from './wasm-gemm.generated.js';
import { type WasmMemory, gemmKernel, grownMemory, instantiateModule } from './wasm.js';

/** Elements per region and chunk (a multiple of 4: the kernels process whole 16-byte vectors). */
export const CHUNK = 4096;
/** Regions of `CHUNK` float64 slots the staging uses at most. */
const REGIONS = 4;

interface ElementwiseExports {
  memory: WasmMemory;
  adamConstants(b1: number, c1: number, b2: number, c2: number, bc1: number, bc2Sqrt: number, eps: number, factor: number): void;
  adam32(n: number, g: number, m: number, v: number, p: number): void;
  adam64(n: number, g: number, m: number, v: number, p: number): void;
  relu(bytes: number, x: number, g: number, y: number, f64: number): void;
}

const mod = instantiateModule<ElementwiseExports>(ELEMENTWISE_WASM_BASE64);
if (mod) grownMemory(mod.memory, REGIONS * CHUNK * 8);
let f32 = new Float32Array(0);
let f64 = new Float64Array(0);

/** The module, when the thread's kernel choice is WebAssembly (`wasm` or `fast`) and it validated; else null (the JavaScript loops run). */
export function elementwiseModule(): ElementwiseExports | null {
  return mod && gemmKernel() !== 'js' ? mod : null;
}

/** A view of the module's memory of `like`'s dtype, for staging. */
export function heapLike(like: FloatArray): FloatArray {
  const buffer = mod!.memory.buffer;
  if (like instanceof Float64Array) {
    if (f64.buffer !== buffer) f64 = new Float64Array(buffer);
    return f64;
  }
  if (f32.buffer !== buffer) f32 = new Float32Array(buffer);
  return f32;
}

/**
 * Runs `kernel` on [0, n) chunk by chunk: region r (element offset r·CHUNK of `heap`, byte offset
 * r·CHUNK·bytesPerElement) holds inputs[r]'s chunk, then outputs[r]'s (null: not copied out).
 * `kernel(len, byteOffsetOfRegion)` gets the chunk's length.
 */
export function staged(n: number, inputs: FloatArray[], outputs: (FloatArray | null)[], kernel: (len: number, region: (r: number) => number) => void): void {
  const heap = heapLike(inputs[0]!);
  const region = (r: number) => r * CHUNK * heap.BYTES_PER_ELEMENT;
  for (let o = 0; o < n; o += CHUNK) {
    const e = Math.min(n, o + CHUNK);
    for (let r = 0; r < inputs.length; r++) heap.set(inputs[r]!.subarray(o, e), r * CHUNK);
    kernel(e - o, region);
    for (let r = 0; r < outputs.length; r++) outputs[r]?.set(heap.subarray(r * CHUNK, r * CHUNK + e - o), o);
  }
}
