import type { Tensor, TensorHandle } from '@actorgrad/core';
import type { Shard } from '../operators/scatter.js';
import type { ActorReply, LayerDesc } from '../protocol.js';
import type { Actor } from './actor.js';
import type { ChunkRange } from './chunks.js';

/** A batch of a training step. */
export interface Batch {
  /** [N, features] inputs. */
  x: Tensor;
  /** [N] class labels (crossEntropy) or [N, outputs] targets. */
  y: Tensor;
}

/** A layer as the engine holds it: its parameters, their reduced gradients and backups, and its actor's replicas. */
export interface Layer {
  desc: LayerDesc;
  keys: string[];
  params: Tensor[];
  paramHandles: TensorHandle[];
  grads: Tensor[];
  backups: Tensor[];
  replicas: Actor[];
}

/**
 * A slice [lo, hi) of one parameter of one layer and its optimiser state: the unit of gradient
 * reduction and of the optimiser step. Every optimiser here is elementwise, so chunking changes no
 * bits; chunks depend only on parameter sizes (never on threads).
 */
export interface Chunk extends ChunkRange {
  state: unknown;
}

/** One shard's step buffers: activations, their gradients, its parameter gradients and its targets. */
export interface ShardBuffers {
  shard: Shard;
  acts: Tensor[];
  gActs: Tensor[];
  pGrads: Tensor[][];
  target: Tensor;
}

/** What a step came to: the loss of each shard (in shard order) and the gradient norm. */
export interface StepOutcome {
  losses: number[];
  gradNorm: number;
}

export type OkReply = Extract<ActorReply, { ok: true }>;
