import type { FloatArray } from '@actorgrad/core';
import { type Observable, type OperatorFunction, firstValueFrom, map, of, pipe } from 'rxjs';
import { backwardThrough, clipGradients, computeLoss, forwardThrough, gatherInOrder, optimizerStep, reduceGradients, scatter } from '../operators/index.js';
import type { OptimizerConfig, ReduceMsg, StepItem, StepMsg } from '../protocol.js';
import { NonFiniteError } from './errors.js';
import type { Messenger } from './messenger.js';
import type { StepPlan } from './plan.js';
import type { StepRollback } from './rollback.js';
import type { Chunk, Layer, OkReply, ShardBuffers, StepOutcome } from './step-state.js';
import { type StopMaker, chunkItem, view } from './stops.js';

/** What a message-by-message step runs on. */
export interface MessageStep {
  plan: StepPlan;
  bufs: ShardBuffers[];
  stops: StopMaker;
  messenger: Messenger;
  rollback: StepRollback;
  layers: Layer[];
  chunks: Chunk[];
  /** Per chunk: arrays of its state that died when the last step committed (taken by its step message). */
  recycle: FloatArray[][];
  optimizer: OptimizerConfig;
  clipNorm: number | null;
  step: number;
  lr: number;
}

/** A message-by-message step's outcome, with the old states' arrays per chunk (reusable once the step has committed). */
export interface MessageOutcome extends StepOutcome {
  dead: FloatArray[][];
}

/**
 * Message by message: the step as a pipeline of named operators (pipelined placements, and the
 * fallback of a lost synchronised step) — scatter → each shard's pass → gather in shard order →
 * one reduce message per chunk group → clip → one step message per chunk group.
 */
export async function runMessages(m: MessageStep): Promise<MessageOutcome> {
  m.rollback.keepStates();
  const { plan, step } = m;
  // Norms come back per chunk and are added in chunk order, so the grouping never changes a bit of the result.
  const sqByChunk = new Float64Array(m.chunks.length);
  const dead: FloatArray[][] = m.chunks.map(() => []);
  const units = plan.groups.map((_, gi) => gi);
  const byIndex = new Map(m.bufs.map((b) => [b.shard.index, b]));
  const out = await firstValueFrom(
    of(plan.rows).pipe(
      scatter(plan.shards.length),
      map((s) => byIndex.get(s.index)!),
      shardPass(m),
    ).pipe(
      gatherInOrder((v) => v.b.shard.index),
      map((vs) => {
        const total = vs.reduce((a, v) => a + v.loss, 0);
        if (!Number.isFinite(total)) throw new NonFiniteError(step, 'loss', total);
        return vs;
      }),
      reduceGradients(units, (gi) => reduceGroup(m, gi, sqByChunk)),
    ).pipe(
      // The global squared norm, summed in chunk order whatever the grouping into messages.
      map((v) => ({ ...v, sqNorm: sqByChunk.reduce((a, b) => a + b, 0) })),
      map((v) => {
        if (!Number.isFinite(v.sqNorm)) throw new NonFiniteError(step, 'gradient norm', Math.sqrt(v.sqNorm));
        return v;
      }),
      clipGradients(m.clipNorm),
      optimizerStep(units, (gi, scale) => stepGroup(m, gi, scale, dead)),
    ),
  );
  return { losses: out.value.map((v) => v.loss), gradNorm: out.norm, dead };
}

/**
 * A shard's forward, loss and backward. When every replica serves exactly one shard, nothing can
 * overlap inside a replica: the shard's messages go as one route (one pool task).
 */
function shardPass(m: MessageStep): OperatorFunction<ShardBuffers, { b: ShardBuffers; loss: number }> {
  const { stops, messenger } = m;
  const L = m.layers.length;
  if (m.plan.wholeRoutes) {
    return pipe(
      computeLoss((b: ShardBuffers) => messenger.sendStops(stops.pass(b), b.shard.index).pipe(map((rs) => rs[L]!.value!))),
      map(({ item, loss: value }) => ({ b: item, loss: value })),
    );
  }
  const one = (b: ShardBuffers, k: number) => {
    const { actor, msg } = stops.bind(m.plan.shards[b.shard.index]!.stops[k]!, b);
    return messenger.send(actor, msg, b.shard.index);
  };
  // The planned pass: stop l is layer l's forward, stop L the loss, stop 2L − l layer l's backward.
  return pipe(
    forwardThrough(L, (l, b: ShardBuffers) => one(b, l)),
    computeLoss((b: ShardBuffers) => one(b, L).pipe(map((r) => r.value!))),
    map(({ item, loss: value }) => ({ b: item, loss: value })),
    backwardThrough(L, (l, v) => one(v.b, 2 * L - l).pipe(map(() => v))),
  );
}

/** The actor replica that carries group gi's reduce and step messages. */
const groupActor = (m: MessageStep, gi: number) => {
  const g = m.plan.groups[gi]!;
  return m.layers[g.layer]!.replicas[g.replica]!;
};

/** Group gi's reduction: its chunks' shard gradients summed in shard order; their squared norms into `sqByChunk`. */
function reduceGroup(m: MessageStep, gi: number, sqByChunk: Float64Array): Observable<number> {
  const g = m.plan.groups[gi]!.chunks;
  const actor = groupActor(m, gi);
  const msg: ReduceMsg = {
    op: 'reduce', actor: actor.name,
    shardGrads: m.bufs.map((b) => g.map((ci) => { const c = m.chunks[ci]!; return view(b.pGrads[c.layer]![c.param]!, c); })),
    grads: g.map((ci) => { const c = m.chunks[ci]!; return view(m.layers[c.layer]!.grads[c.param]!, c); }),
  };
  return m.messenger.send(actor, msg, null).pipe(
    map((r) => {
      g.forEach((ci, j) => {
        sqByChunk[ci] = r.values![j]!;
      });
      return 0;
    }),
  );
}

/** Group gi's optimiser step: its chunks backed up first (a re-run after a lost message puts them back), the new states adopted. */
function stepGroup(m: MessageStep, gi: number, scale: number, dead: FloatArray[][]): Observable<OkReply> {
  const g = m.plan.groups[gi]!.chunks;
  const actor = groupActor(m, gi);
  const restore = m.rollback.backUp(g);
  const msg: StepMsg = { op: 'step', actor: actor.name, optimizer: m.optimizer, lr: m.lr, gradScale: scale, items: g.map((ci) => stepItem(m, ci)) };
  return m.messenger.send(actor, msg, null, restore).pipe(
    map((r) => {
      g.forEach((ci, j) => {
        m.chunks[ci]!.state = r.states![j];
        dead[ci] = r.dead![j] ?? [];
      });
      return r;
    }),
  );
}

/** A chunk's step item; the dead arrays go out once: whoever receives them may reuse them. */
function stepItem(m: MessageStep, ci: number): StepItem {
  const c = m.chunks[ci]!;
  const recycle = m.recycle[ci]!;
  m.recycle[ci] = [];
  return { ...chunkItem(m.layers, c), state: c.state, recycle };
}
