/**
 * Adam on one million float32 parameters (tinybench). Run from packages/optim with `pnpm bench`
 * (= `tsx --conditions=@actorgrad/source bench/index.ts`); results are recorded in bench/RESULTS.md.
 *
 * Rows: the pure `adam().update` (allocates m, v and two update trees: 4 × 4 MB of shared memory);
 * the same followed by `applyUpdates` (a new parameter tree); `Optimizer.step()` (pure update, then
 * p ← p + u in place); and, as a floor, one hand-fused in-place Adam loop over the same arrays.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { allocShared, type ArrayTree } from '@actorgrad/core';
import { Bench, type Task } from 'tinybench';
import { adam, applyUpdates, Optimizer } from '../src/index.js';

const N = 1_000_000;

function filled(seed: number, scale: number): Float32Array {
  const x = allocShared('float32', N) as Float32Array;
  let s = seed >>> 0;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 4294967296 - 0.5) * scale;
  }
  return x;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1]!.trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

const params: ArrayTree = { w: filled(1, 1) };
const grads: ArrayTree = { w: filled(2, 1e-2) };
const opt = adam({ lr: 1e-3 });
let state = opt.init(params);
// One step first, so that the moments are non-zero as in a real run.
state = opt.update(grads, state, params)[1];

const tensor = { data: filled(1, 1), grad: { data: grads.w! } };
const optimizer = new Optimizer({ w: tensor }, adam({ lr: 1e-3 }));

// The floor: torch's single-tensor Adam as one in-place loop (no allocation).
const fm = filled(3, 1e-3);
const fv = filled(4, 1e-6).map(Math.abs);
const fp = filled(1, 1);
let ft = 1;
function fusedAdamInPlace(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): void {
  ft++;
  const b1 = 0.9;
  const b2 = 0.999;
  const stepSize = 1e-3 / (1 - b1 ** ft);
  const bc2Sqrt = Math.sqrt(1 - b2 ** ft);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + 1e-8);
  }
}

const bench = new Bench({ name: 'adam, 1M float32 parameters', time: 3000, warmupTime: 500 });
bench
  .add('adam().update (pure)', () => {
    opt.update(grads, state, params);
  })
  .add('adam().update + applyUpdates (pure)', () => {
    const [u] = opt.update(grads, state, params);
    applyUpdates(params, u);
  })
  .add('Optimizer.step() (in place)', () => {
    optimizer.step();
  })
  .add('hand-fused in-place loop (floor)', () => {
    fusedAdamInPlace(fp, grads.w as Float32Array, fm, fv);
  });

await bench.run();

console.log(`${bench.name} — node ${process.version}, ${availableParallelism()} cores, ${cpuModel()}`);
console.table(
  bench.table((task: Task) => {
    const r = task.result!;
    const mean = r.latency.mean;
    return {
      task: task.name,
      'mean (ms)': mean.toFixed(2),
      'p50 (ms)': r.latency.p50!.toFixed(2),
      'rme (%)': r.latency.rme.toFixed(1),
      samples: r.latency.samples.length,
      'Mparam/s': (N / mean / 1e3).toFixed(0),
    };
  }),
);
