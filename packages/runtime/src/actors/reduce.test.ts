import { describe, expect, it } from 'vitest';
import { reduceInShardOrder } from './reduce.js';

/** Deterministic values with awkward magnitudes, so that the order of additions matters. */
const values = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 10 ** ((i % 7) - 3));

describe('reduceInShardOrder', () => {
  for (const shards of [1, 2, 3, 5]) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${shards} shard(s) into ${dtype}: Σ in shard order in float64, rounded once; Σg² of the rounded values`, () => {
        const n = 37;
        const parts = [0, 1].map((j) => Array.from({ length: shards }, (_, s) => values(n + j, 10 * s + j)));
        const grads = [0, 1].map((j) => (dtype === 'float32' ? new Float32Array(n + j) : new Float64Array(n + j)));
        const sq = reduceInShardOrder(
          Array.from({ length: shards }, (_, s) => parts.map((p) => p[s]!)),
          grads,
        );
        parts.forEach((p, j) => {
          let want = 0;
          for (let i = 0; i < n + j; i++) {
            let acc = 0 + p[0]![i]!;
            for (let s = 1; s < shards; s++) acc = acc + p[s]![i]!;
            const r = dtype === 'float32' ? Math.fround(acc) : acc;
            expect(Object.is(grads[j]![i], r)).toBe(true);
            want += r * r;
          }
          expect(sq[j]).toBe(want);
        });
      });
    }
  }

  it('no shards: zero gradients', () => {
    const g = new Float32Array([1, 2]);
    expect(reduceInShardOrder([], [g])).toEqual([0]);
    expect(Array.from(g)).toEqual([0, 0]);
  });
});
