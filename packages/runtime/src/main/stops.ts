import type { Tensor, TensorHandle } from '@actorgrad/core';
import type { LossKind, LossMsg, StepItem } from '../protocol.js';
import type { Actor } from './actor.js';
import { chunkHandle, handle } from './handles.js';
import type { PlannedStop, StepPlan } from './plan.js';
import type { RouteStop } from './route.js';
import type { Chunk, Layer, ShardBuffers } from './step-state.js';

/** What the messages of one step are made of besides the plan and the buffers. */
export interface StopContext {
  plan: StepPlan;
  layers: Layer[];
  lossActors: Actor[];
  loss: LossKind;
  step: number;
  seed: number;
  training: boolean;
}

/**
 * Turns a plan's stops into actor messages over one step's buffers: the forward, loss and backward
 * message of a layer for a shard, and a chunk's handles for the reduction and the optimiser step.
 */
export class StopMaker {
  /** While a step program is built: its own handles for the batch's rows (see `buildProgram`). */
  own: Map<Tensor, TensorHandle> | null = null;

  constructor(readonly c: StopContext) {}

  /** The handle of a tensor in a message (the program's own for the batch's rows while one is built). */
  h(t: Tensor): TensorHandle {
    return this.own?.get(t) ?? handle(t);
  }

  /** A planned forward, loss or backward stop of shard `b`. */
  bind(s: PlannedStop, b: ShardBuffers): RouteStop {
    if (s.op === 'forward') return this.forward(s.layer!, b);
    if (s.op === 'backward') return this.backward(s.layer!, b);
    if (s.op === 'loss') return this.lossStop(b);
    throw new Error(`engine: internal error: a ${s.op} stop is not a shard's`);
  }

  /** Shard `b`'s planned pass: forward through every layer, the loss, backward through every layer. */
  pass(b: ShardBuffers): RouteStop[] {
    return this.c.plan.shards[b.shard.index]!.stops.map((s) => this.bind(s, b));
  }

  /** The actor replica that serves shard `b` (see `ShardRoute.replica`). */
  private at(actors: Actor[], b: ShardBuffers): Actor {
    return actors[this.c.plan.shards[b.shard.index]!.replica]!;
  }

  forward(l: number, b: ShardBuffers): RouteStop {
    const layer = this.c.layers[l]!;
    const { step, seed, training } = this.c;
    return {
      actor: this.at(layer.replicas, b),
      msg: {
        op: 'forward', actor: layer.replicas[0]!.name, layer: layer.desc, step, shard: b.shard.index, seed, training,
        x: this.h(b.acts[l]!), out: this.h(b.acts[l + 1]!), params: layer.paramHandles,
      },
    };
  }

  backward(l: number, b: ShardBuffers): RouteStop {
    const layer = this.c.layers[l]!;
    const { step, seed } = this.c;
    return {
      actor: this.at(layer.replicas, b),
      msg: {
        op: 'backward', actor: layer.replicas[0]!.name, layer: layer.desc, step, shard: b.shard.index, seed,
        x: this.h(b.acts[l]!), gOut: this.h(b.gActs[l + 1]!), gIn: l > 0 ? this.h(b.gActs[l]!) : null,
        params: layer.paramHandles, gParams: b.pGrads[l]!.map(handle),
      },
    };
  }

  lossStop(b: ShardBuffers): RouteStop {
    const L = this.c.layers.length;
    const lossActors = this.c.lossActors;
    return {
      actor: this.at(lossActors, b),
      msg: {
        op: 'loss', actor: lossActors[0]!.name, kind: this.c.loss, shard: b.shard.index,
        pred: this.h(b.acts[L]!), target: this.h(b.target), gPred: this.h(b.gActs[L]!), batchSize: this.c.plan.rows,
      },
    };
  }
}

/** A loss stop that also leaves its value where the other replicas of a synchronised step read it. */
export function withLosses(stop: RouteStop, losses: Float64Array): RouteStop {
  return { actor: stop.actor, msg: { ...(stop.msg as LossMsg), losses } };
}

/** The handle of a chunk's slice of tensor `t`. */
export const view = (t: Tensor, c: Chunk): TensorHandle => chunkHandle(t, c.lo, c.hi);

/** A chunk's parameter key and the handles of its slices of the parameter, gradient and backup. */
export function chunkItem(layers: Layer[], c: Chunk): Pick<StepItem, 'key' | 'param' | 'grad' | 'backup'> {
  const layer = layers[c.layer]!;
  return { key: layer.keys[c.param]!, param: view(layer.params[c.param]!, c), grad: view(layer.grads[c.param]!, c), backup: view(layer.backups[c.param]!, c) };
}
