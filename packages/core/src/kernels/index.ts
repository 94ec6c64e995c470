export { gemm, gemmBatched, gemmBlock, gemmPacks, gemmResultsAreFloat32 } from './matmul.js';
export { transpose2d } from './transpose.js';
export { addInto, axpy, mapUnary, mulInto } from './elementwise.js';
export {
  type GemmKernel,
  type KernelChoice,
  gemmKernel,
  kernelChoice,
  relaxedSimdAvailable,
  useGemmKernel,
  useKernelChoice,
  useWasmKernels,
  wasmKernelsAvailable,
  wasmKernelsEnabled,
} from './wasm.js';
export { type AdamConstants, adamUpdate } from './adam.js';
export { reluBackward, reluForward } from './relu.js';
export { sumSquares } from './reduce.js';
export { WasmHeap } from './heap.js';
export type { WasmMemory } from './wasm.js';
