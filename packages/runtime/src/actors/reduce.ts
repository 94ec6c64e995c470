import { type FloatArray, kernels } from '@actorgrad/core';
import { scratch } from './scratch.js';

/**
 * grads[j] = Σ_s shardGrads[s][j], added in shard order (s = 0, 1, …) in float64 and rounded once
 * to the parameter dtype, so the result depends only on the shard count, never on threads.
 * Returns Σ grads[j]² (float64, of the rounded values) for each j; the engine adds them in a fixed
 * order for the global norm. One pass per chunk: each element is summed, stored and squared at once.
 */
export function reduceInShardOrder(shardGrads: FloatArray[][], grads: FloatArray[]): number[] {
  const out = new Array<number>(grads.length);
  for (let j = 0; j < grads.length; j++) out[j] = reduceChunk(shardGrads, j, grads[j]!);
  return out;
}

/**
 * Chunk j of `reduceInShardOrder`. One loop per shard count, each with no inner loop that may never
 * run: a loop over shards that is never entered leaves its sum without type feedback, and an
 * optimised (on-stack-replaced) outer loop may then box every element it adds — a heap number per
 * parameter per step (3.7 MB a step for the benchmark MLP on one shard), seen in some runs, not others.
 */
function reduceChunk(shardGrads: FloatArray[][], j: number, g: FloatArray): number {
  const S = shardGrads.length;
  if (S === 0) {
    g.fill(0);
    return 0;
  }
  // One or two shards: core's kernel (WebAssembly on the engine's heap, in place).
  if (S === 1) return kernels.sumSquares(shardGrads[0]![j]!, null, g);
  if (S === 2) return kernels.sumSquares(shardGrads[0]![j]!, shardGrads[1]![j]!, g);
  // Shard by shard, in shard order: the sum accumulates in float64 scratch, rounded once at the end.
  const n = g.length;
  const acc = scratch('float64', n, 'reduce') as Float64Array;
  copyInto(acc, shardGrads[0]![j]!, n);
  for (let s = 1; s < S; s++) addInto(acc, shardGrads[s]![j]!, n);
  return kernels.sumSquares(acc, null, g);
}

/** acc[0, n) ← a (exactly: float64 holds every float32). */
function copyInto(acc: Float64Array, a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) acc[i] = a[i]!;
}

/** acc[0, n) += a, element by element. */
function addInto(acc: Float64Array, a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) acc[i] = acc[i]! + a[i]!;
}
