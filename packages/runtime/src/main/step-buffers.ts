import { type DType, type Tensor, kernels } from '@actorgrad/core';
import type { Arena } from '../arena.js';
import type { Shard } from '../operators/scatter.js';
import { rows } from './handles.js';
import type { Batch, Layer, ShardBuffers } from './step-state.js';

/**
 * A shard's step buffers in the step arena: its rows of the batch (views, not copies), every
 * layer's output and its gradient, and its gradients of every parameter (see `gradDtype`).
 */
export function allocShard(arena: Arena, layers: Layer[], s: Shard, batch: Batch, outF: number[], kernel: kernels.GemmKernel): ShardBuffers {
  const n = s.end - s.start;
  const dtype = batch.x.dtype;
  // Every one of these is written in full by the message that produces it: no zero-filling.
  const raw = { zero: false };
  const acts = [rows(batch.x, s.start, s.end), ...outF.map((f) => arena.alloc(dtype, [n, f], raw))];
  const gActs = acts.map((a, i) => (i === 0 ? a : arena.alloc(dtype, a.shape, raw)));
  const pGrads = layers.map((l, i) => l.params.map((p, j) => arena.alloc(gradDtype(l, i, j, acts, gActs, kernel), p.shape, raw)));
  return { shard: s, acts, gActs, pGrads, target: rows(batch.y, s.start, s.end) };
}

/**
 * The dtype of a shard's gradient of parameter j of layer l: float64, so that the reduction sums
 * the shards' exact values and rounds once; float32 for a Linear layer's weight when its GEMM
 * (gᵀ·x) gives float32 values anyway (the fast kernel on float32 activations), which a float32
 * array holds exactly: the same bits, half the memory, and the GEMM's result is stored without a
 * conversion to float64 (that conversion was 0.55 ms of a 5.6 ms data-parallel step of the
 * benchmark MLP, per replica). `kernel`: the one the threads running the step compute with.
 */
function gradDtype(layer: Layer, l: number, j: number, acts: Tensor[], gActs: Tensor[], kernel: kernels.GemmKernel): DType {
  if (layer.desc.spec.type !== 'Linear' || j !== 0) return 'float64';
  const x = acts[l]!;
  const g = gActs[l + 1]!;
  const [outF, inF] = layer.params[0]!.shape as [number, number];
  return kernels.gemmResultsAreFloat32(outF, inF, x.shape[0]!, g.data, x.data, kernel) ? 'float32' : 'float64';
}
