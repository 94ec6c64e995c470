export { gemm, gemmBatched, gemmBlock } from './matmul.js';
export { transpose2d } from './transpose.js';
export { addInto, axpy, mapUnary, mulInto } from './elementwise.js';
export { useWasmKernels, wasmKernelsAvailable, wasmKernelsEnabled } from './wasm.js';
