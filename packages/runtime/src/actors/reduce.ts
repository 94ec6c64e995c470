import type { FloatArray } from '@actorgrad/core';

/**
 * grads[j] = Σ_s shardGrads[s][j], added in shard order (s = 0, 1, …) in float64 and rounded once
 * to the parameter dtype, so the result depends only on the shard count, never on threads.
 * Returns Σ grads[j]² (float64, of the rounded values) for each j; the engine adds them in a fixed
 * order for the global norm. One pass per chunk: each element is summed, stored and squared at once.
 */
export function reduceInShardOrder(shardGrads: FloatArray[][], grads: FloatArray[]): number[] {
  return grads.map((g, j) => {
    const shards = shardGrads.map((s) => s[j]!);
    const n = g.length;
    let sq = 0;
    if (shards.length === 0) {
      g.fill(0);
      return 0;
    }
    if (shards.length === 2) {
      // The common case (two replicas), without the inner loop over shards.
      const [a, b] = shards as [FloatArray, FloatArray];
      for (let i = 0; i < n; i++) {
        g[i] = a[i]! + b[i]!;
        const r = g[i]!;
        sq += r * r;
      }
      return sq;
    }
    const first = shards[0]!;
    for (let i = 0; i < n; i++) {
      let acc = first[i]!;
      for (let s = 1; s < shards.length; s++) acc += shards[s]![i]!;
      g[i] = acc;
      const r = g[i]!;
      sq += r * r;
    }
    return sq;
  });
}
