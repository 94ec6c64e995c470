/**
 * The WebAssembly SIMD GEMM macro-kernel (source: `wasm/gemm.wat`, assembled by the build step into
 * `wasm-gemm.generated.ts`). It is used wherever the runtime validates the module (WebAssembly with
 * 128-bit SIMD: Node ≥ 16.4, current browsers); otherwise, or when switched off, the JavaScript
 * kernels run. Both give the same bits (see the .wat header), so the choice never changes a result.
 *
 * Memory: tensors stay in their SharedArrayBuffers. The packed A and B panels (which the packed GEMM
 * copies anyway) and the C block are written into this module's own memory, one instance per
 * thread, and the C block is copied out after each macro-kernel call (mb·nb elements per mb·nb·kb
 * multiply-adds). See docs/ARCHITECTURE.md, "Kernels in WebAssembly".
 */
import { GEMM_WASM_BASE64 } from './wasm-gemm.generated.js';

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface GemmExports {
  memory: WasmMemory;
  macro(pa: number, pb: number, pc: number, mb: number, nb: number, kb: number, first: number): void;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
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

function instantiate(): GemmExports | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  const bytes = decodeBase64(GEMM_WASM_BASE64);
  if (!api.validate(bytes)) return null; // no 128-bit SIMD here
  return new api.Instance(new api.Module(bytes)).exports as GemmExports;
}

/** `ACTORGRAD_KERNELS=js` in the environment (Node) starts with the JavaScript kernels. */
function wantedAtStart(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.ACTORGRAD_KERNELS !== 'js';
}

const wasm = instantiate();
let enabled = wasm !== null && wantedAtStart();
let view = new Float64Array(0);

/** Whether WebAssembly SIMD kernels exist in this runtime. */
export function wasmKernelsAvailable(): boolean {
  return wasm !== null;
}

/** Whether the GEMM runs its macro-kernel in WebAssembly (the default where available). */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}

/** Switches the WebAssembly kernels on or off (returns the previous setting); on needs availability. */
export function useWasmKernels(on: boolean): boolean {
  if (on && !wasm) throw new Error('useWasmKernels: WebAssembly SIMD is not available in this runtime');
  const prev = enabled;
  enabled = on;
  return prev;
}

/** A float64 view of the module's memory with at least `size` elements (grows the memory). */
export function wasmScratch(size: number): Float64Array {
  const mem = wasm!.memory;
  const need = size * 8 - mem.buffer.byteLength;
  if (need > 0) mem.grow(Math.ceil(need / 65536));
  if (view.buffer !== mem.buffer || view.length < size) view = new Float64Array(mem.buffer);
  return view;
}

/** Runs the macro-kernel on panels at element offsets ao, bo and the C block at co of the scratch. */
export function wasmMacro(ao: number, bo: number, co: number, mb: number, nb: number, kb: number, first: boolean): void {
  wasm!.macro(ao * 8, bo * 8, co * 8, mb, nb, kb, first ? 1 : 0);
}
