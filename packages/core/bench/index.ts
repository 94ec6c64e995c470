/**
 * Kernel micro-benchmarks (tinybench). Run from packages/core with `pnpm bench`
 * (= `tsx --conditions=@actorgrad/source bench/index.ts`). Takes ~40 s. Each gemm row runs on each
 * kernel: `js` (the JavaScript macro-kernel), `wasm` (the WebAssembly SIMD one; both give the same
 * bits) and, for float32, `fast` (the default: WebAssembly f32x4, float32 accumulation, the whole
 * product in one WebAssembly call; FMA when
 * run as `node --experimental-wasm-relaxed-simd --import tsx --conditions=@actorgrad/source
 * bench/index.ts` on Node 20 — Node refuses that flag in NODE_OPTIONS) and `fast-blockwise` (the same
 * bits with staging off: JavaScript packing and per-block C copies, the fallback for large products).
 *
 * GFLOP/s = 2·m·n·k / mean time; Melem/s = elements / mean time (the `@p50` columns use the median
 * time instead). Results and machine details are recorded in bench/RESULTS.md.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Bench } from 'tinybench';
import { type FloatArray, viewOf } from '../src/dtype.js';
import { adamUpdate } from '../src/kernels/adam.js';
import { addInto, mapUnary } from '../src/kernels/elementwise.js';
import { gemm } from '../src/kernels/matmul.js';
import { WasmHeap } from '../src/kernels/heap.js';
import { sumSquares } from '../src/kernels/reduce.js';
import { reluBackward, reluForward } from '../src/kernels/relu.js';
import { type GemmKernel, relaxedSimdAvailable, setStageLimit, useGemmKernel } from '../src/kernels/wasm.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function random(T: Ctor, size: number, seed: number): FloatArray {
  const x = new T(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296 - 0.5;
  }
  return x;
}

/** The textbook i-k-j triple loop, as a baseline. */
function naiveGemm(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += av * b[p * n + j];
    }
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.slice(line.indexOf(':') + 1).trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Work per call, to turn mean time into a rate. */
const flops = new Map<string, number>();
const elems = new Map<string, number>();

const bench = new Bench({ time: 700, warmupTime: 300, warmupIterations: 5 });

/**
 * One gemm task on the WebAssembly (`wasm`) or JavaScript (`js`) macro-kernel: C[m×n] = op(A)·op(B)
 * with op = transpose where the layout letter is T (NN forward, NT = x·Wᵀ, TN = gᵀ·x).
 */
function addGemm(label: string, T: Ctor, [m, n, k]: readonly number[], layout = 'NN', kernel: GemmKernel | 'naive' | 'fast-blockwise' = 'wasm'): void {
  const a = random(T, m * k, 1);
  const b = random(T, k * n, 2);
  const c = new T(m * n);
  const [ta, tb] = [layout[0] === 'T', layout[1] === 'T'];
  const name = `${label} ${kernel}`;
  flops.set(name, 2 * m * n * k);
  if (kernel === 'naive') bench.add(name, () => naiveGemm(m, n, k, a, b, c));
  else {
    // fast-blockwise: the fast kernel with staging off (packing in JavaScript, C copied per block;
    // the path before gemm-driver.wat, and the fallback for products too large to stage)
    const blockwise = kernel === 'fast-blockwise';
    bench.add(name, () => {
      useGemmKernel(blockwise ? 'fast' : kernel);
      const prev = blockwise ? setStageLimit(0) : 0;
      gemm(m, n, k, a, 0, b, 0, c, 0, ta, tb);
      if (blockwise) setStageLimit(prev);
    });
  }
}

// Sanity check before timing: the kernel agrees with the naive loop.
{
  const N = 96;
  const a = random(Float64Array, N * N, 3);
  const b = random(Float64Array, N * N, 4);
  const c1 = new Float64Array(N * N);
  const c2 = new Float64Array(N * N);
  gemm(N, N, N, a, 0, b, 0, c1, 0);
  naiveGemm(N, N, N, a, b, c2);
  for (let i = 0; i < N * N; i++) {
    if (Math.abs(c1[i] - c2[i]) > 1e-12 * N) throw new Error(`gemm mismatch at ${i}: ${c1[i]} vs ${c2[i]}`);
  }
}

// Square products, then the 784-256-128-10 MLP's first layer at batch 128: the forward x·Wᵀ (NT),
// the weight gradient gᵀ·x (TN) and the input gradient g·W (NN).
const GEMMS: [string, Ctor, number[], string][] = [
  ['gemm f32 256³', Float32Array, [256, 256, 256], 'NN'],
  ['gemm f64 256³', Float64Array, [256, 256, 256], 'NN'],
  ['gemm f32 512³', Float32Array, [512, 512, 512], 'NN'],
  ['mlp fwd f32 128×256×784 NT', Float32Array, [128, 256, 784], 'NT'],
  ['mlp dW f32 256×784×128 TN', Float32Array, [256, 784, 128], 'TN'],
  ['mlp dX f32 128×784×256 NN', Float32Array, [128, 784, 256], 'NN'],
];
for (const [label, T, shape, layout] of GEMMS) {
  addGemm(label, T, shape, layout, 'js');
  addGemm(label, T, shape, layout, 'wasm');
  if (T === Float32Array) addGemm(label, T, shape, layout, 'fast-blockwise');
  if (T === Float32Array) addGemm(label, T, shape, layout, 'fast');
}
addGemm('naive ikj f32 256³ (baseline)', Float32Array, [256, 256, 256], 'NN', 'naive');

