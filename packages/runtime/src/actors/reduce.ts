import type { FloatArray } from '@actorgrad/core';
import { scratch } from './scratch.js';

/**
 * grads[j] = Σ_s shardGrads[s][j], added in shard order (s = 0, 1, …) in float64 and rounded once
 * to the parameter dtype, so the result depends only on the shard count, never on threads.
 * Returns Σ grads[j]² (float64) for each j; the engine adds them in a fixed order for the global norm.
 */
export function reduceInShardOrder(shardGrads: FloatArray[][], grads: FloatArray[]): number[] {
  return grads.map((g, j) => {
    let sq = 0;
    const n = g.length;
    const acc = scratch('float64', n, 'reduce');
    const first = shardGrads[0]?.[j];
    if (first) for (let i = 0; i < n; i++) acc[i] = first[i]!;
    else acc.fill(0, 0, n);
    for (const shard of shardGrads.slice(1)) {
      const s = shard[j]!;
      for (let i = 0; i < n; i++) acc[i] += s[i]!;
    }
    g.set(acc.subarray(0, n));
    for (let i = 0; i < n; i++) sq += g[i]! * g[i]!;
    return sq;
  });
}
