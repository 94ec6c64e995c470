import type { Arena } from '../arena.js';
import type { Shard } from '../operators/scatter.js';
import { rows } from './handles.js';
import type { Batch, Layer, ShardBuffers } from './step-state.js';

/**
 * A shard's step buffers in the step arena: its rows of the batch (views, not copies), every
 * layer's output and its gradient, and its gradients of every parameter (float64).
 */
export function allocShard(arena: Arena, layers: Layer[], s: Shard, batch: Batch, outF: number[]): ShardBuffers {
  const n = s.end - s.start;
  const dtype = batch.x.dtype;
  // Every one of these is written in full by the message that produces it: no zero-filling.
  const raw = { zero: false };
  const acts = [rows(batch.x, s.start, s.end), ...outF.map((f) => arena.alloc(dtype, [n, f], raw))];
  const gActs = acts.map((a, i) => (i === 0 ? a : arena.alloc(dtype, a.shape, raw)));
  const pGrads = layers.map((l) => l.params.map((p) => arena.alloc('float64', p.shape, raw)));
  return { shard: s, acts, gActs, pGrads, target: rows(batch.y, s.start, s.end) };
}