const M = 1 << 20;
{
  const a = random(Float32Array, M, 5);
  const b = random(Float32Array, M, 6);
  const out = new Float32Array(M);
  elems.set('add f32 1M', M);
  bench.add('add f32 1M', () => addInto(a, b, out, M));
}
{
  const a = random(Float32Array, M, 7);
  const out = new Float32Array(M);
  elems.set('tanh map f32 1M', M);
  bench.add('tanh map f32 1M', () => mapUnary(a, out, M, Math.tanh));
}

// The MLP's optimiser step (235 146 parameters, fused Adam), its gradient reduction over two shards
// and a ReLU layer's forward and backward (128 × 256), each on the JavaScript loops and on WebAssembly (same bits), operands in shared memory
// as the runtime's actors have them.
const shared = (n: number, seed: number) => {
  const x = viewOf(new SharedArrayBuffer(n * 4), 0, n, 'float32');
  x.set(random(Float32Array, n, seed));
  return x;
};
// `wasm heap`: the operands on a WasmHeap (as the runtime's engine allocates them), addressed in place.
const heap = WasmHeap.create();
const onHeap = (n: number, seed: number) => {
  const x = heap!.alloc('float32', n);
  x.set(random(Float32Array, n, seed));
  return x;
};
for (const [kernel, where] of [['js', ''], ['wasm', ''], ['wasm', ' heap']] as const) {
  if (where && !heap) continue;
  const make = where ? onHeap : shared;
  const P = 235_146;
  const [g, m, v, p] = [1, 2, 3, 4].map((seed) => make(P, seed + 10));
  v!.set(v!.map(Math.abs));
  const k = { b1: 0.9, c1: 1 - 0.9, b2: 0.999, c2: 1 - 0.999, bc1: 1 - 0.9 ** 10, bc2Sqrt: Math.sqrt(1 - 0.999 ** 10), eps: 1e-8, factor: -1e-9 };
  elems.set(`adam f32 235k ${kernel}${where}`, P);
  bench.add(`adam f32 235k ${kernel}${where}`, () => {
    useGemmKernel(kernel);
    adamUpdate(g!, m!, v!, m!, v!, p!, k);
  });
  // The gradient reduction of two shards (dataParallel(2)): float64 shard gradients a and b,
  // g = a + b rounded to float32, and Σ g².
  const [ga, gb] = [5, 6].map((seed) => {
    const x = where ? heap!.alloc('float64', P) : viewOf(new SharedArrayBuffer(P * 8), 0, P, 'float64');
    x.set(random(Float64Array, P, seed));
    return x;
  });
  elems.set(`reduce 2 shards f64→f32 235k ${kernel}${where}`, P);
  bench.add(`reduce 2 shards f64→f32 235k ${kernel}${where}`, () => {
    useGemmKernel(kernel);
    sumSquares(ga!, gb!, g!);
  });
  const R = 128 * 256;
  const [x, y, gy, gx] = [1, 2, 3, 4].map((seed) => make(R, seed + 20));
  elems.set(`relu fwd+bwd f32 128×256 ${kernel}${where}`, R);
  bench.add(`relu fwd+bwd f32 128×256 ${kernel}${where}`, () => {
    useGemmKernel(kernel);
    reluForward(x!, y!);
    reluBackward(x!, gy!, gx!);
  });
}

console.log(`node ${process.version}, ${availableParallelism()} CPUs, ${cpuModel()}; fast kernel FMA: ${relaxedSimdAvailable() ? 'on (relaxed SIMD)' : 'off (no relaxed SIMD)'}`);
await bench.run();

const fmt = (x: number, digits: number) => Number(x.toFixed(digits));
// Rates from the mean time, plus from the median, which is robust to interference spikes on a
// shared machine. Rows are keyed by task name (console.table prints keys unquoted).
const rows: Record<string, Record<string, string | number>> = {};
for (const task of bench.tasks) {
  const r = task.result;
  if (!r || r.error) {
    rows[task.name] = { error: String(r?.error ?? 'no result') };
    continue;
  }
  const mean = r.latency.mean; // ms
  const p50 = r.latency.p50 ?? Number.NaN;
  const f = flops.get(task.name);
  const e = elems.get(task.name);
  const row: Record<string, string | number> = {
    'mean (ms)': fmt(mean, 3),
    'p50 (ms)': fmt(p50, 3),
    'rme (%)': fmt(r.latency.rme, 2),
    samples: r.latency.samples.length,
  };
  if (f) {
    row['GFLOP/s'] = fmt(f / (mean * 1e6), 2);
    row['GFLOP/s @p50'] = fmt(f / (p50 * 1e6), 2);
  }
  if (e) {
    row['Melem/s'] = fmt(e / (mean * 1e3), 1);
    row['Melem/s @p50'] = fmt(e / (p50 * 1e3), 1);
  }
  rows[task.name] = row;
}
console.table(rows);
