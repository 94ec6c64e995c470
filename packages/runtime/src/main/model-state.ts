import type { kernels, nn } from '@actorgrad/core';
import { withPool } from '@actorgrad/optim';
import { SlabPool, transformationOf } from '../actors/step.js';
import type { Arena } from '../arena.js';
import type { LayerDesc, OptimizerConfig } from '../protocol.js';
import { Actor } from './actor.js';
import { chunkLayout } from './chunks.js';
import type { Executor } from './executor.js';
import { handle } from './handles.js';
import type { Chunk, Layer } from './step-state.js';

/**
 * Every layer of the model as the engine holds it: its parameters (the model's own memory), their
 * reduced gradients and backups in the `persistent` arena, and one actor per replica.
 */
export function makeLayers(model: nn.Sequential, persistent: Arena, replicas: number, executor: Executor): Layer[] {
  return model.namedChildren().map(([name, m], index) => {
    const named = m.namedParameters(`${name}.`);
    const params = named.map(([, p]) => p);
    const spec = m.spec();
    const desc: LayerDesc = { index, name: `${name}:${spec.type === 'Activation' ? String(spec.args?.kind) : spec.type}`, spec };
    return {
      desc,
      keys: named.map(([k]) => k),
      params,
      paramHandles: params.map(handle),
      grads: params.map((p) => persistent.alloc(p.dtype, p.shape)),
      backups: params.map((p) => persistent.alloc(p.dtype, p.shape)),
      replicas: Array.from({ length: replicas }, (_, r) => new Actor(`layer ${desc.name}#${r}`, executor)),
    };
  });
}

/**
 * The optimiser's chunks of every parameter (equal parts of at most `chunk` elements, so the
 * replicas get balanced work), each with its initial state for learning rate `lr0`.
 */
export function initialChunks(layers: Layer[], optimizer: OptimizerConfig, lr0: number, chunk: number, heap: kernels.WasmHeap | null = null): Chunk[] {
  const init = transformationOf(optimizer, lr0);
  // Initial states in slabs of shared memory (a step message then carries a few buffers, not one per
  // array), on the engine's heap when it has one (the slots then take these arrays as they are).
  const slabs = new SlabPool(undefined, heap);
  const sizes = layers.map((l) => l.params.map((p) => p.size));
  return chunkLayout(sizes, chunk).map(({ layer, param, lo, hi }) => {
    const l = layers[layer]!;
    return { layer, param, lo, hi, state: withPool(slabs, () => init.init({ [l.keys[param]!]: l.params[param]!.data.subarray(lo, hi) })) };
  });
}
